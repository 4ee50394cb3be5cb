package io.github.socketserver4j;

import static io.github.socketserver4j.SocketServerTest.TEST_STR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixDatagramClient;
import io.github.socketserver4j.testing.UnixPaths;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CPython's {@code SocketServerTest} for the other socket types (spec 2.2 tests 4, 5, 7, 8, 10,
 * 11) and the extra cases of spec 2.3 items 9, 10 and 13, each run over every transport the class
 * can use.
 */
class SocketTypesTest {

  static List<String> transports() {
    return Transports.available();
  }

  /** CPython's datagram {@code MyHandler}: echo the first line of the packet. */
  static final class EchoDatagram extends DatagramRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  /** CPython's run_server for any server and examine function. */
  interface Examine {
    void run(SocketAddress address) throws Exception;
  }

  static void runServer(TCPServer server, Examine examine) throws Exception {
    assertEquals(server.serverAddress(), server.socket().localAddress().orElseThrow());
    Thread t = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
    t.setDaemon(true);
    t.start();
    try {
      for (int i = 0; i < 3; i++) {
        examine.run(server.serverAddress());
      }
    } finally {
      server.shutdown();
      t.join(TestRules.waitBound().toMillis());
      assertFalse(t.isAlive(), "serve_forever did not return");
      server.serverClose();
    }
    assertEquals(-1, server.fileno());
  }

