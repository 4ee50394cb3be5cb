package io.github.socketserver4j.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A main class of the test class path in a JVM of its own, with its stdout and stderr collected
 * line by line: for behaviour that needs a process (signals, the class path without an SLF4J
 * backend).
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final List<String> out = Collections.synchronizedList(new ArrayList<>());
  private final List<String> err = Collections.synchronizedList(new ArrayList<>());
  private final Thread outPump;
  private final Thread errPump;

  private ChildJvm(Process process) {
    this.process = process;
    this.outPump = pump(process.getInputStream(), out, "child stdout");
    this.errPump = pump(process.getErrorStream(), err, "child stderr");
  }

  /**
   * Starts {@code main} with this JVM's class path less the entries {@code dropFromClasspath}
   * matches.
   */
  public static ChildJvm start(Class<?> main, Predicate<String> dropFromClasspath, String... args)
      throws IOException {
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(dropFromClasspath.negate())
        .collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", classpath, main.getName()));
    command.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(command).start());
  }

  private static Thread pump(InputStream in, List<String> into, String name) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (into) {
            into.add(line);
            into.notifyAll();
          }
        }
      } catch (IOException e) {
        // The process ended.
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  public Process process() {
    return process;
  }

  /** Waits, at most {@link TestRules#waitBound()}, for a stdout line that matches; returns it. */
  public String awaitOut(Predicate<String> line) throws InterruptedException {
    return await(out, line, "stdout");
  }

  /** Waits, at most {@link TestRules#waitBound()}, for a stderr line that matches; returns it. */
  public String awaitErr(Predicate<String> line) throws InterruptedException {
    return await(err, line, "stderr");
  }

  private String await(List<String> lines, Predicate<String> match, String which)
      throws InterruptedException {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    synchronized (lines) {
      while (true) {
        for (String l : lines) {
          if (match.test(l)) {
            return l;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no such line on the child's " + which + " in time; stdout:\n"
              + String.join("\n", out) + "\nstderr:\n" + String.join("\n", err));
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /** Waits for the process to exit, at most {@link TestRules#waitBound()}; returns its status. */
  public int awaitExit() throws InterruptedException {
    if (!process.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the child did not exit in time; stdout:\n" + String.join("\n", out)
          + "\nstderr:\n" + String.join("\n", err));
    }
    outPump.join(TestRules.waitBound().toMillis());
    errPump.join(TestRules.waitBound().toMillis());
    return process.exitValue();
  }

  public List<String> stdout() {
    synchronized (out) {
      return new ArrayList<>(out);
    }
  }

  public List<String> stderr() {
    synchronized (err) {
      return new ArrayList<>(err);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
