package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code self.request} as a Python socket (issue 13): recv, recv_into, send, sendall,
 * shutdown(how), getpeername/getsockname, settimeout/gettimeout on real connections. Each
 * expected value is what python3 (3.13, Linux) gives for the same call on a real socket.
 */
class SocketCallsTest {

  /** The handler body under test, run on the request. */
  @FunctionalInterface
  interface Body {
    void run(StreamRequest request) throws Exception;
  }

  /** Serves one request with {@code body}; returns the server thread's Background. */
  private static TCPServer server(Body body) throws IOException {
    return new TCPServer(anyLoopbackPort(), () -> new BaseRequestHandler() {
      @Override
      public void handle() throws Exception {
        body.run((StreamRequest) request());
      }
    }) {
      @Override
      public void handleError(Request request, java.net.SocketAddress clientAddress) {
        throw new AssertionError("handler failed", currentException().orElseThrow());
      }
    };
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  @DisplayName("recv(n): what has arrived up to n; recv(0) is b''; b'' at EOF; negative raises ValueError")
  void recv() throws Exception {
    CountDownLatch sent = new CountDownLatch(1);
    try (TCPServer server = server(r -> {
      sent.await(10, TimeUnit.SECONDS);
      assertEquals("", text(r.recv(0)));
      assertThrows(IllegalArgumentException.class, () -> r.recv(-1),
          "negative buffersize in recv");
      byte[] first = r.recv(4); // b'hell': at most n
      assertEquals("hell", text(first));
      byte[] rest = r.recv(100); // b'o': what has arrived, not 100
      assertEquals("o", text(rest));
      assertEquals("", text(r.recv(100))); // the client half-closed: b''
      r.sendall("done".getBytes(StandardCharsets.US_ASCII));
    }); Client c = Client.connect(server.serverAddress())) {
      Background serving = Background.start("serving", server::handleRequest);
      c.send("hello").shutdownOutput();
      sent.countDown();
      assertEquals("done", c.readAllText());
      serving.join();
    }
  }

  @Test
  @DisplayName("recv_into(buf, n): the count, 0 at EOF; n larger than the buffer raises ValueError")
  void recvInto() throws Exception {
    try (TCPServer server = server(r -> {
      byte[] buffer = new byte[8];
      assertThrows(IllegalArgumentException.class, () -> r.recvInto(buffer, 9),
          "buffer too small for requested bytes");
      int n = r.recvInto(buffer, 3);
      assertEquals(3, n);
      assertEquals("abc", new String(buffer, 0, 3, StandardCharsets.US_ASCII));
      int all = 0;
      for (int got; (got = r.recvInto(buffer)) > 0; ) {
        all += got;
      }
      assertEquals(0, r.recvInto(buffer)); // EOF again: still 0
      r.send(String.valueOf(all).getBytes(StandardCharsets.US_ASCII));
    }); Client c = Client.connect(server.serverAddress())) {
      Background serving = Background.start("serving", server::handleRequest);
      c.send("abcdefghij").shutdownOutput();
      assertEquals("7", c.readAllText());
      serving.join();
    }
  }

  @Test
  @DisplayName("send returns len(data); sendall returns nothing; both deliver every byte")
  void sendAndSendall() throws Exception {
    byte[] big = new byte[1 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    try (TCPServer server = server(r -> {
      assertEquals(3, r.send("abc".getBytes(StandardCharsets.US_ASCII)));
      r.sendall(big);
    }); Client c = Client.connect(server.serverAddress())) {
      Background serving = Background.start("serving", server::handleRequest);
      assertEquals("abc", new String(c.readExactly(3), StandardCharsets.US_ASCII));
      assertArrayEquals(big, c.readToEnd());
      serving.join();
    }
  }

  @Test
  @DisplayName("shutdown(SHUT_RD): bytes received still read, then b'' at once; writing still works")
  void shutdownRead() throws Exception {
    CountDownLatch sent = new CountDownLatch(1);
    try (TCPServer server = server(r -> {
      sent.await(10, TimeUnit.SECONDS);
      // One segment of 7 bytes: the first recv brings all of it to the connection.
      assertEquals("p", text(r.recv(1)));
      r.shutdown(StreamRequest.SHUT_RD);
      r.shutdown(StreamRequest.SHUT_RD); // twice: no error, as on Linux
      r.settimeout(Duration.ofSeconds(30)); // a wait would show as a timeout, not a hang
      assertEquals("ending", text(r.recv(100)));
      assertEquals("", text(r.recv(100))); // Linux: b'' at once, the peer is still open
      r.sendall("still can send".getBytes(StandardCharsets.US_ASCII));
    }); Client c = Client.connect(server.serverAddress())) {
      Background serving = Background.start("serving", server::handleRequest);
      c.send("pending");
      sent.countDown();
      assertEquals("still can send", c.readAllText());
      serving.join();
    }
  }

  @Test
  @DisplayName("shutdown(SHUT_WR): the peer reads EOF, a later send raises BrokenPipeError; SHUT_RDWR; EINVAL")
  void shutdownWrite() throws Exception {
    try (TCPServer server = server(r -> {
      r.sendall("last".getBytes(StandardCharsets.US_ASCII));
      r.shutdown(StreamRequest.SHUT_WR);
      r.shutdown(StreamRequest.SHUT_WR); // twice: no error, as on Linux
      assertThrows(SocketException.class, () -> r.send("x".getBytes(StandardCharsets.US_ASCII)));
      SocketException invalid = assertThrows(SocketException.class, () -> r.shutdown(7));
      assertTrue(invalid.getMessage().contains("[Errno 22] Invalid argument"), invalid.getMessage());
      assertEquals("ping\n", text(r.openInputStream().readLine())); // reading still works
      r.shutdown(StreamRequest.SHUT_RDWR);
      assertEquals("", text(r.recv(10)));
    }); Client c = Client.connect(server.serverAddress())) {
      Background serving = Background.start("serving", server::handleRequest);
      assertEquals("last", c.readAllText()); // then EOF from SHUT_WR
      c.send("ping\n");
      serving.join();
    }
  }

  @Test
  @DisplayName("getpeername/getsockname are the two ends; settimeout(None)/gettimeout; a recv times out")
  void namesAndTimeouts() throws Exception {
    try (TCPServer server = server(r -> {
      InetSocketAddress peer = (InetSocketAddress) r.getpeername();
      assertEquals(r.remoteAddress(), peer);
      assertEquals(r.localAddress(), r.getsockname());
      assertEquals("127.0.0.1", ((InetSocketAddress) r.getsockname()).getHostString());
      assertEquals(Optional.empty(), r.gettimeout());
      r.settimeout(Duration.ofMillis(50));
      assertEquals(Optional.of(Duration.ofMillis(50)), r.gettimeout());
      assertThrows(SocketTimeoutException.class, () -> r.recv(10)); // TimeoutError: timed out
      r.settimeout(Duration.ZERO); // Python: non-blocking, BlockingIOError; here a timeout at once
      assertThrows(SocketTimeoutException.class, () -> r.recv(10));
      r.settimeout(null);
      assertEquals(Optional.empty(), r.gettimeout());
      r.sendall(String.valueOf(peer.getPort()).getBytes(StandardCharsets.US_ASCII));
    }); Client c = Client.connect(server.serverAddress())) {
      Background serving = Background.start("serving", server::handleRequest);
      assertEquals(String.valueOf(c.socket().getLocalPort()), c.readAllText());
      serving.join();
    }
  }

  @Test
  @DisplayName("calls on a closed request raise OSError")
  void closed() throws Exception {
    try (TCPServer server = server(r -> {
      r.close();
      assertThrows(SocketException.class, () -> r.recv(1));
      assertThrows(SocketException.class, () -> r.shutdown(StreamRequest.SHUT_RD));
      assertThrows(SocketException.class, () -> r.shutdown(StreamRequest.SHUT_WR));
      assertThrows(IOException.class, () -> r.sendall(new byte[1]));
    }); Client c = Client.connect(server.serverAddress())) {
      Background serving = Background.start("serving", server::handleRequest);
      assertEquals("", c.readAllText());
      serving.join();
    }
  }

  @Test
  @DisplayName("sendfile(file, offset, count): the bytes in order with the writes around them, the count sent, tell() after them")
  void sendfile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    byte[] data = new byte[100_000]; // more than one 64 KiB block
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7);
    }
    java.nio.file.Path path = java.nio.file.Files.write(dir.resolve("data.bin"), data);
    try (TCPServer server = server(r -> {
      try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(path)) {
        // Each expected count and position is what python3.13's socket.sendfile gave.
        assertEquals(100_000, r.sendfile(f, 0, Long.MAX_VALUE));
        assertEquals(100_000, f.position());
        r.sendall("|".getBytes(StandardCharsets.US_ASCII));
        assertEquals(10, r.sendfile(f, 99_990, 100)); // the file ends first
        assertEquals(100_000, f.position());
        assertEquals(3, r.sendfile(f, 5, 3));
        assertEquals(8, f.position());
        assertEquals(0, r.sendfile(f, 200_000, 10)); // past the end: nothing
        assertEquals(200_000, f.position());
        assertThrows(IllegalArgumentException.class, () -> r.sendfile(f, 0, 0),
            "count must be a positive integer (got 0)");
        assertThrows(SocketException.class, () -> r.sendfile(f, -1, 10),
            "[Errno 22] Invalid argument");
      }
    }); Client c = Client.connect(server.serverAddress())) {
      Background serving = Background.start("serving", server::handleRequest);
      byte[] got = c.readToEnd();
      serving.join();
      java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
      want.write(data);
      want.write('|');
      want.write(data, 99_990, 10);
      want.write(data, 5, 3);
      assertArrayEquals(want.toByteArray(), got);
    }
  }
}
