package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7, file-descriptor exhaustion: {@link FdExhaustionServer} runs in a child JVM under
 * {@code ulimit -n 128} and gets 200 connections that stay open.
 *
 * <p>CPython's {@code _handle_request_noblock} swallows accept's {@code OSError} (EMFILE) and its
 * loop selects again at once, spinning. Here the transport waits 100 ms before the next accept and
 * logs one WARN, then at most one every 10 s (OnDemandSocket.readFailed). Asserted: the child's CPU
 * (/proc/&lt;pid&gt;/stat utime + stime) stays low while it is out of descriptors, exactly one
 * warning is logged in that time, and once the clients close, a new client is served.
 */
class FdExhaustionTest {
  static final int CLIENTS = 200;
  static final long WINDOW_SECONDS = 3;
  static final String WARNING = "failed; retrying every 100 ms";

  static List<String> transports() {
    return Transports.available();
  }

  /** utime + stime of a process, in clock ticks (1/100 s on Linux). */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat(5)
  }

  static long countMatching(List<String> lines, String text) {
    return lines.stream().filter(l -> l.contains(text)).count();
  }

  static void pause(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      LockSupport.parkNanos(end - System.nanoTime()); // the measurement window itself
    }
  }

  static void awaitLine(List<String> lines, String text) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos() * 2;
    while (countMatching(lines, text) == 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the child never logged '" + text + "'; stderr: " + lines);
      }
      LockSupport.parkNanos(10_000_000);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 7: out of file descriptors (ulimit -n 128, 200 clients): no spin, one warning, serves again after")
  void outOfFileDescriptors(String transport) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -n 128 && exec \"$@\"", "bash"));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.add("-D" + Transports.TRANSPORT_PROPERTY + "=" + transport);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), FdExhaustionServer.class.getName()));
    Process child = new ProcessBuilder(command).start();
    List<String> stderr = new CopyOnWriteArrayList<>();
    Thread errReader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          stderr.add(line);
        }
      } catch (IOException e) {
        // the child ended
      }
    }, "child-stderr");
    errReader.setDaemon(true);
    errReader.start();
    List<Client> clients = new ArrayList<>();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String first = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          return String.valueOf(e);
        }
      }).get(TestRules.waitBound().toMillis() * 3, TimeUnit.MILLISECONDS);
      assertTrue(first != null && first.startsWith("PORT "), "child said " + first + "; stderr: " + stderr);
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(first.substring(5)));
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(Client.connect(address)); // all complete: the backlog is 512
      }
      awaitLine(stderr, WARNING);
      pause(500_000_000L); // let the child settle into its retry rhythm
      long warningsBefore = countMatching(stderr, WARNING);
      long ticks0 = cpuTicks(child.pid());
      long wall0 = System.nanoTime();
      pause(WINDOW_SECONDS * 1_000_000_000L);
      long ticks = cpuTicks(child.pid()) - ticks0;
      double seconds = (System.nanoTime() - wall0) / 1e9;
      double share = ticks / 100.0 / seconds;
      long warns = stderr.stream().filter(l -> l.contains(" WARN ")).count();
      System.out.printf(
          "%s: out of fds for %.1f s: child CPU %d ticks = %.1f%% of one core; %d WARN lines (%d of them the accept warning)%n",
          transport, seconds, ticks, share * 100, warns, countMatching(stderr, WARNING));
      assertEquals(1, warningsBefore, "one warning, not a flood: " + stderr);
      assertEquals(1, countMatching(stderr, WARNING), "warnings within 10 s: " + stderr);
      assertTrue(share < 0.2, "the child spins: " + (share * 100) + "% of a core");
      for (Client c : clients) {
        c.close();
      }
      clients.clear();
      // The handlers read end of stream and free their descriptors; the backlog drains.
      try (Client again = Client.connect(address)) {
        assertEquals("again\n", again.send("again\n").readLine(), "served again; stderr: " + stderr);
      }
    } finally {
      for (Client c : clients) {
        c.close();
      }
      child.getOutputStream().close(); // end of input: the child shuts down
      if (!child.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS)) {
        child.destroyForcibly();
        child.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    assertEquals(0, child.exitValue(), "child exit; stderr: " + stderr);
  }
}
