package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Porter mode (docs/parity.md): runs a user's own Python server script and the Java port of it
 * (a main class), one after the other, runs the same client steps against each, and prints the
 * difference in what the clients saw: every byte, and how each connection ended.
 *
 * <p>Both programs listen where they like (port 0 is best) and print their bound address as the
 * first line of stdout: Python's {@code print(server.server_address, flush=True)} prints {@code
 * ('127.0.0.1', 40123)}, Java's {@code System.out.println(server.serverAddress())} prints {@code
 * /127.0.0.1:40123}; both forms are understood. Each is stopped (killed) after the client steps.
 */
final class PorterMode {
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})\\D+?(\\d{1,5})\\D*$");

  private PorterMode() {}

  static final String USAGE = """
      porter mode: --porter --python-script server.py --java-main com.example.Main \\
          --scenario clients.json [--python /path/python3] [--java-classpath CP]
      Both programs print their bound address as their first line of stdout.""";

  static void main(String[] args) throws Exception {
    String script = null;
    String javaMain = null;
    String scenario = null;
    String python = "python3";
    String classpath = System.getProperty("java.class.path");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--python-script" -> script = args[++i];
        case "--java-main" -> javaMain = args[++i];
        case "--scenario" -> scenario = args[++i];
        case "--python" -> python = args[++i];
        case "--java-classpath" -> classpath = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
      }
    }
    if (script == null || javaMain == null || scenario == null) {
      throw new IllegalArgumentException(USAGE);
    }
    Scenario sc = Scenario.load(Paths.get(scenario));
    Path javaBin = Paths.get(System.getProperty("java.home"), "bin", "java");
    ObjectNode py = run(sc, List.of(python, "-u", script));
    ObjectNode java = run(sc, List.of(javaBin.toString(), "-cp", classpath, javaMain));
    List<String> diff = Comparison.diff(py, java, "");
    System.out.println("Python (" + script + ") vs Java (" + javaMain + "), scenario " + sc.id());
    if (diff.isEmpty()) {
      System.out.println(Json.pretty(py));
      System.out.println("The clients saw the same from both servers.");
      return;
    }
    diff.forEach(System.out::println);
    throw new IllegalStateException("the clients saw different things; see above (left: Python)");
  }

  /** Starts one server program, runs the clients against it, stops it; returns what they saw. */
  static ObjectNode run(Scenario sc, List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BlockingQueue<String> first = new ArrayBlockingQueue<>(1);
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line = r.readLine();
          first.offer(line == null ? "" : line);
          while (r.readLine() != null) {
            // Drain the rest so the program never blocks on a full pipe.
          }
        } catch (IOException e) {
          first.offer("");
        }
      }, "porter-stdout");
      reader.setDaemon(true);
      reader.start();
      String line = first.poll(30, TimeUnit.SECONDS);
      Matcher m = HOST_PORT.matcher(line == null ? "" : line.trim());
      if (!m.find()) {
        throw new IllegalStateException(command + " did not print its address as its first line"
            + " (got: " + line + "); see " + USAGE);
      }
      InetSocketAddress address = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
      ClientRunner.Outcome out = new ClientRunner(sc, address, PorterMode::noServerCommands).run();
      ObjectNode result = Json.object();
      ObjectNode clients = result.putObject("clients");
      out.records().forEach((k, v) -> v.forEach(clients.putArray(k)::add));
      List<String> failures = new ArrayList<>(out.failures());
      if (!failures.isEmpty()) {
        failures.forEach(result.putArray("expectation_failures")::add);
      }
      return result;
    } finally {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  private static JsonNode noServerCommands(ObjectNode msg) {
    throw new IllegalArgumentException("porter scenarios have client steps only; \"server\" steps"
        + " need the parity drivers (" + msg + ")");
  }
}
