package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One scenario file (docs/parity.md, "Scenario format"): the server class(es) and settings, the
 * handler behaviour from the catalogue, how the server runs, the client steps, optional
 * expectations and an optional declared deviation. Both drivers read the same file.
 */
record Scenario(String id, Path file, JsonNode json) {

  /** The stream classes; used when a scenario names none. */
  static final List<String> DEFAULT_SERVERS = List.of("TCPServer", "ThreadingTCPServer");

  static Scenario load(Path file) {
    String name = file.getFileName().toString();
    return new Scenario(name.substring(0, name.length() - ".json".length()), file, Json.read(file));
  }

  /** Every {@code *.json} file under {@code dir}, sorted by name. */
  static List<Scenario> loadAll(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".json"))
          .sorted()
          .map(Scenario::load)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list scenarios in " + dir, e);
    }
  }

  String title() {
    return Json.text(json, "title", id);
  }

  List<String> servers() {
    JsonNode s = json.get("servers");
    if (s == null) {
      return DEFAULT_SERVERS;
    }
    List<String> out = new ArrayList<>();
    s.forEach(n -> out.add(n.asText()));
    return out;
  }

  List<String> covers() {
    List<String> out = new ArrayList<>();
    JsonNode c = json.get("covers");
    if (c != null) {
      c.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  JsonNode section(String name) {
    JsonNode n = json.get(name);
    return n == null ? MissingNode.getInstance() : n;
  }

  boolean parallel() {
    return json.path("parallel").asBoolean(false);
  }

  /**
   * Steps slower than this are classed "waited", faster ones "prompt". Only scenarios about
   * timing set it; elsewhere timing is not compared (a loaded machine would make it flaky).
   */
  double timingThreshold() {
    return Json.number(json, "timing_threshold", Double.POSITIVE_INFINITY);
  }

  /** The longest a client read or a server command may take before it counts as hung. */
  double bound() {
    return Json.number(json, "bound", 3.0);
  }

  /**
   * The deviation declared for this CPython version and server class, if any: {@code
   * "deviation"} is one object or a list, each with {@code reason}, {@code fields} (dotted result
   * paths) and optionally {@code python} (a version range) and {@code servers}.
   */
  Optional<JsonNode> deviation(PythonVersion version, String serverClass) {
    JsonNode d = json.get("deviation");
    if (d == null) {
      return Optional.empty();
    }
    List<JsonNode> all = new ArrayList<>();
    if (d.isArray()) {
      d.forEach(all::add);
    } else {
      all.add(d);
    }
    return all.stream()
        .filter(x -> version == null || version.matches(Json.text(x, "python", "")))
        .filter(x -> !x.has("servers") || x.get("servers").toString().contains('"' + serverClass + '"'))
        .findFirst();
  }
}
