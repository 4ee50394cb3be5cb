package io.github.socketserver4j.parity;

import io.github.socketserver4j.parity.Comparison.Status;
import io.github.socketserver4j.parity.ParityRunner.Row;
import java.util.List;

/** The table, as plain text (console), Markdown and HTML (target/parity/). */
final class Reports {
  private Reports() {}

  private static String[] cells(Row r) {
    return new String[] {
      r.scenario().id(), r.serverClass(), r.python().version().toString(),
      ParityRunner.cell(r.cpython()), ParityRunner.cell(r.java()), r.comparison().status().label
    };
  }

  private static final String[] HEAD = {
    "Scenario", "Server class", "CPython", "CPython result", "socketserver4j result", "Match"
  };

  static String text(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    String fmt = "%-44s %-20s %-8s %-22s %s%n";
    sb.append(String.format(fmt, "Scenario", "Server class", "CPython", "Match", "CPython result"));
    for (Row r : rows) {
      String[] c = cells(r);
      String res = c[3].length() > 90 ? c[3].substring(0, 87) + "..." : c[3];
      sb.append(String.format(fmt, c[0], c[1], c[2], c[5], res));
    }
    return sb.toString();
  }

  /** Every run with both full results, for looking into a row. */
  static com.fasterxml.jackson.databind.node.ArrayNode json(List<Row> rows) {
    var all = Json.array();
    for (Row r : rows) {
      var o = all.addObject();
      o.put("scenario", r.scenario().id());
      o.put("server_class", r.serverClass());
      o.put("cpython", r.python().version().toString());
      o.put("status", r.comparison().status().label);
      o.put("detail", r.comparison().detail());
      side(o.putObject("cpython_result"), r.cpython());
      side(o.putObject("socketserver4j_result"), r.java());
    }
    return all;
  }

  private static void side(com.fasterxml.jackson.databind.node.ObjectNode o, SideResult s) {
    if (s.result() != null) {
      o.set("result", s.result());
    }
    if (s.unavailable() != null) {
      o.put("unavailable", s.unavailable());
    }
    if (s.error() != null) {
      o.put("error", s.error());
    }
  }

  /**
   * The {@code report} command: reads a {@code parity.json} the suite wrote, prints the table and
   * the closing line again, and rewrites {@code parity.md} and {@code parity.html}; exit status 1
   * if it holds a mismatch.
   */
  static int command(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
    java.nio.file.Path from = ParityRunner.reportDir().resolve("parity.json");
    java.nio.file.Path dir = null;
    for (int i = 0; i < args.length; i++) {
      if (i + 1 >= args.length && !args[i].equals("--help")) {
        err.println("option " + args[i] + " needs a value");
        return 2;
      }
      switch (args[i]) {
        case "--from" -> from = java.nio.file.Paths.get(args[++i]);
        case "--out" -> dir = java.nio.file.Paths.get(args[++i]);
        case "--help" -> {
          out.print(ParityRunner.USAGE);
          return 0;
        }
        default -> {
          err.println("unknown option " + args[i] + "; report takes --from FILE --out DIR");
          return 2;
        }
      }
    }
    if (!java.nio.file.Files.isRegularFile(from)) {
      err.println("no " + from.toAbsolutePath() + ": run the suite first (it writes parity.json),"
          + " or name the file with --from");
      return 2;
    }
    List<Row> rows = rows(Json.read(from));
    ParityRunner.writeReports(rows, dir != null ? dir : from.toAbsolutePath().getParent());
    out.print(text(rows));
    out.println(ParityRunner.summary(rows));
    return ParityRunner.counts(rows).get(Status.MISMATCH) > 0 ? 1 : 0;
  }

