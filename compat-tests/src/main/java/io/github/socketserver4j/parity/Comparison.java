package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Compares CPython's result with socketserver4j's for one scenario run. */
record Comparison(Status status, String detail) {

  enum Status {
    MATCH("match"),
    DEVIATION("documented deviation"),
    MISMATCH("MISMATCH"),
    UNAVAILABLE("not yet available");

    final String label;

    Status(String label) {
      this.label = label;
    }
  }

  static Comparison compare(
      Scenario sc, String serverClass, SideResult py, SideResult java, PythonVersion version) {
    if (py.unavailable() != null) {
      return new Comparison(Status.UNAVAILABLE, py.unavailable());
    }
    if (java.unavailable() != null) {
      return new Comparison(Status.UNAVAILABLE, java.unavailable());
    }
    if (!py.ok() || !java.ok()) {
      return new Comparison(Status.MISMATCH, "a side failed to run:\n"
          + (py.ok() ? "" : py.side() + ": " + py.error() + "\n")
          + (java.ok() ? "" : java.side() + ": " + java.error() + "\n"));
    }
    List<String> problems = new ArrayList<>();
    py.expectFailures().forEach(f -> problems.add(py.side() + " broke an expectation: " + f));
    java.expectFailures().forEach(f -> problems.add(java.side() + " broke an expectation: " + f));

    ObjectNode a = py.result().deepCopy();
    ObjectNode b = java.result().deepCopy();
    Optional<JsonNode> deviation = sc.deviation(version, serverClass);
    List<String> declared = new ArrayList<>();
    deviation.ifPresent(d -> d.path("fields").forEach(f -> declared.add(f.asText())));
    boolean deviated = false;
    for (String path : declared) {
      JsonNode x = remove(a, path);
      JsonNode y = remove(b, path);
      if (x == null ? y != null : !x.equals(y)) {
        deviated = true;
      }
    }
    // "map": CPython's value -> socketserver4j's, wherever it occurs (a single trace token such
    // as handle_error(TypeError), so the rest of that trace is still compared).
    Map<String, String> map = new LinkedHashMap<>();
    deviation.ifPresent(d -> d.path("map").fields().forEachRemaining(
        e -> map.put(e.getKey(), e.getValue().asText())));
    Map<String, String> applied = new LinkedHashMap<>();
    if (!map.isEmpty() && replace(a, map, applied) > 0) {
      deviated = true;
    }
    // Class-wide deviations (class-deviations.json): fields a server class differs in whatever
    // the scenario; declared once, reported on every run where the field differs.
    List<String> classWide = new ArrayList<>();
    for (JsonNode d : classDeviations(version, serverClass)) {
      for (JsonNode f : d.path("fields")) {
        JsonNode x = remove(a, f.asText());
        JsonNode y = remove(b, f.asText());
        if (x == null ? y != null : !x.equals(y)) {
          classWide.add(d.path("reason").asText() + "\n" + f.asText() + ": CPython " + show(x)
              + " | socketserver4j " + show(y));
        }
      }
    }
    problems.addAll(diff(a, b, ""));
    if (!problems.isEmpty()) {
      return new Comparison(Status.MISMATCH, String.join("\n", problems)
          + "\n\nCPython:\n" + Json.pretty(py.result()) + "\nsocketserver4j:\n" + Json.pretty(java.result()));
    }
    if (deviation.isPresent() && !deviated) {
      return new Comparison(Status.MISMATCH, "a deviation is declared for " + declared
          + " but both sides agree there; remove the declaration");
    }
    List<String> reasons = new ArrayList<>();
    if (deviation.isPresent()) {
      StringBuilder sb = new StringBuilder(deviation.get().path("reason").asText());
      for (String path : declared) {
        sb.append("\n").append(path).append(": CPython ")
            .append(show(Normaliser.at(py.result(), path)))
            .append(" | socketserver4j ").append(show(Normaliser.at(java.result(), path)));
      }
      applied.forEach((k, v) -> sb.append("\nCPython ").append(k).append(" | socketserver4j ").append(v));
      reasons.add(sb.toString());
    }
    reasons.addAll(classWide);
    if (!reasons.isEmpty()) {
      return new Comparison(Status.DEVIATION, String.join("\n", reasons));
    }
    return new Comparison(Status.MATCH, "");
  }

