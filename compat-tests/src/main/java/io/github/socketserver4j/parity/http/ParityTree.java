package io.github.socketserver4j.parity.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * The directory both servers serve: file names with spaces, {@code &}, {@code <}, non-ASCII, mixed
 * case; types from CPython's table and the system's; index pages; symbolic links inside and out.
 * Every file's time is 2020-01-02 03:04:05 UTC, so {@code Last-Modified} is the same each run.
 */
final class ParityTree {
  private ParityTree() {}

  static final Instant MTIME = Instant.parse("2020-01-02T03:04:05Z");

  static Path create(Path work) throws IOException {
    Path tree = Files.createDirectories(work.resolve("tree"));
    Files.writeString(work.resolve("outside-secret.txt"), "outside the tree\n");
    file(tree, "plain.txt", "hello world\n");
    file(tree, "empty.txt", "");
    file(tree, "data.json", "{}\n");
    file(tree, "app.js", "let x;\n");
    file(tree, "style.css", "p{}\n");
    file(tree, "archive.tar.gz", "gz");
    file(tree, "bundle.tgz", "tgz");
    file(tree, "pic.svgz", "svgz");
    file(tree, "README.TXT", "upper\n");
    file(tree, "noext", "none\n");
    file(tree, "file.unknownext", "?\n");
    file(tree, "doc.pdf", "%PDF\n");
    file(tree, "movie.mp4", "mp4");
    file(tree, "sheet.ods", "ods");
    file(tree, "notes.md", "# md\n");
    file(tree, ".hidden", "dot\n");
    Path odd = Files.createDirectories(tree.resolve("odd"));
    file(odd, "with space.txt", "space\n");
    file(odd, "a&b.txt", "amp\n");
    file(odd, "<tag>.html", "<p>tag</p>\n");
    file(odd, "été.txt", "accent\n");
    file(odd, "日本.txt", "cjk\n");
    file(odd, "UPPER.txt", "U\n");
    file(odd, "lower.txt", "l\n");
    file(odd, "100%.txt", "percent\n");
    file(odd, "q?mark.txt", "question\n");
    file(odd, "hash#.txt", "hash\n");
    Files.createDirectories(odd.resolve("sub dir"));
    Files.createSymbolicLink(odd.resolve("link-to-plain"), Path.of("../plain.txt"));
    Files.createSymbolicLink(odd.resolve("link-to-dir"), Path.of("sub dir"));
    Files.createSymbolicLink(tree.resolve("outside-link"), work.resolve("outside-secret.txt"));
    Path withIndex = Files.createDirectories(tree.resolve("withindex"));
    file(withIndex, "index.html", "<h1>index.html</h1>\n");
    file(withIndex, "other.txt", "other\n");
    Path withHtm = Files.createDirectories(tree.resolve("withindexhtm"));
    file(withHtm, "index.htm", "<h1>index.htm</h1>\n");
    Path both = Files.createDirectories(tree.resolve("both"));
    file(both, "index.htm", "htm\n");
    file(both, "index.html", "html\n");
    Files.createDirectories(tree.resolve("evil.example"));
    Files.createDirectories(tree.resolve("emptydir"));
    return tree;
  }

  private static void file(Path dir, String name, String content) throws IOException {
    Path p = Files.write(dir.resolve(name), content.getBytes(StandardCharsets.UTF_8));
    Files.setLastModifiedTime(p, FileTime.from(MTIME));
  }
}
