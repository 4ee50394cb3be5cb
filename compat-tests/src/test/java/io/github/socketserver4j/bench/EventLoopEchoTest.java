package io.github.socketserver4j.bench;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The benchmark's {@code eventloop-tcp} server (issue 6) echoes what CPython's stream echo ({@code
 * bench/echo_server.py}: {@code for line in self.rfile: self.wfile.write(line)}) echoes, and ends
 * the connection at the client's end of input as it does. The load client of the smoke pass only
 * checks whole lines and never half-closes; these cases cover the rest.
 */
@ExtendWith(TestRules.class)
class EventLoopEchoTest {

  /** Serves {@code body} on the benchmark's eventloop-tcp server, then shuts it down. */
  private static void withServer(ThrowingConsumer<ThreadingTCPServer> body) throws Exception {
    ThreadingTCPServer server =
        new EchoServers.BenchThreadingTCPServer(anyLoopbackPort(), EchoServers.EventLoopEcho::new);
    Thread t = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
    t.setDaemon(true);
    t.start();
    try {
      body.accept(server);
    } finally {
      server.shutdown();
      t.join(TestRules.waitBound().toMillis());
      server.serverClose();
    }
    assertFalse(t.isAlive(), "serve_forever did not return after shutdown()");
  }

  interface ThrowingConsumer<T> {
    void accept(T t) throws Exception;
  }

  @Test
  @DisplayName("issue 6: eventloop-tcp echoes lines and a final partial line, then EOF after SHUT_WR")
  void echoesEverythingThenClosesAtEndOfInput() throws Exception {
    // CPython 3.11, echo_server.py threading-tcp, checked by hand: sendall(b"one\ntwo\n\npartial"),
    // shutdown(SHUT_WR), then recv until b"" gives b'one\ntwo\n\npartial'.
    byte[] sent = "one\ntwo\n\npartial".getBytes(StandardCharsets.US_ASCII);
    withServer(
        server -> {
          try (Client c = Client.connect(server.serverAddress())) {
            c.send(sent).shutdownOutput();
            assertArrayEquals(sent, c.readToEnd());
          }
        });
  }

  @Test
  @DisplayName("issue 6: eventloop-tcp closes only after the whole echo is written")
  void closesOnlyAfterTheEchoIsWritten() throws Exception {
    // The client sends 16 MiB of lines and half-closes before reading anything, with a small
    // receive buffer: the server reads it all and meets end of input while most of the echo is
    // still queued in Netty (the kernel buffers hold a few MiB: tcp_wmem's maximum is 4 MiB
    // here). Closing then would drop the rest (a plain ctx.close() delivered 5 of 16 MiB); the
    // echo must arrive whole, then EOF.
    // (CPython's blocking echo would stop reading while its write blocks, so this client would
    // stall it; the expected value is the echo itself.)
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    for (int i = 0; lines.size() < 16 << 20; i++) {
      lines.writeBytes(String.format("%063d\n", i).getBytes(StandardCharsets.US_ASCII));
    }
    byte[] sent = lines.toByteArray();
    withServer(
        server -> {
          try (Socket s = new Socket()) {
            s.setReceiveBufferSize(8192);
            s.setSoTimeout((int) TestRules.waitBound().toMillis());
            s.connect(server.serverAddress(), (int) TestRules.waitBound().toMillis());
            s.getOutputStream().write(sent);
            s.shutdownOutput();
            byte[] echoed = s.getInputStream().readAllBytes();
            assertEquals(sent.length, echoed.length);
            assertArrayEquals(sent, echoed);
          }
        });
  }
}
