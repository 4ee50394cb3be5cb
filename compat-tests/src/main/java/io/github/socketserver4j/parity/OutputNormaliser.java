package io.github.socketserver4j.parity;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Porter mode's normalisers (docs/parity.md, "Porter mode"): what may differ between a Python
 * server and its Java port without being a difference in behaviour, rewritten the same way on
 * both sides before they are compared.
 *
 * <table>
 *   <caption>The normalisers</caption>
 *   <tr><th>name</th><th>rewrites</th></tr>
 *   <tr><td>{@code ports}</td><td>the server's and the clients' ports to {@code <server port>},
 *       {@code <c0 port>}, ...; any other port of an address to {@code <port>}</td></tr>
 *   <tr><td>{@code paths}</td><td>each side's {@code {tmp}} directory to {@code <tmp>}, the
 *       working directory to {@code <cwd>}, the clients' Unix paths to {@code <c0 path>}</td></tr>
 *   <tr><td>{@code timestamps}</td><td>dates and times (ISO, HTTP, {@code http.server}'s log,
 *       {@code time.ctime()}, {@code HH:MM:SS}) to {@code <time>}</td></tr>
 *   <tr><td>{@code threads}</td><td>request thread names (Python's {@code Thread-3
 *       (process_request_thread)}, socketserver4j's {@code socketserver4j ThreadingTCPServer
 *       127.0.0.1:4000 request 3}) to {@code <thread>}</td></tr>
 *   <tr><td>{@code tracebacks}</td><td>a Python traceback, or a Java exception with its stack
 *       trace, to {@code <traceback>}</td></tr>
 *   <tr><td>{@code http-date}</td><td>the value of an HTTP {@code Date:} header</td></tr>
 *   <tr><td>{@code http-server}</td><td>the value of an HTTP {@code Server:} header</td></tr>
 *   <tr><td>{@code jvm-noise}</td><td>drops SLF4J's own notices ({@code SLF4J(W): No SLF4J
 *       providers...}) and the JVM's {@code WARNING:} lines</td></tr>
 * </table>
 *
 * <p>The HTTP normalisers apply to the bytes the clients receive as well as to the output; the
 * others apply to the output and to the clients' records.
 */
final class OutputNormaliser {
  /** Every normaliser, in the order they apply; all are on by default. */
  static final List<String> ALL = List.of(
      "jvm-noise", "tracebacks", "timestamps", "http-date", "http-server", "paths", "ports",
      "threads");

