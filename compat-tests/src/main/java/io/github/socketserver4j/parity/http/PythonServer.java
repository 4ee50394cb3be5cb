package io.github.socketserver4j.parity.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A live CPython server: started with port 0, its port read from its first line of output. */
final class PythonServer implements AutoCloseable {
  private static final Pattern PORT = Pattern.compile("(?:port )?(\\d+)");

  final Process process;
  final int port;

  private PythonServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static PythonServer start(Path python, Path work, String name, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(python.toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectError(work.resolve(name + ".stderr").toFile())
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null) {
      p.destroyForcibly();
      throw new IOException(python + " " + args[args.length - 1] + " exited before serving; see "
          + work.resolve(name + ".stderr"));
    }
    Matcher m = PORT.matcher(line.replaceFirst("^Serving HTTP on \\S+ ", ""));
    if (!m.find()) {
      p.destroyForcibly();
      throw new IOException("no port in the first line of " + name + ": " + line);
    }
    return new PythonServer(p, Integer.parseInt(m.group(1)));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
