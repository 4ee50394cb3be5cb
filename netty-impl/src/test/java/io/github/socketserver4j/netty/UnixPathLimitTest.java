package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.UnixStreamServer;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixPaths;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.DisplayName;

/**
 * Issue 10, item 9: the longest Unix socket path. CPython binds a 107-byte path and refuses a
 * 108-byte one with {@code OSError: AF_UNIX path too long} (python3 3.8 to 3.13, Linux). The
 * epoll transport binds what CPython binds; the JDK, and so the NIO transport, binds at most 106
 * bytes, and a longer path is refused with the documented IllegalArgumentException before any
 * socket exists, not with an IOException from the bind.
 */
class UnixPathLimitTest {

  /** Echoes one line. */
  static final class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws java.io.IOException {
      wfile().write(rfile().readLine());
    }
  }

  static List<String> transports() {
    return Transports.available();
  }

  /** A path of exactly {@code bytes} bytes in {@code dir}. */
  static UnixDomainSocketAddress pathOf(Path dir, int bytes) {
    String prefix = dir.toString() + "/";
    Path p = Path.of(prefix + "x".repeat(bytes - prefix.length()));
    assertEquals(bytes, p.toString().getBytes(StandardCharsets.UTF_8).length);
    return UnixDomainSocketAddress.of(p);
  }

  /** Serves one echo request on {@code address} and checks it. */
  static void servesOne(UnixDomainSocketAddress address) throws Exception {
    try (UnixStreamServer server = new UnixStreamServer(address, EchoLine::new)) {
      Thread t = new Thread(server::handleRequest, "handle_request");
      t.start();
      // The client connects through a symbolic link to the directory: the JDK's client has the
      // same limit as its server.
      Path link = Files.createTempFile(Path.of("/tmp"), "l", "");
      Files.delete(link);
      Files.createSymbolicLink(link, address.getPath().getParent());
      try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        c.connect(UnixDomainSocketAddress.of(link.resolve(address.getPath().getFileName())));
        c.write(ByteBuffer.wrap("ping\n".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer reply = ByteBuffer.allocate(16);
        while (c.read(reply) > 0 && reply.position() < 5) {
          // until the line is back
        }
        assertEquals("ping\n", new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII));
      } finally {
        Files.delete(link);
      }
      t.join(TestRules.waitBound().toMillis());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 9: a 107-byte path: bound on epoll (as CPython), IllegalArgumentException before any socket on NIO")
  void path107(String transport) throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      UnixDomainSocketAddress address = pathOf(paths.dir(), 107);
      Transports.with(transport, () -> {
        if (transport.equals("epoll")) {
          servesOne(address);
        } else {
          IllegalArgumentException e =
              assertThrows(
                  IllegalArgumentException.class,
                  () -> new UnixStreamServer(address, EchoLine::new));
          assertTrue(e.getMessage().startsWith("AF_UNIX path too long: 107 bytes"), e.getMessage());
          assertTrue(e.getMessage().contains("nio transport is 106"), e.getMessage());
        }
        return null;
      });
      try (var files = Files.list(paths.dir())) {
        assertEquals(transport.equals("epoll") ? 1 : 0, files.count(), "socket files left");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 9: a 106-byte path binds on both transports; 108 bytes is refused on both, as CPython")
  void path106And108(String transport) throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      Transports.with(transport, () -> {
        servesOne(pathOf(paths.dir(), 106));
        UnixDomainSocketAddress tooLong = pathOf(paths.dir(), 108);
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class,
                () -> new UnixStreamServer(tooLong, EchoLine::new));
        assertTrue(e.getMessage().startsWith("AF_UNIX path too long: 108 bytes"), e.getMessage());
        assertTrue(Files.notExists(tooLong.getPath()));
        return null;
      });
    }
  }
}
