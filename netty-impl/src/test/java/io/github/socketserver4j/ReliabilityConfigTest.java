package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixPaths;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7, bad configuration: each mistake fails with an exception that names the value, and no
 * socket or thread is left behind (TestRules checks the threads). CPython's outcome for each was
 * checked with python3 3.11.7 and is quoted beside it.
 */
class ReliabilityConfigTest {

  static List<String> transports() {
    return Transports.available();
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 7: an unresolvable host: UnknownHostException naming it (CPython: gaierror -2 'Name or service not known')")
  void unresolvableHost(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          InetSocketAddress nowhere = new InetSocketAddress("no-such-host.invalid", 0);
          UnknownHostException tcp =
              assertThrows(UnknownHostException.class, () -> new TCPServer(nowhere, StreamRequestHandler::new));
          assertEquals("Name or service not known: no-such-host.invalid", tcp.getMessage());
          UnknownHostException udp =
              assertThrows(UnknownHostException.class, () -> new UDPServer(nowhere, DatagramRequestHandler::new));
          assertTrue(udp.getMessage().contains("no-such-host.invalid"), udp.getMessage());
          return null;
        });
  }

  /**
   * Paths a Unix socket cannot be bound at, with the words the error must hold. sysfs refuses
   * socket files even to root (CPython: PermissionError 1); a directory without write permission
   * refuses them to anyone else (tested when not root, since root ignores the mode).
   */
  static List<String[]> unbindable(Path scratch) throws IOException {
    List<String[]> all = new java.util.ArrayList<>();
    all.add(new String[] {scratch.resolve("missing/s").toString(), "No such file or directory"});
    Path file = Files.createFile(scratch.resolve("file"));
    all.add(new String[] {file.resolve("s").toString(), "Not a directory"});
    all.add(new String[] {"/sys/ss4j-test.sock", "not permitted"});
    if (!isRoot()) {
      Path closed = Files.createDirectory(scratch.resolve("readonly"));
      Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("r-x------"));
      all.add(new String[] {closed.resolve("s").toString(), "Permission denied"});
    }
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 7: an unwritable or missing Unix socket directory: IOException naming the path and the errno text")
  void unwritableUnixDirectory(String transport) throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      for (String[] bad : unbindable(paths.dir())) {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(bad[0]);
        Transports.with(
            transport,
            () -> {
              IOException stream =
                  assertThrows(IOException.class, () -> new UnixStreamServer(address, StreamRequestHandler::new));
              assertTrue(stream.getMessage().contains(bad[0]), stream.getMessage());
              assertTrue(stream.getMessage().contains(bad[1]), stream.getMessage());
              if (transport.equals("epoll")) {
                IOException dgram =
                    assertThrows(IOException.class, () -> new UnixDatagramServer(address, DatagramRequestHandler::new));
                assertTrue(dgram.getMessage().contains(bad[0]), dgram.getMessage());
                assertTrue(dgram.getMessage().contains(bad[1]), dgram.getMessage());
              }
              return null;
            });
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 7: an invalid socket option value fails in setOption, naming the option and the value, on both transports")
  void invalidSocketOption(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          for (int bad : new int[] {-1, 0}) {
            IllegalArgumentException e =
                assertThrows(
                    IllegalArgumentException.class,
                    () ->
                        new TCPServer(anyLoopbackPort(), StreamRequestHandler::new) {
                          @Override
                          public void serverBind() throws IOException {
                            socket().setOption(StandardSocketOptions.SO_RCVBUF, bad);
                            super.serverBind();
                          }
                        });
            assertTrue(e.getMessage().contains("SO_RCVBUF") && e.getMessage().contains(": " + bad), e.getMessage());
          }
          IllegalArgumentException nullValue =
              assertThrows(
                  IllegalArgumentException.class,
                  () ->
                      new UDPServer(anyLoopbackPort(), DatagramRequestHandler::new) {
                        @Override
                        public void serverBind() throws IOException {
                          socket().setOption(StandardSocketOptions.SO_SNDBUF, null);
                          super.serverBind();
                        }
                      });
          assertTrue(nullValue.getMessage().contains("SO_SNDBUF: null"), nullValue.getMessage());
          return null;
        });
  }

  @Test
  @DisplayName("issue 7: a negative timeout: IllegalArgumentException naming it (CPython: ValueError 'Timeout value out of range')")
  void negativeTimeouts() throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (TCPServer server =
        new TCPServer(anyLoopbackPort(), () -> new StreamRequestHandler() {
          @Override
          public Optional<Duration> timeout() {
            return Optional.of(Duration.ofSeconds(-1));
          }
        }) {
          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            errors.add(currentException().orElseThrow());
          }
        }) {
      IllegalArgumentException own =
          assertThrows(IllegalArgumentException.class, () -> server.socket().setTimeout(Duration.ofMillis(-5)));
      assertEquals("Timeout value out of range: PT-0.005S", own.getMessage());
      try (Client c = Client.connect(server.serverAddress())) {
        server.handleRequest(); // StreamRequestHandler.setup() applies the handler's timeout
        assertTrue(c.seesEndOfStream(TestRules.waitBound()));
      }
      assertEquals(1, errors.size());
      assertEquals("Timeout value out of range: PT-1S", errors.get(0).getMessage());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 7: requestQueueSize -1 listens with backlog 0 and serves, as CPython's listen(-1) does")
  void negativeRequestQueueSize(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          SocketServerTest.runServer(
              new TCPServer(anyLoopbackPort(), SocketServerTest.EchoLine::new) {
                @Override
                public int requestQueueSize() {
                  return -1;
                }
              });
          return null;
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 7: maxPacketSize -1 fails getRequest naming it (CPython: ValueError); 0 receives empty datagrams (CPython: recvfrom(0) == b'')")
  void maxPacketSizeBounds(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          try (UDPServer negative =
              new UDPServer(anyLoopbackPort(), DatagramRequestHandler::new) {
                @Override
                public int maxPacketSize() {
                  return -1;
                }
              }) {
            try (java.net.DatagramSocket c = new java.net.DatagramSocket()) {
              c.send(new java.net.DatagramPacket(new byte[] {1}, 1, negative.serverAddress()));
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, negative::handleRequest);
            assertEquals("maxPacketSize must not be negative: -1", e.getMessage());
          }
          try (UDPServer zero =
              new UDPServer(anyLoopbackPort(), () -> new DatagramRequestHandler() {
                @Override
                public void handle() throws IOException {
                  wfile().write(("got " + packet().length).getBytes(StandardCharsets.UTF_8));
                }
              }) {
                @Override
                public int maxPacketSize() {
                  return 0;
                }
              }) {
            Thread t = SocketTypesTest.serveOne(zero);
            byte[] reply = SocketTypesTest.udpRoundTrip(zero.serverAddress(), "hello".getBytes(StandardCharsets.UTF_8));
            assertEquals("got 0", new String(reply, StandardCharsets.UTF_8));
            t.join(TestRules.waitBound().toMillis());
          }
          return null;
        });
  }

  @Test
  @DisplayName("issue 7: serveForever and handleRequest after serverClose: IllegalStateException naming the call (CPython: ValueError 'Invalid file descriptor: -1')")
  void serveAfterClose() throws Exception {
    for (TCPServer server :
        List.of(
            new TCPServer(anyLoopbackPort(), StreamRequestHandler::new),
            new ThreadingUDPServer(anyLoopbackPort(), DatagramRequestHandler::new))) {
      server.serverClose();
      IllegalStateException forever = assertThrows(IllegalStateException.class, server::serveForever);
      assertEquals("serveForever() called after serverClose(): the server's socket is closed", forever.getMessage());
      IllegalStateException one = assertThrows(IllegalStateException.class, server::handleRequest);
      assertEquals("handleRequest() called after serverClose(): the server's socket is closed", one.getMessage());
    }
  }
}
