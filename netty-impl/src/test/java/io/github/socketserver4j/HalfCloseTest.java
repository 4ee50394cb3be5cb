package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Half-close and the end of a request (spec 1.5 {@code shutdown_request}, 1.10): a client's {@code
 * shutdown(SHUT_WR)} reads as end of stream while {@code wfile} keeps working, and the server's
 * {@code shutdown_request} sends FIN only after every byte written, so nothing queued is dropped.
 */
class HalfCloseTest {
  static final Duration BOUND = TestRules.timeout(Duration.ofSeconds(30));

  /** A TCPServer that records handled errors instead of only logging them. */
  static final class Server extends TCPServer {
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    Server(RequestHandlerFactory factory) throws IOException {
      super(anyLoopbackPort(), factory);
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      errors.add(currentException().orElseThrow());
    }
  }

  /** Reads lines to end of stream, then replies with them upper-cased and a count. */
  static final class UpperToEnd extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      ByteArrayOutputStream lines = new ByteArrayOutputStream();
      int count = 0;
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        lines.write(line);
        count++;
      }
      String reply = lines.toString(StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT);
      wfile().write((reply + count + " lines\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  @DisplayName(
      "client shutdown(SHUT_WR): readline() returns b'' at the half-close, the reply"
          + " still goes out, then FIN")
  void halfClosedClientGetsFullReply() throws Exception {
    try (Server server = new Server(UpperToEnd::new);
        Client c = Client.connect(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      c.send("one\ntwo\nthree\n").shutdownOutput();
      assertEquals("ONE\nTWO\nTHREE\n3 lines\n", c.readAllText()); // reads through to the FIN
      call.join();
      assertEquals(List.of(), server.errors);
    }
  }

  /**
   * A reply larger than the socket buffers needs EPOLLOUT after the end of input. Unpatched, Netty
   * 4.2.18's epoll transport failed that and shut the output down: the client got a truncated reply
   * (see EpollEmptyInterestFix).
   */
  @Test
  @DisplayName("client shutdown(SHUT_WR), then an 8 MiB reply: all of it arrives before FIN")
  void largeReplyAfterHalfClose() throws Exception {
    byte[] reply = new byte[8 * 1024 * 1024];
    for (int i = 0; i < reply.length; i++) {
      reply[i] = (byte) (i * 13 + (i >>> 10));
    }
    class ReplyAtEnd extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        while (rfile().readLine().length > 0) {
          // read to the client's half-close
        }
        wfile().write(reply);
      }
    }
    try (Server server = new Server(ReplyAtEnd::new);
        Client c = Client.connect(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      c.send("one\ntwo\n").shutdownOutput();
      assertArrayEquals(reply, c.readToEnd());
      call.join(BOUND);
      assertEquals(List.of(), server.errors);
    }
  }

  @Test
  @DisplayName(
      "a client that sends and half-closes before the server accepts it still gets its"
          + " reply (a synchronous server accepts queued clients late)")
  void halfClosedBeforeAccept() throws Exception {
    try (Server server = new Server(UpperToEnd::new);
        Client c = Client.connect(server.serverAddress())) {
      c.send("early\n").shutdownOutput(); // data and FIN wait in the kernel; nobody accepted yet
      try (Background call = Background.start("handle_request", server::handleRequest)) {
        assertEquals("EARLY\n1 lines\n", c.readAllText());
        call.join();
      }
      assertEquals(List.of(), server.errors);
    }
  }

  /**
   * The half-close races with the handler's reads: the bridge asks Netty for more data from the
   * handler's thread while the event loop is shutting the input down. Unpatched, Netty 4.2.18's
   * epoll transport closed the connection when such a read request came after the end of input (see
   * EpollEmptyInterestFix), and the reply was lost; several rounds make a race visible.
   */
  @Test
  @DisplayName(
      "client sends 1 MiB and half-closes at once, 10 times: every byte is read and every"
          + " reply arrives")
  void halfCloseRacingWithReads() throws Exception {
    byte[] data = new byte[1024 * 1024];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31 + (i >>> 16));
    }
    class Count extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        for (int r; (r = rfile().read(buf)) > 0; ) {
          n += r;
        }
        wfile().write((n + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
    try (Server server = new Server(Count::new)) {
      for (int round = 0; round < 10; round++) {
        try (Client c = Client.connect(server.serverAddress());
            Background call = Background.start("handle_request", server::handleRequest)) {
          c.send(data).shutdownOutput();
          assertEquals(data.length + "\n", c.readAllText(), "round " + round);
          call.join();
        }
      }
      assertEquals(List.of(), server.errors);
    }
  }

  @Test
  @DisplayName("an 8 MiB reply written just before handle() returns arrives whole before FIN")
  void largeReplyBeforeReturnIsNotDropped() throws Exception {
    byte[] reply = new byte[8 * 1024 * 1024];
    for (int i = 0; i < reply.length; i++) {
      reply[i] = (byte) (i * 31 + (i >>> 16));
    }
    class BigReply extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        rfile().readLine();
        wfile().write(reply); // returns once queued; the server then shuts and closes at once
      }
    }
    try (Server server = new Server(BigReply::new);
        Client c = Client.connect(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      c.send("send it\n");
      assertArrayEquals(reply, c.readToEnd());
      call.join(BOUND);
      assertEquals(List.of(), server.errors);
    }
  }

  @Test
  @DisplayName("wbufsize -1: a buffered 8 MiB reply is flushed by finish() and arrives whole")
  void bufferedReplyIsFlushedByFinish() throws Exception {
    byte[] reply = new byte[8 * 1024 * 1024];
    for (int i = 0; i < reply.length; i++) {
      reply[i] = (byte) (i * 7 + (i >>> 12));
    }
    class BufferedReply extends StreamRequestHandler {
      @Override
      public int wbufsize() {
        return -1;
      }

      @Override
      public void handle() throws IOException {
        rfile().readLine();
        wfile().write(reply, 0, 100); // stays in the 8 KiB buffer
        wfile().write(reply, 100, reply.length - 100);
        wfile().write("\n".getBytes(StandardCharsets.US_ASCII)); // still buffered at return
      }
    }
    byte[] expected = new byte[reply.length + 1];
    System.arraycopy(reply, 0, expected, 0, reply.length);
    expected[reply.length] = '\n';
    try (Server server = new Server(BufferedReply::new);
        Client c = Client.connect(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      c.send("send it\n");
      assertArrayEquals(expected, c.readToEnd());
      call.join(BOUND);
      assertEquals(List.of(), server.errors);
    }
  }
}
