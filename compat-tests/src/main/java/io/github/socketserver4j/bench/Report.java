package io.github.socketserver4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The table, the targets of the issue, and the chart, from a {@link BenchRunner}'s results.
 *
 * <p>Absolute figures are medians over the rounds. A ratio is computed in each round between two
 * runs of that round, then the median of those per-round ratios is shown, so a slow minute on the
 * shared machine moves both sides of a ratio together.
 */
final class Report {
  private final BenchRunner runner;

  Report(BenchRunner runner) {
    this.runner = runner;
  }

  // ---- Statistics ----

  private List<RunResult> runs(String workload, ServerSpec s) {
    List<RunResult> out = new ArrayList<>();
    for (RunResult r : runner.results) {
      if (r.workload.name().equals(workload) && r.server.equals(s)) {
        out.add(r);
      }
    }
    return out;
  }

  static double median(double[] values) {
    double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private double median(String workload, ServerSpec s, ToDoubleFunction<RunResult> f) {
    return median(runs(workload, s).stream().mapToDouble(f).toArray());
  }

  /** The median over rounds of {@code f(row) / f(ref)}, both from the same round. */
  private double ratio(
      String workload, ServerSpec row, ServerSpec ref, ToDoubleFunction<RunResult> f) {
    if (row == null || ref == null) {
      return Double.NaN;
    }
    List<Double> ratios = new ArrayList<>();
    for (RunResult a : runs(workload, row)) {
      for (RunResult b : runs(workload, ref)) {
        if (a.round == b.round) {
          double x = f.applyAsDouble(a);
          double y = f.applyAsDouble(b);
          if (!Double.isNaN(x) && !Double.isNaN(y) && y > 0) {
            ratios.add(x / y);
          }
        }
      }
    }
    return median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static ServerSpec find(BenchRunner.Entry e, Predicate<ServerSpec> p) {
    return e.servers().stream().filter(p).findFirst().orElse(null);
  }

  /** Raw Netty for this workload's transport. */
  private static ServerSpec nettyRef(BenchRunner.Entry e) {
    return find(e, ServerSpec::isNetty);
  }

  /** CPython's server of the same kind, else CPython's first server on this workload. */
  private static ServerSpec cpythonRef(BenchRunner.Entry e, ServerSpec row) {
    ServerSpec same = find(e, s -> s.isCPython() && s.kind().equals(row.kind()));
    return same != null ? same : find(e, ServerSpec::isCPython);
  }

  // ---- Markdown ----

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# socketserver4j benchmark results\n\n");
    b.append("Machine and run:\n\n");
    for (Map.Entry<String, String> m : runner.machine.entrySet()) {
      b.append("- ").append(m.getKey()).append(": ").append(m.getValue()).append('\n');
    }
    b.append("- rounds run: ").append(runner.roundsRun);
    if (runner.roundsNote != null) {
      b.append(" (").append(runner.roundsNote).append(')');
    }
    b.append("\n\n");
    b.append(
        "Server CPU is the server process's user+sys time over the measured window, per request,"
            + " less the time of the JVM's JIT compiler threads (a one-off cost of a young JVM that"
            + " the short warm-up does not finish; results.csv has it per run)."
            + " Absolute values are medians over the rounds; each ratio is the median of per-round"
            + " ratios (×Netty: against raw Netty on the same transport; ×CPython: against"
            + " CPython's server of the same kind, else its threading server). Below 1 is better"
            + " for CPU and p99, above 1 is better for req/s. For idle-N the window is the whole"
            + " run (opening N connections, then one line on each): req/s is lines served per"
            + " second of it, and CPU per request is per connection.\n\n");
    b.append(
        "| workload | server | req/s | p50 ms | p99 ms | errors | server CPU µs/req"
            + " | client CPU µs/req | peak RSS MB | CPU ×Netty | req/s ×Netty | p99 ×Netty"
            + " | CPU ×CPython | req/s ×CPython | p99 ×CPython |\n");
    b.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (BenchRunner.Entry e : runner.plan) {
      String w = e.workload().name();
      ServerSpec netty = nettyRef(e);
      for (ServerSpec s : e.servers()) {
        String note = unavailable(w, s);
        if (note != null) {
          b.append("| ").append(w).append(" | ").append(s.label()).append(" | ").append(note);
          b.append(" |  |  |  |  |  |  |  |  |  |  |  |  |\n");
          continue;
        }
        List<RunResult> rs = runs(w, s);
        long errors = rs.stream().mapToLong(r -> r.m == null ? 0 : r.m.errors).sum();
        long failed = rs.stream().filter(r -> !r.ok()).count();
        ServerSpec py = cpythonRef(e, s);
        b.append("| ").append(w).append(" | ").append(s.label());
        cell(b, median(w, s, RunResult::perSecond), 0);
        cell(b, median(w, s, RunResult::p50Millis), 3);
        cell(b, median(w, s, RunResult::p99Millis), 2);
        b.append(" | ").append(errors).append(failed > 0 ? " (" + failed + " runs failed)" : "");
        cell(b, median(w, s, RunResult::cpuPerRequest), 1);
        cell(b, median(w, s, RunResult::clientCpuPerRequest), 1);
        cell(b, median(w, s, RunResult::peakRssMib), 0);
        ratioCell(b, s.equals(netty) ? Double.NaN : ratio(w, s, netty, RunResult::cpuPerRequest));
        ratioCell(b, s.equals(netty) ? Double.NaN : ratio(w, s, netty, RunResult::perSecond));
        ratioCell(b, s.equals(netty) ? Double.NaN : ratio(w, s, netty, RunResult::p99Millis));
        ratioCell(b, s.equals(py) ? Double.NaN : ratio(w, s, py, RunResult::cpuPerRequest));
        ratioCell(b, s.equals(py) ? Double.NaN : ratio(w, s, py, RunResult::perSecond));
        ratioCell(b, s.equals(py) ? Double.NaN : ratio(w, s, py, RunResult::p99Millis));
        b.append(" |\n");
      }
    }
    List<String> failures = new ArrayList<>();
    for (RunResult r : runner.results) {
      if (!r.ok() && unavailable(r.workload.name(), r.server) == null) {
        failures.add(
            "round "
                + (r.round + 1)
                + ", "
                + r.workload.name()
                + ", "
                + r.server.label()
                + ": "
                + (r.error != null ? r.error : r.m == null ? "?" : r.m.failure));
      } else if (r.m != null && r.m.failure != null) {
        failures.add(
            "round "
                + (r.round + 1)
                + ", "
                + r.workload.name()
                + ", "
                + r.server.label()
                + ": "
                + r.m.failure);
      }
    }
    if (!failures.isEmpty()) {
      b.append("\nProblems seen:\n\n");
      for (String f : failures) {
        b.append("- ").append(f).append('\n');
      }
    }
    b.append("\n## The issue's targets\n\n");
    b.append("| target | measured | met |\n|---|---|---|\n");
    for (String[] t : targets()) {
      b.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]);
      b.append(" |\n");
    }
    return b.toString();
  }

  private String unavailable(String workload, ServerSpec s) {
    for (String[] u : runner.unavailable) {
      if (u[1].equals(s.label())) {
        return u[2];
      }
    }
    return null;
  }

  private static void cell(StringBuilder b, double v, int decimals) {
    b.append(" | ");
    if (!Double.isNaN(v)) {
      b.append(String.format(Locale.ROOT, "%,." + decimals + "f", v));
    }
  }

  private static void ratioCell(StringBuilder b, double v) {
    b.append(" | ");
    if (!Double.isNaN(v)) {
      b.append(String.format(Locale.ROOT, v >= 10 ? "%.0f" : "%.2f", v));
    }
  }

  // ---- Targets ----

  private BenchRunner.Entry entry(String prefix) {
    for (BenchRunner.Entry e : runner.plan) {
      String n = e.workload().name();
      if (n.equals(prefix) || (prefix.endsWith("-") && n.startsWith(prefix))) {
        return e;
      }
    }
    return null;
  }

  /**
   * socketserver4j's row of that kind on the main JDK, without extra flags. The extra JDK 17 row
   * only exists when the main JDK is newer, so a run whose main JDK is 17 (surefire on JDK 17)
   * falls back to its JDK 17 row.
   */
  private static ServerSpec ss4j(BenchRunner.Entry e, String kind) {
    if (e == null) {
      return null;
    }
    Predicate<ServerSpec> plain =
        s -> s.impl().equals("ss4j") && s.kind().equals(kind) && s.variant().isEmpty();
    ServerSpec main = find(e, plain.and(s -> !"17".equals(s.jdkLabel())));
    return main != null ? main : find(e, plain);
  }

  /** One row per target of the issue: what, the measured figure, whether it is met. */
  List<String[]> targets() {
    List<String[]> t = new ArrayList<>();
    List<BenchRunner.Entry> rrs = new ArrayList<>();
    for (BenchRunner.Entry e : runner.plan) {
      Workload w = e.workload();
      if (w.pattern() == Workload.Pattern.RR && w.transport().equals("tcp")) {
        rrs.add(e); // rr-32, then rr-2000 (rr-200 with --quick)
      }
    }
    for (BenchRunner.Entry e : rrs) {
      String w = e.workload().name();
      boolean many = e.workload().connections() > 32;
      ServerSpec s = ss4j(e, "threading-tcp");
      ServerSpec n = nettyRef(e);
      double cpu = ratio(w, s, n, RunResult::cpuPerRequest);
      double tput = ratio(w, s, n, RunResult::perSecond);
      t.add(check(w + ", ThreadingTCPServer: CPU per request ≤ 1.2 × raw Netty", cpu, cpu <= 1.2));
      t.add(check(w + ", ThreadingTCPServer: throughput ≥ 1.0 × raw Netty", tput, tput >= 1.0));
      ServerSpec tuned = find(e, x -> x.impl().equals("ss4j") && !x.variant().isEmpty());
      if (tuned != null) {
        double tc = ratio(w, tuned, n, RunResult::cpuPerRequest);
        t.add(
            check(
                w
                    + ", ThreadingTCPServer with "
                    + tuned.variant()
                    + " (JVM flags only): CPU per request ≤ 1.2 × raw Netty",
                tc,
                tc <= 1.2));
      }
      ServerSpec loop = ss4j(e, "eventloop-tcp");
      if (loop != null) {
        double lt = ratio(w, loop, n, RunResult::perSecond);
        t.add(check(w + ", eventloop-tcp: throughput ≥ 0.95 × raw Netty", lt, lt >= 0.95));
      }
      if (many) {
        double p99 = ratio(w, s, n, RunResult::p99Millis);
        t.add(check(w + ", ThreadingTCPServer: p99 ≤ raw Netty's", p99, p99 <= 1.0));
        ServerSpec py = find(e, x -> x.isCPython() && x.kind().equals("threading-tcp"));
        double pcpu = ratio(w, s, py, RunResult::cpuPerRequest);
        double pp99 = ratio(w, s, py, RunResult::p99Millis);
        t.add(
            check(
                w + ", ThreadingTCPServer: CPU per request ≤ 1/3 of CPython's",
                pcpu,
                pcpu <= 1 / 3.0));
        t.add(check(w + ", ThreadingTCPServer: p99 ≤ 1/3 of CPython's", pp99, pp99 <= 1 / 3.0));
      }
    }
    BenchRunner.Entry c = entry("connect-16");
    if (c != null) {
      ServerSpec jn = find(c, s -> s.impl().equals("javanet-platform"));
      for (String kind : new String[] {"tcp", "threading-tcp"}) {
        double r = ratio("connect-16", ss4j(c, kind), jn, RunResult::perSecond);
        t.add(
            check(
                "connect-16, "
                    + (kind.equals("tcp") ? "TCPServer" : "ThreadingTCPServer")
                    + ": throughput ≥ 1.0 × plain java.net (platform threads)",
                r,
                r >= 1.0));
      }
    }
    BenchRunner.Entry u = entry("udp-32");
    if (u != null) {
      double r = ratio("udp-32", ss4j(u, "udp"), nettyRef(u), RunResult::perSecond);
      t.add(check("udp-32, UDPServer: throughput ≥ 0.9 × raw Netty", r, r >= 0.9));
      ServerSpec py = find(u, x -> x.isCPython() && x.kind().equals("threading-udp"));
      double p = ratio("udp-32", ss4j(u, "threading-udp"), py, RunResult::perSecond);
      t.add(check("udp-32, ThreadingUDPServer: throughput ≥ 10 × CPython's", p, p >= 10));
    }
    BenchRunner.Entry idle = entry("idle-");
    if (idle != null) {
      String w = idle.workload().name();
      ServerSpec s = ss4j(idle, "threading-tcp");
      List<RunResult> rs = s == null ? List.of() : runs(w, s);
      int n = idle.workload().connections();
      boolean all =
          !rs.isEmpty()
              && rs.stream().allMatch(r -> r.ok() && r.m.completed == n && r.m.errors == 0);
      double rss = s == null ? Double.NaN : median(w, s, RunResult::peakRssMib);
      String jdk = s == null ? "?" : s.jdkLabel();
      t.add(
          new String[] {
            w + ", ThreadingTCPServer (JDK " + jdk + "): all " + n + " served",
            rs.stream()
                .map(r -> r.m == null ? "failed" : r.m.completed + " served")
                .reduce((a, b) -> a + ", " + b)
                .orElse("not run"),
            rs.isEmpty() ? "not run" : all ? "yes" : "NO"
          });
      t.add(
          new String[] {
            w + ", ThreadingTCPServer (JDK " + jdk + "): server peak RSS ≤ 256 MB",
            Double.isNaN(rss) ? "not run" : String.format(Locale.ROOT, "%.0f MB", rss),
            Double.isNaN(rss) ? "not run" : rss <= 256 ? "yes" : "NO"
          });
    }
    if (rrs.stream().allMatch(e -> ss4j(e, "eventloop-tcp") == null)) {
      t.add(check("eventloop-tcp: throughput ≥ 0.95 × raw Netty", Double.NaN, false));
    }
    return t;
  }

  private static String[] check(String what, double value, boolean met) {
    if (Double.isNaN(value)) {
      return new String[] {what, "not run", "not run"};
    }
    return new String[] {what, String.format(Locale.ROOT, "%.3f×", value), met ? "yes" : "NO"};
  }

  // ---- CSV ----

  String csv() {
    StringBuilder b = new StringBuilder();
    b.append(
        "round,workload,server,requests,window_s,req_per_s,p50_ms,p99_ms,errors,lost,"
            + "server_cpu_us,server_cpu_us_per_req,jit_cpu_us_per_req,client_cpu_us_per_req,"
            + "peak_rss_kib,rss_kib,"
            + "threads,machine_idle,setup_s,error\n");
    for (RunResult r : runner.results) {
      Measurement m = r.m;
      b.append(r.round + 1).append(',').append(r.workload.name()).append(',');
      b.append('"').append(r.server.label()).append('"').append(',');
      if (m != null) {
        b.append(m.completed).append(',');
        b.append(String.format(Locale.ROOT, "%.3f", m.windowNanos / 1e9)).append(',');
        b.append(String.format(Locale.ROOT, "%.1f", r.perSecond())).append(',');
        b.append(String.format(Locale.ROOT, "%.4f", r.p50Millis())).append(',');
        b.append(String.format(Locale.ROOT, "%.4f", r.p99Millis())).append(',');
        b.append(m.errors).append(',').append(m.lost).append(',');
      } else {
        b.append(",,,,,,,");
      }
      b.append(r.serverCpuMicros).append(',');
      b.append(String.format(Locale.ROOT, "%.2f", r.cpuPerRequest())).append(',');
      b.append(String.format(Locale.ROOT, "%.2f", r.jitPerRequest())).append(',');
      b.append(String.format(Locale.ROOT, "%.2f", r.clientCpuPerRequest())).append(',');
      b.append(r.peakRssKib).append(',').append(r.rssKib).append(',').append(r.threads).append(',');
      b.append(String.format(Locale.ROOT, "%.3f", r.machineIdle)).append(',');
      b.append(m == null ? "" : String.format(Locale.ROOT, "%.3f", m.setupNanos / 1e9)).append(',');
      String err = r.error != null ? r.error : m != null && m.failure != null ? m.failure : "";
      b.append('"').append(err.replace('"', '\'')).append('"').append('\n');
    }
    return b.toString();
  }

  // ---- SVG ----

  /** Two panels per workload: server CPU µs per request, and requests per second. */
  String svg() {
    int labelWidth = 400;
    int panel = 300;
    int gap = 70;
    int row = 18;
    int width = labelWidth + 2 * panel + 2 * gap;
    List<String> body = new ArrayList<>();
    int y = 50;
    for (BenchRunner.Entry e : runner.plan) {
      String w = e.workload().name();
      body.add(text(10, y, w, "font-weight:bold"));
      y += 6;
      double maxCpu = 0;
      double maxTput = 0;
      for (ServerSpec s : e.servers()) {
        maxCpu = Math.max(maxCpu, nz(median(w, s, RunResult::cpuPerRequest)));
        maxTput = Math.max(maxTput, nz(median(w, s, RunResult::perSecond)));
      }
      for (ServerSpec s : e.servers()) {
        y += row;
        body.add(text(20, y - 4, s.label(), ""));
        String note = unavailable(w, s);
        if (note != null) {
          body.add(text(labelWidth, y - 4, note, "fill:#888"));
          continue;
        }
        double cpu = median(w, s, RunResult::cpuPerRequest);
        double tput = median(w, s, RunResult::perSecond);
        String color = color(s);
        bar(
            body,
            labelWidth,
            y,
            panel,
            cpu,
            maxCpu,
            color,
            String.format(Locale.ROOT, "%.1f µs", cpu));
        bar(
            body,
            labelWidth + panel + gap,
            y,
            panel,
            tput,
            maxTput,
            color,
            String.format(Locale.ROOT, "%,.0f/s", tput));
      }
      y += 22;
    }
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">\n",
            width,
            y + 10));
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    b.append(
        text(labelWidth, 20, "server CPU µs per request (shorter is better)", "font-weight:bold"));
    b.append(
        text(
            labelWidth + panel + gap,
            20,
            "requests per second (longer is better)",
            "font-weight:bold"));
    b.append(
        text(
            labelWidth,
            36,
            "medians over " + runner.roundsRun + " round(s); bars scaled per workload",
            "fill:#555"));
    for (String s : body) {
      b.append(s);
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static double nz(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  private static String color(ServerSpec s) {
    switch (s.impl()) {
      case "ss4j":
        return "17".equals(s.jdkLabel()) || !s.variant().isEmpty() ? "#6baed6" : "#2171b5";
      case "netty":
        return "#636363";
      case "cpython":
        return "#e6550d";
      default:
        return "#31a354";
    }
  }

  private static void bar(
      List<String> body,
      int x,
      int y,
      int width,
      double v,
      double max,
      String color,
      String label) {
    if (Double.isNaN(v) || max <= 0) {
      body.add(text(x, y - 4, "failed", "fill:#c00"));
      return;
    }
    int w = (int) Math.max(1, Math.round(width * v / max));
    body.add(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"13\" fill=\"%s\"/>\n",
            x,
            y - 14,
            w,
            color));
    body.add(text(x + w + 4, y - 4, label, ""));
  }

  private static String text(int x, int y, String s, String style) {
    String escaped = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    return String.format(
        Locale.ROOT,
        "<text x=\"%d\" y=\"%d\"%s>%s</text>\n",
        x,
        y,
        style.isEmpty() ? "" : " style=\"" + style + "\"",
        escaped);
  }
}
