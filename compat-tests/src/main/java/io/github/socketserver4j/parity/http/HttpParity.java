package io.github.socketserver4j.parity.http;

import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.http.HTTPServer;
import io.github.socketserver4j.http.SimpleHTTPRequestHandler;
import io.github.socketserver4j.http.ThreadingHTTPServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * HTTP parity: the same raw request bytes go to live CPython 3.13 ({@code python -m http.server},
 * with {@code -p HTTP/1.0} and {@code -p HTTP/1.1}, and {@code handlers.py}, test_httpservers'
 * handler) and to socketserver4j's port ({@link SimpleHTTPRequestHandler} on a {@link
 * ThreadingHTTPServer}, and {@link ParityHandler} on an {@link HTTPServer}), both serving the tree
 * {@link ParityTree} makes; the answers are compared byte for byte after normalising the values of
 * {@code Date} (the clock) and {@code Server} (CPython's says {@code Python/3.13.0}, the port's
 * {@code Java/...}). Nothing else is normalised: the tree's times are fixed, so {@code
 * Last-Modified} and {@code If-Modified-Since} answers compare as sent.
 *
 * <p>Run it with {@code java ... io.github.socketserver4j.parity.http.HttpParity [python3.13]}; it
 * prints one line per scenario and ends with the counts, exiting 1 on a mismatch.
 */
public final class HttpParity {
  private HttpParity() {}

  /** One scenario of {@code parity-http/scenarios.txt}. */
  public record Scenario(String name, String target, byte[] request, String deviation) {}

  /** Both answers to one scenario. */
  public record Outcome(Scenario scenario, String python, String java) {
    /** Whether the normalised answers are equal. */
    public boolean matches() {
      return python.equals(java);
    }
  }

  private static final Pattern DATE = Pattern.compile("(?m)^Date: [^\r\n]*");
  private static final Pattern SERVER = Pattern.compile("(?m)^Server: [^\r\n]*");