  private static volatile JsonNode classDeviations;

  /**
   * The class-wide deviations that apply to {@code serverClass} on {@code version}, from {@code
   * class-deviations.json} on the test class path (docs/parity.md).
   */
  static List<JsonNode> classDeviations(PythonVersion version, String serverClass) {
    if (classDeviations == null) {
      classDeviations = Json.read(ParityRunner.classpathFile("/class-deviations.json"));
    }
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode d : classDeviations) {
      boolean forClass = false;
      for (JsonNode s : d.path("servers")) {
        forClass |= s.asText().equals(serverClass);
      }
      if (forClass && (version == null || version.matches(Json.text(d, "python", "")))) {
        out.add(d);
      }
    }
    return out;
  }

  /** Replaces every text value found in {@code map} (deep), noting it in {@code applied}. */
  private static int replace(JsonNode node, Map<String, String> map, Map<String, String> applied) {
    int n = 0;
    if (node instanceof ArrayNode) {
      ArrayNode arr = (ArrayNode) node;
      for (int i = 0; i < arr.size(); i++) {
        JsonNode x = arr.get(i);
        if (x.isTextual() && map.containsKey(x.asText())) {
          applied.put(x.asText(), map.get(x.asText()));
          arr.set(i, TextNode.valueOf(map.get(x.asText())));
          n++;
        } else {
          n += replace(x, map, applied);
        }
      }
    } else if (node instanceof ObjectNode) {
      ObjectNode obj = (ObjectNode) node;
      List<String> names = new ArrayList<>();
      obj.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode x = obj.get(name);
        if (x.isTextual() && map.containsKey(x.asText())) {
          applied.put(x.asText(), map.get(x.asText()));
          obj.put(name, map.get(x.asText()));
          n++;
        } else {
          n += replace(x, map, applied);
        }
      }
    }
    return n;
  }

  private static String show(JsonNode n) {
    return n == null ? "(nothing)" : Json.line(n);
  }

  /** Removes the node at a dotted path and returns it (null if absent). */
  private static JsonNode remove(ObjectNode root, String path) {
    int dot = path.lastIndexOf('.');
    JsonNode parent = dot < 0 ? root : Normaliser.at(root, path.substring(0, dot));
    if (!(parent instanceof ObjectNode)) {
      return null;
    }
    return ((ObjectNode) parent).remove(dot < 0 ? path : path.substring(dot + 1));
  }

  /** Side-by-side differences, field by field (one level into objects). */
  static List<String> diff(JsonNode a, JsonNode b, String prefix) {
    List<String> out = new ArrayList<>();
    Set<String> keys = new LinkedHashSet<>();
    a.fieldNames().forEachRemaining(keys::add);
    b.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      JsonNode x = a.get(k);
      JsonNode y = b.get(k);
      if (x != null && x.equals(y)) {
        continue;
      }
      String path = prefix + k;
      if (x != null && y != null && x.isObject() && y.isObject() && prefix.isEmpty()) {
        out.addAll(diff(x, y, path + "."));
      } else if (x != null && y != null && x.isArray() && y.isArray()) {
        out.add(path + ":");
        int n = Math.max(x.size(), y.size());
        for (int i = 0; i < n; i++) {
          String l = i < x.size() ? x.get(i).asText() : "";
          String r = i < y.size() ? y.get(i).asText() : "";
          out.add(String.format("  %s %-50s | %s", l.equals(r) ? " " : "≠", l, r));
        }
      } else {
        out.add(path + ": CPython " + show(x) + " | socketserver4j " + show(y));
      }
    }
    return out;
  }
}
