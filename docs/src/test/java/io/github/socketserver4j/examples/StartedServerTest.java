package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.DrainResult;
import io.github.socketserver4j.RunningServer;
import io.github.socketserver4j.testing.ChildJvm;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The start() example: serve without blocking, close with a deadline; main may return. */
class StartedServerTest {
  private static final Pattern SERVING = Pattern.compile("serving on /127\\.0\\.0\\.1:(\\d+) over (epoll|nio)");

  @Test
  @DisplayName("start() serves at once; stop() drains: an open conversation is cut, a closed one is not counted")
  void startThenStop() throws Exception {
    RunningServer running = StartedServer.start(new InetSocketAddress("127.0.0.1", 0));
    try (Client client = Client.connect(running.serverAddress())) {
      assertEquals("hi\n", client.send("hi\n").readLine());
      CompletableFuture<Optional<DrainResult>> stopped =
          CompletableFuture.supplyAsync(() -> StartedServer.stop(running, Duration.ofMillis(200)));
      assertEquals(
          Optional.of(new DrainResult(0, 1, 0)),
          stopped.get(TestRules.waitBound().toMillis() + 200, TimeUnit.MILLISECONDS),
          "the open conversation is cut at the deadline");
      assertTrue(client.seesEndOfStream(TestRules.waitBound()));
    }
    running.closeFuture().get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  @DisplayName("main returns and the non-daemon serving thread keeps the JVM serving until SIGTERM")
  void mainReturnsAndTheServerKeepsTheJvmAlive() throws Exception {
    try (ChildJvm child = ChildJvm.start(StartedServer.class, entry -> false, "0")) {
      Matcher serving = SERVING.matcher(child.awaitOut(l -> SERVING.matcher(l).matches()));
      assertTrue(serving.matches());
      child.awaitOut(l -> l.equals("main returned"));
      int port = Integer.parseInt(serving.group(1));
      try (Client client = Client.connect(new InetSocketAddress("127.0.0.1", port))) {
        assertEquals("still here\n", client.send("still here\n").readLine());
      }
      assertTrue(child.process().isAlive());
      // SIGTERM, as Process.destroy() sends, without closing our ends of the child's stdout and
      // stderr (Process.destroy() does): the shutdown hook closes the server and says so.
      child.process().toHandle().destroy();
      child.awaitExit();
      assertTrue(child.stdout().contains("closed"), child.stdout() + "\n" + child.stderr());
      assertTrue(
          child.stdout().stream().anyMatch(l -> l.endsWith("were cut at the deadline")),
          child.stdout().toString());
    }
  }
}
