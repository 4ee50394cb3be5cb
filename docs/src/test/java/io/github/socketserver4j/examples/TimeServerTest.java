package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs {@link TimeServer}: {@code handleRequest()} with {@code timeout()} and {@code handleTimeout()}. */
class TimeServerTest {
  private static final Duration TIMEOUT = Duration.ofMillis(200);

  @Test
  @DisplayName("handle_request: serves the waiting client, then times out idleLimit times in a row")
  void servesAClientThenStopsAfterTwoTimeouts() throws Exception {
    try (TimeServer server = new TimeServer(anyLoopbackPort(), TIMEOUT, 2);
        Client client = Client.connect(server.serverAddress())) {
      // The connection waits in the listen backlog until handleRequest() takes it.
      Instant before = Instant.now();
      long started = System.nanoTime();
      Thread serving = new Thread(server::serveUntilIdle, "serveUntilIdle");
      serving.start();

      Instant told = Instant.parse(client.readLine().strip());
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "one line, then the server closes");
      Instant after = Instant.now();
      assertFalse(told.isBefore(before) || told.isAfter(after), told + " not in " + before + ".." + after);

      serving.join(TestRules.waitBound().toMillis());
      assertFalse(serving.isAlive(), "serveUntilIdle() did not return");
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      // Two timeouts after the request; one more if the accept was slower than the first wait.
      assertTrue(server.timeouts() >= 2, server.timeouts() + " timeouts");
      // handleTimeout() runs only once a whole timeout has passed without a client.
      assertTrue(took.compareTo(TIMEOUT.multipliedBy(2)) >= 0, "returned after only " + took);
    }
  }
}