  private static final Pattern HTTP_DATE = Pattern.compile("(?im)^(Date:[ \\t]*)[^\\r\\n]*");
  private static final Pattern HTTP_SERVER = Pattern.compile("(?im)^(Server:[ \\t]*)[^\\r\\n]*");
  private static final List<Pattern> TIMESTAMPS = List.of(
      // 2025-12-07 15:43:41,123 / 2025-12-07T15:43:41.123456+00:00
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?"),
      // Sun, 07 Dec 2025 15:43:41 GMT (HTTP)
      Pattern.compile("(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
      // 07/Dec/2025 15:43:41 (http.server's log) and 07/Dec/2025:15:43:41 +0000 (common log)
      Pattern.compile("\\d{2}/[A-Z][a-z]{2}/\\d{4}[ :]\\d{2}:\\d{2}:\\d{2}(?: [+-]\\d{4})?"),
      // Sun Dec  7 15:43:41 2025 (time.ctime(), java.util.Date without the zone)
      Pattern.compile("[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}(?: [A-Z]{3,4})? \\d{4}"),
      Pattern.compile("\\b\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?\\b"));
  private static final Pattern THREADS = Pattern.compile(
      "Thread-\\d+(?: \\([\\w.<>]+\\))?|socketserver4j \\S+ \\S+ request \\d+");
  private static final Pattern ADDRESS_PORT = Pattern.compile(
      "(\\('[^']*', |\\\\'[^']*\\\\', |\\d{1,3}(?:\\.\\d{1,3}){3}:|\\]:)(\\d{1,5})\\b");
  private static final Pattern PY_TRACEBACK_START = Pattern.compile("^Traceback \\(most recent call last\\):");
  private static final Pattern PY_TRACEBACK_BODY = Pattern.compile("^\\s+\\S.*$");
  private static final Pattern JAVA_EXCEPTION = Pattern.compile(
      "^(?:Exception in thread \".*\" )?[\\w$.]+(?:Exception|Error|Throwable|Exit)\\b.*");
  private static final Pattern JAVA_TRACE = Pattern.compile("^(\\s+at .*|\\s*\\.\\.\\. \\d+ more|\\s*Caused by: .*|\\s*Suppressed: .*)$");

  private final Set<String> enabled;
  private final Map<String, String> literals = new LinkedHashMap<>();
  private final Map<Integer, String> ports = new LinkedHashMap<>();

  /**
   * @param names the normalisers to apply: a subset of {@link #ALL}, or "all" or "none"
   */
  OutputNormaliser(List<String> names) {
    Set<String> on = new LinkedHashSet<>();
    for (String n : names) {
      String name = n.trim();
      if (name.isEmpty() || name.equals("none")) {
        continue;
      }
      if (name.equals("all")) {
        on.addAll(ALL);
      } else if (ALL.contains(name)) {
        on.add(name);
      } else {
        throw new IllegalArgumentException("unknown normaliser " + name + "; known: " + ALL
            + ", all, none");
      }
    }
    this.enabled = on;
  }

  boolean has(String name) {
    return enabled.contains(name);
  }

  /** A port to name (the server's, a client's), with the {@code ports} normaliser. */
  OutputNormaliser port(int port, String name) {
    ports.put(port, "<" + name + " port>");
    return this;
  }

  /** A path to name ({@code <tmp>}, {@code <cwd>}, a client's path), with {@code paths}. */
  OutputNormaliser path(String path, String name) {
    if (!path.isEmpty()) {
      literals.put(path, "<" + name + ">");
    }
    return this;
  }

  /** The bytes a client received: the HTTP header normalisers only. */
  byte[] received(byte[] data) {
    if (!has("http-date") && !has("http-server")) {
      return data;
    }
    String text = new String(data, StandardCharsets.ISO_8859_1);
    String out = http(text);
    return out.equals(text) ? data : out.getBytes(StandardCharsets.ISO_8859_1);
  }

  private String http(String text) {
    String out = text;
    if (has("http-date")) {
      out = HTTP_DATE.matcher(out).replaceAll("$1<date>");
    }
    if (has("http-server")) {
      out = HTTP_SERVER.matcher(out).replaceAll("$1<server>");
    }
    return out;
  }

  /** A line of a client's record, or of a server's output. */
  String text(String line) {
    String out = line;
    if (has("threads")) {
      out = THREADS.matcher(out).replaceAll("<thread>"); // before ports: a name holds a port
    }
    if (has("timestamps")) {
      for (Pattern p : TIMESTAMPS) {
        out = p.matcher(out).replaceAll("<time>");
      }
    }
    if (has("paths")) {
      // Longest first, so a client path inside the tmp directory keeps its own name.
      List<Map.Entry<String, String>> byLength = new ArrayList<>(literals.entrySet());
      byLength.sort((a, b) -> b.getKey().length() - a.getKey().length());
      for (Map.Entry<String, String> e : byLength) {
        out = out.replace(e.getKey(), e.getValue());
      }
    }
    if (has("ports")) {
      for (Map.Entry<Integer, String> e : ports.entrySet()) {
        out = out.replaceAll("(?<!\\d)" + e.getKey() + "(?!\\d)", Matcher.quoteReplacement(e.getValue()));
      }
      out = ADDRESS_PORT.matcher(out).replaceAll("$1<port>");
    }
    return out;
  }

  /** A server's stdout or stderr: lines dropped or folded, then each line normalised. */
  List<String> lines(List<String> raw) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      String line = raw.get(i);
      if (has("jvm-noise") && (line.startsWith("SLF4J") || line.startsWith("WARNING: "))) {
        continue;
      }
      if (has("tracebacks") && PY_TRACEBACK_START.matcher(line).find()) {
        int j = i + 1;
        while (j < raw.size() && PY_TRACEBACK_BODY.matcher(raw.get(j)).matches()) {
          j++;
        }
        // j is the exception line ("ValueError: boom"), which ends the traceback.
        kept.add("<traceback>");
        i = Math.min(j, raw.size() - 1);
        continue;
      }
      if (has("tracebacks") && JAVA_EXCEPTION.matcher(line).matches() && i + 1 < raw.size()
          && JAVA_TRACE.matcher(raw.get(i + 1)).matches()) {
        int j = i + 1;
        while (j < raw.size() && (JAVA_TRACE.matcher(raw.get(j)).matches())) {
          j++;
        }
        kept.add("<traceback>");
        i = j - 1;
        continue;
      }
      kept.add(text(has("http-date") || has("http-server") ? http(line) : line));
    }
    return kept;
  }
}
