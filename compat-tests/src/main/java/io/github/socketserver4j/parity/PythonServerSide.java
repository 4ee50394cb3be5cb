package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** CPython's side: {@code parity_server.py} in a child process of the interpreter under test. */
final class PythonServerSide implements ServerSide {
  /** Python's start-up on a loaded 2-core machine; generous, it only bounds a broken driver. */
  private static final long START_BOUND_MS = 20_000;

  private final Python python;
  private final List<String> command;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder stderr = new StringBuilder();
  private Process process;
  private OutputStream stdin;
  /**
   * A ForkingMixIn server's children are processes of their own; one still running at the end (a
   * handler that hangs, or block_on_close false) would outlive the driver. close() ends them.
   */
  private final List<ProcessHandle> children = new ArrayList<>();

  PythonServerSide(Python python, Path driver, Path scenarioFile, String serverClass, JsonNode address) {
    this.python = python;
    this.command = new ArrayList<>(List.of(
        python.executable().toString(), "-u", driver.toString(), scenarioFile.toString(),
        serverClass, Json.line(address)));
  }

  @Override
  public JsonNode start() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    process = pb.start();
    stdin = process.getOutputStream();
    pump(process.getInputStream(), true);
    pump(process.getErrorStream(), false);
    JsonNode first = next(START_BOUND_MS);
    if (first == null) {
      throw new IOException("the Python driver printed no start line within "
          + START_BOUND_MS / 1000 + " s; stderr:\n" + diagnostics());
    }
    return first;
  }

  private void pump(InputStream in, boolean out) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (out) {
            lines.add(line);
          } else {
            synchronized (stderr) {
              if (stderr.length() < 64 * 1024) {
                stderr.append(line).append('\n');
              }
            }
          }
        }
      } catch (IOException e) {
        // The process ended; nothing more to read.
      }
    }, "parity-python-" + (out ? "stdout" : "stderr"));
    t.setDaemon(true);
    t.start();
  }

  private JsonNode next(long boundMs) {
    try {
      String line = lines.poll(boundMs, TimeUnit.MILLISECONDS);
      return line == null ? null : Json.parse(line);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private JsonNode send(ObjectNode msg, long boundMs) {
    try {
      stdin.write((Json.line(msg) + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      return done(msg, "driver gone: " + e.getMessage());
    }
    JsonNode reply = next(boundMs);
    return reply != null ? reply : done(msg, "driver did not answer");
  }

  private static JsonNode done(ObjectNode msg, String result) {
    ObjectNode d = Json.object();
    d.put("event", "done");
    d.put("cmd", msg.path("cmd").asText());
    d.put("result", result);
    d.put("seconds", 0.0);
    return d;
  }

  @Override
  public JsonNode command(ObjectNode msg) {
    // The driver bounds the command itself; the margin covers a slow process.
    return send(msg, (long) (Json.number(msg, "bound", 3.0) * 1000) + 10_000);
  }

  @Override
  public JsonNode finish(double bound) {
    // The driver exits right after its transcript; its forked children are then no longer its
    // descendants, so they are noted now for close().
    children.addAll(process.descendants().toList());
    ObjectNode msg = Json.object();
    msg.put("cmd", "finish");
    msg.put("bound", bound);
    JsonNode t = send(msg, (long) (bound * 3000) + 10_000);
    if (!"transcript".equals(t.path("event").asText())) {
      throw new IllegalStateException(
          "the Python driver gave no transcript (" + t + "); stderr:\n" + diagnostics());
    }
    return t;
  }

  @Override
  public String describe() {
    return "CPython " + python.version();
  }

  @Override
  public String diagnostics() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    children.addAll(process.descendants().toList());
    try {
      stdin.close();
    } catch (IOException e) {
      // Already gone.
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