  /** The rows of a {@code parity.json}; scenario titles come from the bundled scenarios. */
  static List<Row> rows(com.fasterxml.jackson.databind.JsonNode json) {
    java.util.Map<String, Scenario> known = new java.util.HashMap<>();
    try {
      ParityRunner.scenarios().forEach(sc -> known.put(sc.id(), sc));
    } catch (RuntimeException e) {
      // No scenarios at hand: rows keep their ids without titles.
    }
    List<Row> rows = new java.util.ArrayList<>();
    for (var o : json) {
      String id = o.path("scenario").asText();
      Scenario sc = known.getOrDefault(id, new Scenario(id, null, Json.object()));
      PythonVersion v = PythonVersion.parse(o.path("cpython").asText());
      Status status = java.util.Arrays.stream(Status.values())
          .filter(s -> s.label.equals(o.path("status").asText())).findFirst().orElseThrow(
              () -> new IllegalArgumentException("unknown status in parity.json: " + o.path("status")));
      rows.add(new Row(sc, o.path("server_class").asText(),
          new Python(java.nio.file.Paths.get("python3"), v),
          side("CPython " + v, o.path("cpython_result")),
          side("socketserver4j", o.path("socketserver4j_result")),
          new Comparison(status, o.path("detail").asText()), 0));
    }
    return rows;
  }

  private static SideResult side(String name, com.fasterxml.jackson.databind.JsonNode o) {
    return new SideResult(name,
        o.has("result") ? (com.fasterxml.jackson.databind.node.ObjectNode) o.get("result") : null,
        o.has("unavailable") ? o.get("unavailable").asText() : null,
        o.has("error") ? o.get("error").asText() : null, List.of());
  }

  private static String md(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

  static String markdown(List<Row> rows) {
    StringBuilder sb = new StringBuilder("# socketserver4j parity with CPython socketserver\n\n");
    sb.append(ParityRunner.summary(rows)).append("\n\n");
    sb.append("| ").append(String.join(" | ", HEAD)).append(" |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      String[] c = cells(r);
      sb.append("| ");
      for (int i = 0; i < c.length; i++) {
        String v = md(c[i]);
        sb.append(i == 3 || i == 4 ? "`" + v.replace("`", "'") + "`" : v).append(" | ");
      }
      sb.setLength(sb.length() - 1);
      sb.append("\n");
    }
    sb.append("\n## Deviations and mismatches\n");
    for (Row r : rows) {
      Status s = r.comparison().status();
      if (s == Status.DEVIATION || s == Status.MISMATCH || s == Status.UNAVAILABLE) {
        sb.append("\n### ").append(r.scenario().id()).append(" · ").append(r.serverClass())
            .append(" · CPython ").append(r.python().version()).append(": ").append(s.label)
            .append("\n\n").append(r.scenario().title()).append("\n\n```\n")
            .append(r.comparison().detail()).append("\n```\n");
      }
    }
    return sb.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static String html(List<Row> rows) {
    StringBuilder sb = new StringBuilder("""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>socketserver4j parity</title>
        <style>
        body{font-family:sans-serif;margin:1.5em}
        table{border-collapse:collapse;font-size:13px}
        td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
        td.r{font-family:monospace;max-width:38em;word-break:break-all}
        tr.match td.s{background:#d8f5d8} tr.deviation td.s{background:#fff1c2}
        tr.mismatch td.s{background:#ffc9c9} tr.unavailable td.s{background:#e6e6e6}
        pre{white-space:pre-wrap;font-size:12px;margin:.3em 0}
        </style></head><body>
        <h1>socketserver4j parity with CPython socketserver</h1>
        """);
    sb.append("<p><b>").append(esc(ParityRunner.summary(rows))).append("</b></p>\n<table>\n<tr>");
    for (String h : HEAD) {
      sb.append("<th>").append(esc(h)).append("</th>");
    }
    sb.append("</tr>\n");
    for (Row r : rows) {
      String[] c = cells(r);
      Status s = r.comparison().status();
      sb.append("<tr class=\"").append(s.name().toLowerCase(java.util.Locale.ROOT)).append("\">")
          .append("<td title=\"").append(esc(r.scenario().title())).append("\">").append(esc(c[0]))
          .append("</td><td>").append(esc(c[1])).append("</td><td>").append(esc(c[2]))
          .append("</td><td class=\"r\">").append(esc(c[3])).append("</td><td class=\"r\">")
          .append(esc(c[4])).append("</td><td class=\"s\">").append(esc(c[5]));
      if (!r.comparison().detail().isEmpty()) {
        sb.append("<details><summary>why</summary><pre>").append(esc(r.comparison().detail()))
            .append("</pre></details>");
      }
      sb.append("</td></tr>\n");
    }
    return sb.append("</table>\n</body></html>\n").toString();
  }
}
