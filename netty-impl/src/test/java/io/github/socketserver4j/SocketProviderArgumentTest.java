package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.http.BaseHTTPRequestHandler;
import io.github.socketserver4j.http.HTTPSServer;
import io.github.socketserver4j.http.HTTPServer;
import io.github.socketserver4j.http.ThreadingHTTPServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestCertificates;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.UnixPaths;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, "settings per instance": {@link TCPServer#withSocketProvider} gives a server its
 * provider (a {@link NettyOptions} built at run time) as an argument, for every server class, with
 * no subclass capturing a local. The options are chosen so that taking effect is visible: the
 * transport that is not this machine's default, and a pipeline initializer that counts.
 */
class SocketProviderArgumentTest {

  /** The transport a server gets without settings: epoll where it loads. */
  static String defaultTransport() {
    return io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio";
  }

  /** Constructs a server at an address. */
  interface Make {
    TCPServer at(SocketAddress address) throws IOException;
  }

  @Test
  @DisplayName("every server class takes its NettyOptions as an argument: NIO where epoll is the default")
  void everyServerClass() throws Exception {
    NettyOptions nio = NettyOptions.builder().transport("nio").build();
    Map<String, Make> inet = new LinkedHashMap<>();
    inet.put("TCPServer", a -> new TCPServer(a, BaseRequestHandler::new));
    inet.put("ThreadingTCPServer", a -> new ThreadingTCPServer(a, BaseRequestHandler::new));
    inet.put("ForkingTCPServer", a -> new ForkingTCPServer(a, BaseRequestHandler::new));
    inet.put("UDPServer", a -> new UDPServer(a, DatagramRequestHandler::new));
    inet.put("ThreadingUDPServer", a -> new ThreadingUDPServer(a, DatagramRequestHandler::new));
    inet.put("ForkingUDPServer", a -> new ForkingUDPServer(a, DatagramRequestHandler::new));
    inet.put("HTTPServer", a -> new HTTPServer(a, BaseHTTPRequestHandler::new));
    inet.put("ThreadingHTTPServer", a -> new ThreadingHTTPServer(a, BaseHTTPRequestHandler::new));
    inet.put("TCPServer, bindAndActivate false", a -> new TCPServer(a, BaseRequestHandler::new, false));
    for (Map.Entry<String, Make> e : inet.entrySet()) {
      TCPServer server = TCPServer.withSocketProvider(nio, () -> e.getValue().at(anyLoopbackPort()));
      try (server) {
        assertEquals("nio", NettyOptions.transportOf(server), e.getKey());
      }
    }
    try (UnixPaths paths = new UnixPaths()) {
      Map<String, Make> unix = new LinkedHashMap<>();
      unix.put("UnixStreamServer", a -> new UnixStreamServer(a, BaseRequestHandler::new));
      unix.put("ThreadingUnixStreamServer", a -> new ThreadingUnixStreamServer(a, BaseRequestHandler::new));
      unix.put("ForkingUnixStreamServer", a -> new ForkingUnixStreamServer(a, BaseRequestHandler::new));
      for (Map.Entry<String, Make> e : unix.entrySet()) {
        TCPServer server = TCPServer.withSocketProvider(nio, () -> e.getValue().at(paths.next()));
        try (server) {
          assertEquals("nio", NettyOptions.transportOf(server), e.getKey());
        }
      }
      // Unix datagrams need epoll: the per-instance setting is the datagram path instead.
      if (io.netty.channel.epoll.Epoll.isAvailable()) {
        NettyOptions throughNetty = NettyOptions.builder().directDatagramIo(false).build();
        AtomicInteger pipelines = new AtomicInteger();
        NettyOptions counted =
            NettyOptions.builder().pipeline(ch -> pipelines.incrementAndGet()).build();
        Map<String, Make> dgram = new LinkedHashMap<>();
        dgram.put("UnixDatagramServer", a -> new UnixDatagramServer(a, DatagramRequestHandler::new));
        dgram.put("ThreadingUnixDatagramServer",
            a -> new ThreadingUnixDatagramServer(a, DatagramRequestHandler::new));
        dgram.put("ForkingUnixDatagramServer",
            a -> new ForkingUnixDatagramServer(a, DatagramRequestHandler::new));
        for (Map.Entry<String, Make> e : dgram.entrySet()) {
          int before = pipelines.get();
          try (TCPServer server =
              TCPServer.withSocketProvider(counted, () -> e.getValue().at(paths.next()))) {
            assertEquals(before + 1, pipelines.get(), e.getKey() + ": its initializer ran at bind");
          }
          try (TCPServer server =
              TCPServer.withSocketProvider(throughNetty, () -> e.getValue().at(paths.next()))) {
            assertEquals("epoll", NettyOptions.transportOf(server));
          }
        }
      }
    }
  }

  @Test
  @DisplayName("two servers from the same code, each with its own run-time options; started and served")
  void perInstanceOptionsReachConnections() throws Exception {
    AtomicInteger firstConnections = new AtomicInteger();
    AtomicInteger secondConnections = new AtomicInteger();
    List<AtomicInteger> counters = List.of(firstConnections, secondConnections);
    RunningServer[] running = new RunningServer[2];
    for (int i = 0; i < 2; i++) {
      AtomicInteger counter = counters.get(i);
      NettyOptions options =
          NettyOptions.builder()
              .transport(i == 0 ? defaultTransport() : "nio")
              .pipeline(ch -> counter.incrementAndGet())
              .build();
      running[i] =
          TCPServer.withSocketProvider(
                  options, () -> new ThreadingTCPServer(anyLoopbackPort(), RunningServerTest.EchoLine::new))
              .start();
    }
    assertEquals(defaultTransport(), running[0].transportName());
    assertEquals("nio", running[1].transportName());
    for (int n = 0; n < 3; n++) {
      assertEquals("a\n", RunningServerTest.echo(running[0].serverAddress(), "a\n"));
    }
    assertEquals("b\n", RunningServerTest.echo(running[1].serverAddress(), "b\n"));
    for (RunningServer r : running) {
      r.close(Duration.ofSeconds(5));
    }
    assertEquals(3, firstConnections.get());
    assertEquals(1, secondConnections.get());
  }

  @Test
  @DisplayName("HTTPSServer's own socketProvider() override wraps the provider given as argument")
  void httpsCombinesWithTheArgument(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path pem = TestCertificates.writeKeyAndCertificatePem(dir.resolve("server.pem"));
    class Hello extends BaseHTTPRequestHandler {
      public void doGET() throws IOException {
        sendResponse(200);
        endHeaders();
        wfile().write("tls over nio\n".getBytes(StandardCharsets.US_ASCII));
      }

      @Override
      public void logMessage(String format, Object... args) {}
    }
    NettyOptions nio = NettyOptions.builder().transport("nio").build();
    HTTPSServer server =
        TCPServer.withSocketProvider(nio, () -> new HTTPSServer(anyLoopbackPort(), Hello::new, pem));
    RunningServer running = server.start();
    try {
      assertEquals("nio", running.transportName());
      java.net.InetSocketAddress address = (java.net.InetSocketAddress) running.serverAddress();
      try (SSLSocket s =
          (SSLSocket) TestCertificates.clientContext().getSocketFactory()
              .createSocket(address.getAddress(), address.getPort())) {
        s.setSoTimeout((int) TestRules.waitBound().toMillis());
        s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(response.endsWith("\r\n\r\ntls over nio\n"), response);
      }
    } finally {
      running.close(Duration.ofSeconds(5));
    }
  }

  @Test
  @DisplayName("the argument applies to that construction only, also when it fails")
  void scopedToOneConstruction() throws Exception {
    AtomicInteger counted = new AtomicInteger();
    NettyOptions counting = NettyOptions.builder().pipeline(ch -> counted.incrementAndGet()).build();
    try (TCPServer given =
            TCPServer.withSocketProvider(counting, () -> new TCPServer(anyLoopbackPort(), BaseRequestHandler::new));
        TCPServer plain = new TCPServer(anyLoopbackPort(), BaseRequestHandler::new)) {
      SocketAddress taken = given.serverAddress();
      // A failing constructor (the address is in use) leaves nothing behind on this thread.
      assertThrows(
          BindException.class,
          () -> TCPServer.withSocketProvider(counting, () -> new TCPServer(taken, BaseRequestHandler::new)));
      try (TCPServer afterFailure = new TCPServer(anyLoopbackPort(), BaseRequestHandler::new)) {
        for (TCPServer s : List.of(given, plain, afterFailure)) {
          Client.connect(s.serverAddress()).close();
          s.handleRequest();
        }
      }
    }
    assertEquals(1, counted.get(), "only the server constructed with the options counted");
  }

  @Test
  @DisplayName("misuse fails and closes the server: an override that ignores it, a server made elsewhere")
  void misuse() throws Exception {
    NettyOptions nio = NettyOptions.builder().transport("nio").build();
    IllegalStateException ignored =
        assertThrows(
            IllegalStateException.class,
            () -> TCPServer.withSocketProvider(nio, () -> new TCPServer(anyLoopbackPort(), BaseRequestHandler::new) {
              @Override
              protected SocketProvider socketProvider() {
                return NettyOptions.builder().build(); // the hook form, not calling super
              }
            }));
    assertTrue(ignored.getMessage().contains("without calling super.socketProvider()"), ignored.getMessage());

    TCPServer elsewhere =
        CompletableFuture.supplyAsync(() -> {
          try {
            return new TCPServer(anyLoopbackPort(), BaseRequestHandler::new);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }).get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
    assertThrows(IllegalStateException.class, () -> TCPServer.withSocketProvider(nio, () -> elsewhere));
    assertFalse(elsewhere.socket().isOpen(), "closed: nothing leaks");
    assertThrows(IllegalStateException.class, () -> TCPServer.withSocketProvider(nio, () -> null));
    assertThrows(NullPointerException.class, () -> TCPServer.withSocketProvider(null, () -> null));
    TestRules.assertNoServerThreads();
  }
}
