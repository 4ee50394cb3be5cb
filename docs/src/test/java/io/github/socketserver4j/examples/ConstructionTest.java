package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs the two servers of {@link Construction}. */
class ConstructionTest {

  /** CPython's test handler: echo one line. */
  static class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  @Test
  @DisplayName("request_queue_size as a constant: the server binds, listens and serves")
  void constantBacklogServerServes() throws Exception {
    try (TCPServer server = new Construction.BigBacklogServer(anyLoopbackPort(), EchoLine::new)) {
      assertEquals(128, server.requestQueueSize());
      assertServesOneRequest(server);
    }
  }

  @Test
  @DisplayName("bind_and_activate=False, then serverBind() and serverActivate(): the server serves")
  void configuredServerBindsAfterItsFieldsAreSet() throws Exception {
    try (TCPServer server = new Construction.ConfiguredServer(anyLoopbackPort(), EchoLine::new, 64)) {
      assertEquals(64, server.requestQueueSize());
      assertNotEquals(0, ((InetSocketAddress) server.serverAddress()).getPort(), "bound to a port");
      assertServesOneRequest(server);
    }
  }

  @Test
  @DisplayName("bpo-22435 in the example: a failed bind closes the server, leaving no thread")
  void configuredServerClosesItselfWhenBindFails() throws Exception {
    try (TCPServer holder = new TCPServer(anyLoopbackPort(), EchoLine::new)) {
      Set<String> before = TestRules.serverThreads();
      assertThrows(
          BindException.class,
          () -> new Construction.ConfiguredServer(holder.serverAddress(), EchoLine::new, 64));
      TestRules.assertServerThreadsWithin(before);
    }
  }

  @Test
  @DisplayName("construction order: hooks that use a field work with bindAndActivate(); the direct form NPEs")
  void hooksThatReadFieldsRunAfterTheFieldsAreSet() throws Exception {
    java.util.List<String> audit = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (TCPServer server = new Construction.AuditedServer(anyLoopbackPort(), EchoLine::new, audit)) {
      assertEquals(java.util.List.of("listening on " + io.github.socketserver4j.Py.str(server.serverAddress())), audit);
      assertServesOneRequest(server);
    }
    assertEquals("closed", audit.get(audit.size() - 1));
    // The direct form: TCPServer's constructor calls serverActivate() before the field is set;
    // the NullPointerException leaves the constructor and the server is closed (bpo-22435).
    Set<String> before = TestRules.serverThreads();
    assertThrows(NullPointerException.class,
        () -> new Construction.NaiveAuditedServer(anyLoopbackPort(), EchoLine::new, audit));
    TestRules.assertServerThreadsWithin(before);
  }

  @Test
  @DisplayName("construction order: a failed bind calls serverClose() once, with the fields set")
  void failedBindClosesWithFieldsSet() throws Exception {
    java.util.List<String> audit = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (TCPServer holder = new TCPServer(anyLoopbackPort(), EchoLine::new)) {
      assertThrows(BindException.class,
          () -> new Construction.AuditedServer(holder.serverAddress(), EchoLine::new, audit));
    }
    assertEquals(java.util.List.of("closed"), audit);
  }

  /** One {@code handleRequest()} while a client sends a line: the line comes back. */
  private static void assertServesOneRequest(TCPServer server) throws Exception {
    try (Client client = Client.connect(server.serverAddress())) {
      client.send("hello world\n");
      Thread serving = new Thread(server::handleRequest, "handle_request");
      serving.start();
      assertEquals("hello world\n", client.readLine());
      serving.join(TestRules.waitBound().toMillis());
      assertFalse(serving.isAlive(), "handle_request did not return");
    }
  }
}