  /** The Python to compare with: the argument, pyenv's 3.13, or python3.13 on the PATH. */
  public static Path findPython(String explicit) {
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    List<Path> roots = new ArrayList<>();
    String pyenvRoot = System.getenv("PYENV_ROOT");
    roots.add(Path.of(pyenvRoot != null ? pyenvRoot : System.getProperty("user.home") + "/.pyenv"));
    for (Path root : roots) {
      Path versions = root.resolve("versions");
      if (Files.isDirectory(versions)) {
        try (var list = Files.list(versions)) {
          for (Path v : list.sorted().toList()) {
            Path exe = v.resolve("bin/python3.13");
            if (v.getFileName().toString().startsWith("3.13.") && Files.isExecutable(exe)) {
              return exe;
            }
          }
        } catch (IOException e) {
          // try the PATH
        }
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path exe = Path.of(dir, "python3.13");
      if (Files.isExecutable(exe) && !dir.contains("shims")) {
        return exe;
      }
    }
    throw new IllegalStateException(
        "HTTP parity needs CPython 3.13: install it with pyenv (versions/3.13.*/bin/python3.13)"
            + " or put python3.13 on the PATH, or pass its path");
  }

  /** Runs every scenario against both sides. */
  public static List<Outcome> run(Path python, Path work) throws Exception {
    List<Scenario> scenarios = Scenarios.load();
    Path tree = ParityTree.create(work);
    Path script = work.resolve("handlers.py");
    try (InputStream in = HttpParity.class.getResourceAsStream("/parity-http/handlers.py")) {
      Files.write(script, in.readAllBytes());
    }
    Map<String, PythonServer> pythons = new LinkedHashMap<>();
    Map<String, Served> javas = new LinkedHashMap<>();
    try {
      pythons.put("simple10", PythonServer.start(python, work, "simple10",
          "-u", "-m", "http.server", "-b", "127.0.0.1", "-d", tree.toString(), "0"));
      pythons.put("simple11", PythonServer.start(python, work, "simple11",
          "-u", "-m", "http.server", "-p", "HTTP/1.1", "-b", "127.0.0.1", "-d", tree.toString(), "0"));
      pythons.put("custom", PythonServer.start(python, work, "custom", "-u", script.toString()));
      javas.put("simple10", new Served(new ThreadingHTTPServer(local(), () -> new Quiet(tree, "HTTP/1.0"))));
      javas.put("simple11", new Served(new ThreadingHTTPServer(local(), () -> new Quiet(tree, "HTTP/1.1"))));
      javas.put("custom", new Served(new HTTPServer(local(), ParityHandler::new)));
      List<Outcome> outcomes = new ArrayList<>();
      for (Scenario s : scenarios) {
        String p = exchange(pythons.get(s.target()).port, s.request());
        String j = exchange(javas.get(s.target()).port(), s.request());
        outcomes.add(new Outcome(s, p, j));
      }
      return outcomes;
    } finally {
      pythons.values().forEach(PythonServer::close);
      for (Served s : javas.values()) {
        s.close();
      }
    }
  }

  private static InetSocketAddress local() {
    return new InetSocketAddress("127.0.0.1", 0);
  }

  /** The port's SimpleHTTPRequestHandler with the command's -p, logging nothing. */
  private static final class Quiet extends SimpleHTTPRequestHandler {
    private final String protocol;

    Quiet(Path tree, String protocol) {
      super(tree);
      this.protocol = protocol;
    }

    @Override
    public String protocolVersion() {
      return protocol;
    }

    @Override
    public void logMessage(String format, Object... args) {}
  }

  /** A Java server serving in a background thread. */
  private static final class Served implements AutoCloseable {
    final BaseServer server;
    final Thread loop;

    Served(BaseServer server) {
      this.server = server;
      this.loop = new Thread(server::serveForever, "parity-" + server.getClass().getSimpleName());
      loop.setDaemon(true);
      loop.start();
    }

    int port() {
      return ((InetSocketAddress) server.serverAddress()).getPort();
    }

    @Override
    public void close() throws InterruptedException {
      server.shutdown();
      loop.join(10_000);
      server.serverClose();
    }
  }

  /** Sends {@code request} and reads until the server closes (or 10 s of silence). */
  static String exchange(int port, byte[] request) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    String end = "";
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        got.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      end = "<no end of stream within 10 s>";
    } catch (SocketException e) {
      end = "<" + e.getMessage() + ">";
    }
    String text = new String(got.toByteArray(), StandardCharsets.ISO_8859_1);
    text = DATE.matcher(text).replaceAll("Date: <normalised>");
    text = SERVER.matcher(text).replaceAll("Server: <normalised>");
    return text + end;
  }

  /** Prints the table; exits 1 if any scenario mismatches without a declared deviation. */
  public static void main(String[] args) throws Exception {
    Path python = findPython(args.length > 0 ? args[0] : null);
    Path work = Files.createTempDirectory("http-parity");
    List<Outcome> outcomes = run(python, work);
    int match = 0;
    int deviations = 0;
    int mismatches = 0;
    for (Outcome o : outcomes) {
      String verdict;
      if (o.matches()) {
        verdict = "match";
        match++;
      } else if (o.scenario().deviation() != null) {
        verdict = "deviation: " + o.scenario().deviation();
        deviations++;
      } else {
        verdict = "MISMATCH";
        mismatches++;
      }
      System.out.printf("%-40s %-9s %s%n", o.scenario().name(), o.scenario().target(), verdict);
      if (verdict.equals("MISMATCH")) {
        System.out.println("  python: " + abbreviate(o.python()));
        System.out.println("  java:   " + abbreviate(o.java()));
      }
    }
    System.out.printf("%d scenarios, %d match, %d documented deviations, %d mismatches%n",
        outcomes.size(), match, deviations, mismatches);
    System.exit(mismatches == 0 ? 0 : 1);
  }

  static String abbreviate(String s) {
    String escaped = s.replace("\r", "\\r").replace("\n", "\\n");
    return escaped.length() > 600 ? escaped.substring(0, 600) + "..." : escaped;
  }
}
