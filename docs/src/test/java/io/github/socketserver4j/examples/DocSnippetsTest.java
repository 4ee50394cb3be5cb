package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Keeps the code in the documentation equal to the examples that are compiled and run.
 *
 * <p>A {@code ```java} block in {@code README.md} or {@code docs/*.md} whose first line is {@code
 * // from: <path>#<tag>} must hold exactly the lines of that file's region {@code tag}, the
 * lines between {@code // tag::<tag>[]} and {@code // end::<tag>[]}. A tag may mark several
 * regions; they are joined in order. Each region loses its common indentation, and lines holding
 * other tag markers are left out. Blocks without a {@code // from:} line are not checked.
 */
class DocSnippetsTest {
  private static final Pattern FROM = Pattern.compile("// from: (\\S+)#(\\S+)");
  private static final Pattern MARKER = Pattern.compile("//\\s*(tag|end)::([\\w-]+)\\[\\]");

  /** One {@code ```java} block of a Markdown file. */
  record Block(Path file, int line, List<String> lines) {}

  @Test
  @DisplayName("every java block marked '// from: file#tag' equals that tagged region")
  void snippetsMatchTheirExamples() throws IOException {
    Path root = repositoryRoot();
    List<Block> blocks = new ArrayList<>();
    for (Path doc : documents(root)) {
      blocks.addAll(javaBlocks(doc));
    }
    int checked = 0;
    List<String> failures = new ArrayList<>();
    for (Block block : blocks) {
      if (block.lines().isEmpty()) {
        continue;
      }
      Matcher from = FROM.matcher(block.lines().get(0).strip());
      if (!from.matches()) {
        continue;
      }
      checked++;
      String where = root.relativize(block.file()) + ":" + block.line();
      Path source = root.resolve(from.group(1));
      if (!Files.isRegularFile(source)) {
        failures.add(where + ": no file " + from.group(1));
        continue;
      }
      List<String> region = region(Files.readAllLines(source, StandardCharsets.UTF_8), from.group(2));
      if (region.isEmpty()) {
        failures.add(where + ": " + from.group(1) + " has no tag " + from.group(2));
        continue;
      }
      List<String> shown = block.lines().subList(1, block.lines().size());
      if (!shown.equals(region)) {
        failures.add(
            where + " differs from " + from.group(1) + "#" + from.group(2) + "\n--- expected\n"
                + String.join("\n", region) + "\n--- in the document\n" + String.join("\n", shown));
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n\n", failures));
    assertTrue(
        blocks.stream().anyMatch(b -> b.file().endsWith("README.md") && !b.lines().isEmpty()
            && FROM.matcher(b.lines().get(0).strip()).matches()),
        "README.md shows no example marked '// from:'");
    assertTrue(checked >= 2, "only " + checked + " marked snippets found");
  }

  @Test
  @DisplayName("every tag::x[] in the examples has its end::x[], in order")
  void tagsAreBalanced() throws IOException {
    Path examples = repositoryRoot().resolve("docs/src/main/java");
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(examples)) {
      sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
    assertFalse(sources.isEmpty(), "no example sources under " + examples);
    for (Path source : sources) {
      List<String> open = new ArrayList<>();
      List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = MARKER.matcher(lines.get(i));
        if (!m.find()) {
          continue;
        }
        String where = source.getFileName() + ":" + (i + 1);
        if (m.group(1).equals("tag")) {
          assertFalse(open.contains(m.group(2)), where + ": tag " + m.group(2) + " opened twice");
          open.add(m.group(2));
        } else if (!open.remove(m.group(2))) {
          fail(where + ": end::" + m.group(2) + "[] without tag::" + m.group(2) + "[]");
        }
      }
      assertTrue(open.isEmpty(), source.getFileName() + ": tags never ended: " + open);
    }
  }

  @Test
  @DisplayName("the region rules: joined regions, common indentation removed, markers left out")
  void regionRules() {
    List<String> file =
        List.of(
            "class A {",
            "  // tag::t[]",
            "  int a;",
            "    int b;",
            "  // tag::u[]",
            "  int c;",
            "  // end::u[]",
            "  // end::t[]",
            "  void m() {",
            "    // tag::t[]",
            "    m();",
            "    // end::t[]",
            "  }",
            "}");
    assertEquals(List.of("int a;", "  int b;", "int c;", "m();"), region(file, "t"));
    assertEquals(List.of("int c;"), region(file, "u"));
    assertEquals(List.of(), region(file, "none"));
  }

  /** The lines of every region tagged {@code tag}, each region without its common indentation. */
  static List<String> region(List<String> file, String tag) {
    List<String> out = new ArrayList<>();
    List<String> current = null;
    for (String line : file) {
      Matcher m = MARKER.matcher(line);
      if (m.find()) {
        if (m.group(2).equals(tag)) {
          if (m.group(1).equals("tag")) {
            current = new ArrayList<>();
          } else if (current != null) {
            out.addAll(dedent(current));
            current = null;
          }
        }
        continue;
      }
      if (current != null) {
        current.add(line);
      }
    }
    return out;
  }

  private static List<String> dedent(List<String> lines) {
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return lines.stream()
        .map(l -> l.isBlank() ? "" : l.substring(indent))
        .collect(Collectors.toList());
  }

  /** The {@code ```java} blocks of a Markdown file, with the line each starts on. */
  static List<Block> javaBlocks(Path doc) throws IOException {
    List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).strip().equals("```java")) {
        continue;
      }
      int start = i + 1;
      int end = start;
      while (end < lines.size() && !lines.get(end).strip().equals("```")) {
        end++;
      }
      blocks.add(new Block(doc, start + 1, List.copyOf(lines.subList(start, end))));
      i = end;
    }
    return blocks;
  }

  /** README.md and every docs/*.md. */
  static List<Path> documents(Path root) throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(root.resolve("README.md"));
    try (Stream<Path> list = Files.list(root.resolve("docs"))) {
      list.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    for (Path doc : docs) {
      assertTrue(Files.isRegularFile(doc), "missing " + doc);
    }
    return docs;
  }

  /** The repository root: the parent of this module (surefire runs in the module's directory). */
  static Path repositoryRoot() {
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    Path root = module.getParent();
    assertTrue(Files.isRegularFile(root.resolve("pom.xml")), "not the repository root: " + root);
    return root;
  }
}