  /** CPython's stream_examine over a Unix stream socket. */
  static void unixStreamExamine(SocketAddress address) throws IOException {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(address);
      c.write(ByteBuffer.wrap(TEST_STR.getBytes(StandardCharsets.UTF_8)));
      assertEquals(TEST_STR, readLine(c));
    }
  }

  static String readLine(SocketChannel c) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    StringBuilder line = new StringBuilder();
    while (c.read(one.clear()) > 0) {
      line.append((char) one.get(0));
      if (one.get(0) == '\n') {
        break;
      }
    }
    return line.toString();
  }

  /** CPython's dgram_examine over UDP. */
  static void udpExamine(SocketAddress address) throws IOException {
    assertArrayEquals(TEST_STR.getBytes(StandardCharsets.UTF_8), udpRoundTrip(address, TEST_STR.getBytes(StandardCharsets.UTF_8)));
  }

  static byte[] udpRoundTrip(SocketAddress address, byte[] payload) throws IOException {
    try (DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      c.setSoTimeout((int) TestRules.waitBound().toMillis());
      c.send(new DatagramPacket(payload, payload.length, address));
      byte[] buf = new byte[65536];
      DatagramPacket reply = new DatagramPacket(buf, buf.length);
      c.receive(reply);
      return java.util.Arrays.copyOf(buf, reply.getLength());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("test_UnixStreamServer")
  void unixStreamServer(String transport) throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      Transports.with(transport, () -> {
        runServer(new UnixStreamServer(paths.next(), SocketServerTest.EchoLine::new), SocketTypesTest::unixStreamExamine);
        return null;
      });
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("test_ThreadingUnixStreamServer")
  void threadingUnixStreamServer(String transport) throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      Transports.with(transport, () -> {
        runServer(new ThreadingUnixStreamServer(paths.next(), SocketServerTest.EchoLine::new), SocketTypesTest::unixStreamExamine);
        return null;
      });
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("test_UDPServer")
  void udpServer(String transport) throws Exception {
    Transports.with(transport, () -> {
      runServer(new UDPServer(new InetSocketAddress("127.0.0.1", 0), EchoDatagram::new), SocketTypesTest::udpExamine);
      return null;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("test_ThreadingUDPServer")
  void threadingUdpServer(String transport) throws Exception {
    Transports.with(transport, () -> {
      runServer(new ThreadingUDPServer(new InetSocketAddress("127.0.0.1", 0), EchoDatagram::new), SocketTypesTest::udpExamine);
      return null;
    });
  }

  static void unixDgramExamine(UnixPaths paths, SocketAddress address) throws Exception {
    try (UnixDatagramClient c = new UnixDatagramClient(paths.next())) {
      c.send(TEST_STR.getBytes(StandardCharsets.UTF_8), (UnixDomainSocketAddress) address);
      assertArrayEquals(TEST_STR.getBytes(StandardCharsets.UTF_8), c.receive());
    }
  }

  @Test
  @DisplayName("test_UnixDatagramServer (epoll)")
  void unixDatagramServer() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "Unix datagrams need epoll");
    try (UnixPaths paths = new UnixPaths()) {
      runServer(new UnixDatagramServer(paths.next(), EchoDatagram::new), a -> unixDgramExamine(paths, a));
    }
  }

  @Test
  @DisplayName("test_ThreadingUnixDatagramServer (epoll)")
  void threadingUnixDatagramServer() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "Unix datagrams need epoll");
    try (UnixPaths paths = new UnixPaths()) {
      runServer(new ThreadingUnixDatagramServer(paths.next(), EchoDatagram::new), a -> unixDgramExamine(paths, a));
    }
  }

  @Test
  @DisplayName("UnixDatagramServer on NIO: UnsupportedOperationException saying it needs epoll")
  void unixDatagramNeedsEpoll() throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      UnsupportedOperationException e = Transports.with("nio", () ->
          assertThrows(UnsupportedOperationException.class, () -> new UnixDatagramServer(paths.next(), EchoDatagram::new)));
      assertTrue(e.getMessage().contains("epoll"), e.getMessage());
      assertEquals(0, Files.list(paths.dir()).count(), "nothing was created");
    }
  }

  // ---- spec 2.3 item 9: the datagram reply is unconditional ----

  /** Records handleError calls, the ValueError analogue of CPython's check. */
  static class RecordingUDPServer extends UDPServer {
    final List<String> errors = new CopyOnWriteArrayList<>();
    final java.util.concurrent.CountDownLatch handled = new java.util.concurrent.CountDownLatch(1);

    RecordingUDPServer(SocketAddress a, RequestHandlerFactory f) throws IOException {
      super(a, f);
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      errors.add(currentException().map(t -> t.getClass().getSimpleName() + ": " + t.getMessage()).orElse("?"));
      handled.countDown();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("spec 2.3 #9: a handler that writes nothing still sends a 0-byte datagram")
  void zeroByteReply(String transport) throws Exception {
    Transports.with(transport, () -> {
      try (UDPServer server = new UDPServer(new InetSocketAddress("127.0.0.1", 0), DatagramRequestHandler::new)) {
        Thread t = serveOne(server);
        assertEquals(0, udpRoundTrip(server.serverAddress(), "x".getBytes(StandardCharsets.UTF_8)).length);
        t.join(TestRules.waitBound().toMillis());
      }
      return null;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("spec 2.3 #9: write then throw: the client gets the partial reply, then handleError runs")
  void partialReplyThenError(String transport) throws Exception {
    Transports.with(transport, () -> {
      try (RecordingUDPServer server = new RecordingUDPServer(new InetSocketAddress("127.0.0.1", 0), () -> new DatagramRequestHandler() {
        @Override
        public void handle() throws IOException {
          wfile().write("partial".getBytes(StandardCharsets.UTF_8));
          throw new IllegalStateException("boom");
        }
      })) {
        Thread t = serveOne(server);
        assertEquals("partial", new String(udpRoundTrip(server.serverAddress(), new byte[] {1}), StandardCharsets.UTF_8));
        assertTrue(server.handled.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(List.of("IllegalStateException: boom"), server.errors);
        t.join(TestRules.waitBound().toMillis());
      }
      return null;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("spec 2.3 #10: a 10,000-byte datagram arrives as 8,192 bytes (max_packet_size)")
  void truncatedTo8192(String transport) throws Exception {
    Transports.with(transport, () -> {
      try (UDPServer server = new UDPServer(new InetSocketAddress("127.0.0.1", 0), () -> new DatagramRequestHandler() {
        @Override
        public void handle() throws IOException {
          wfile().write(String.valueOf(packet().length).getBytes(StandardCharsets.UTF_8));
        }
      })) {
        Thread t = serveOne(server);
        assertEquals("8192", new String(udpRoundTrip(server.serverAddress(), new byte[10_000]), StandardCharsets.UTF_8));
        t.join(TestRules.waitBound().toMillis());
      }
      return null;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("max_packet_size overridden to 20000: a 10,000-byte datagram arrives whole; 30,000 bytes arrive as 20,000")
  void largerMaxPacketSize(String transport) throws Exception {
    Transports.with(transport, () -> {
      try (UDPServer server = new UDPServer(new InetSocketAddress("127.0.0.1", 0), () -> new DatagramRequestHandler() {
        @Override
        public void handle() throws IOException {
          wfile().write(String.valueOf(packet().length).getBytes(StandardCharsets.UTF_8));
        }
      }) {
        @Override
        public int maxPacketSize() {
          return 20_000;
        }
      }) {
        Thread t = serveOne(server);
        assertEquals("10000", new String(udpRoundTrip(server.serverAddress(), new byte[10_000]), StandardCharsets.UTF_8));
        t.join(TestRules.waitBound().toMillis());
        t = serveOne(server);
        assertEquals("20000", new String(udpRoundTrip(server.serverAddress(), new byte[30_000]), StandardCharsets.UTF_8));
        t.join(TestRules.waitBound().toMillis());
      }
      return null;
    });
  }

  static Thread serveOne(TCPServer server) {
    Thread t = new Thread(server::handleRequest, "handle_request");
    t.setDaemon(true);
    t.start();
    return t;
  }

  // ---- spec 2.3 item 13: the Unix address quirks ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("spec 2.3 #13: an unbound Unix stream client's address is '' ; the socket file survives close")
  void unixStreamQuirks(String transport) throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      Transports.with(transport, () -> {
        UnixDomainSocketAddress path = paths.next();
        List<SocketAddress> seen = new CopyOnWriteArrayList<>();
        try (UnixStreamServer server = new UnixStreamServer(path, () -> new StreamRequestHandler() {
          @Override
          public void handle() throws IOException {
            seen.add(clientAddress());
            wfile().write(rfile().readLine());
          }
        })) {
          assertEquals(path, server.serverAddress());
          Thread t = serveOne(server);
          unixStreamExamine(path);
          t.join(TestRules.waitBound().toMillis());
        }
        assertEquals(List.of(UnixDomainSocketAddress.of("")), seen);
        assertTrue(Files.exists(path.getPath()), "CPython leaves the socket file after server_close");
        BindException e = assertThrows(BindException.class, () -> new UnixStreamServer(path, StreamRequestHandler::new));
        assertTrue(e.getMessage().contains(path.getPath().toString()), e.getMessage());
        return null;
      });
    }
  }

  @Test
  @DisplayName("spec 2.3 #13: an unbound Unix datagram client has no address; the reply fails in finish -> handleError")
  void unboundUnixDatagramClient() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "Unix datagrams need epoll");
    try (UnixPaths paths = new UnixPaths()) {
      UnixDomainSocketAddress path = paths.next();
      List<SocketAddress> seen = new CopyOnWriteArrayList<>();
      class Server extends UnixDatagramServer {
        final List<String> errors = new CopyOnWriteArrayList<>();
        Server() throws IOException {
          super(path, () -> new DatagramRequestHandler() {
            @Override
            public void handle() {
              seen.add(clientAddress());
            }
          });
        }
        @Override
        public void handleError(Request request, SocketAddress clientAddress) {
          errors.add(String.valueOf(clientAddress) + " " + currentException().orElseThrow().getClass().getSimpleName());
        }
      }
      try (Server server = new Server(); UnixDatagramClient client = new UnixDatagramClient(null)) {
        client.send("x".getBytes(StandardCharsets.UTF_8), path);
        server.handleRequest();
        assertEquals(1, seen.size());
        assertNull(seen.get(0), "CPython: client_address is None");
        assertEquals(List.of("null SocketException"), server.errors);
      }
      assertTrue(Files.exists(path.getPath()), "the socket file survives server_close");
    }
  }

  @Test
  @DisplayName("AF_UNIX path over 107 bytes: IllegalArgumentException before any socket")
  void unixPathTooLong() throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      UnixDomainSocketAddress longPath = UnixDomainSocketAddress.of(paths.dir().resolve("x".repeat(120)));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new UnixStreamServer(longPath, StreamRequestHandler::new));
      assertTrue(e.getMessage().contains("too long"), e.getMessage());
      assertEquals(0, Files.list(paths.dir()).count());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("gh-128916: allowReusePort is ignored for AF_UNIX")
  void reusePortIgnoredForUnix(String transport) throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      Transports.with(transport, () -> {
        try (UnixStreamServer s = new UnixStreamServer(paths.next(), SocketServerTest.EchoLine::new) {
          @Override
          public boolean allowReusePort() {
            return true;
          }
        }) {
          Thread t = serveOne(s);
          unixStreamExamine(s.serverAddress());
          t.join(TestRules.waitBound().toMillis());
        }
        return null;
      });
    }
  }

  // ---- IPv6 and options ----

  /** CPython docs' recipe: class V6Server(TCPServer): address_family = AF_INET6. */
  static class V6Server extends TCPServer {
    V6Server(SocketAddress a) throws IOException {
      super(a, SocketServerTest.EchoLine::new);
    }

    @Override
    public AddressFamily addressFamily() {
      return AddressFamily.AF_INET6;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("IPv6 echo on ::1 (address_family = AF_INET6)")
  void ipv6Echo(String transport) throws Exception {
    Transports.with(transport, () -> {
      V6Server server = new V6Server(new InetSocketAddress("::1", 0));
      assertInstanceOf(Inet6Address.class, ((InetSocketAddress) server.serverAddress()).getAddress());
      SocketServerTest.runServer(server);
      return null;
    });
  }

  @Test
  @DisplayName("an IPv6 address on an AF_INET server: CPython's gaierror 'Address family for hostname not supported'")
  void ipv6AddressOnInetServer() {
    UnknownHostException e = assertThrows(UnknownHostException.class, () -> new TCPServer(new InetSocketAddress("::1", 0), StreamRequestHandler::new));
    assertTrue(e.getMessage().contains("Address family for hostname not supported"), e.getMessage());
    UnknownHostException e6 = assertThrows(UnknownHostException.class, () -> new V6Server(new InetSocketAddress("127.0.0.1", 0)));
    assertTrue(e6.getMessage().contains("Address family for hostname not supported"), e6.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("an AF_INET server on the wildcard binds IPv4 only (0.0.0.0), not Netty's dual-stack [::]")
  void ipv4WildcardIsIpv4Only(String transport) throws Exception {
    Transports.with(transport, () -> {
      try (TCPServer s = new TCPServer(new InetSocketAddress(0), StreamRequestHandler::new)) {
        InetSocketAddress bound = (InetSocketAddress) s.serverAddress();
        assertInstanceOf(Inet4Address.class, bound.getAddress());
        assertTrue(bound.getAddress().isAnyLocalAddress());
        // An IPv6 client cannot reach an IPv4-only listener.
        assertThrows(IOException.class, () -> {
          try (java.net.Socket c = new java.net.Socket()) {
            c.connect(new InetSocketAddress("::1", bound.getPort()), (int) TestRules.waitBound().toMillis());
          }
        });
      }
      return null;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("allowReusePort: two servers share a port; without it the second bind fails")
  void reusePortSharing(String transport) throws Exception {
    Transports.with(transport, () -> {
      class Shared extends TCPServer {
        Shared(SocketAddress a) throws IOException {
          super(a, StreamRequestHandler::new);
        }

        @Override
        public boolean allowReusePort() {
          return true;
        }
      }
      try (Shared a = new Shared(new InetSocketAddress("127.0.0.1", 0));
          Shared b = new Shared(a.serverAddress())) {
        assertEquals(a.serverAddress(), b.serverAddress());
        assertThrows(BindException.class, () -> new TCPServer(a.serverAddress(), StreamRequestHandler::new));
      }
      return null;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("allowReuseAddress defaults to false, as CPython (Netty's default is true)")
  void reuseAddressDefaultsFalse(String transport) throws Exception {
    Transports.with(transport, () -> {
      try (TCPServer s = new TCPServer(new InetSocketAddress("127.0.0.1", 0), StreamRequestHandler::new)) {
        assertFalse(s.allowReuseAddress());
        assertNotNull(s.socket());
      }
      return null;
    });
  }
}
