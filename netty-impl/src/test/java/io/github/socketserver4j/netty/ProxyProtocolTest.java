package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.Request;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestCertificates;
import io.github.socketserver4j.testing.TestRules;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * With Netty's {@code HAProxyMessageDecoder} in the pipeline hook, a request's client address is
 * the one the PROXY protocol header names, so {@code verifyRequest}, the handler and {@code
 * handleError} see the real client behind the proxy.
 */
class ProxyProtocolTest {

  /** What the server saw of each request. */
  static final List<String> SEEN = Collections.synchronizedList(new ArrayList<>());

  /** Echoes a line prefixed with the client address and the TCP peer the handler sees. */
  static final class Who extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      byte[] line = rfile().readLine();
      InetSocketAddress client = (InetSocketAddress) clientAddress();
      InetSocketAddress peer = (InetSocketAddress) connection().remoteAddress();
      String reply =
          client.getAddress().getHostAddress() + " " + client.getPort() + " via "
              + peer.getAddress().getHostAddress() + ": " + new String(line, US_ASCII);
      wfile().write(reply.getBytes(US_ASCII));
    }
  }

  static TCPServer server(Duration handshakeTimeout) throws IOException {
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(ch -> ch.pipeline().addLast(new HAProxyMessageDecoder()))
            .handshakeTimeout(handshakeTimeout)
            .build();
    return new ThreadingTCPServer(anyLoopbackPort(), Who::new) {
      @Override
      protected SocketProvider socketProvider() {
        return netty;
      }

      @Override
      public boolean verifyRequest(Request request, SocketAddress clientAddress) {
        SEEN.add("verify " + clientAddress);
        return true;
      }

      @Override
      public void handleError(Request request, SocketAddress clientAddress) {
        SEEN.add("error " + clientAddress + " " + currentException().orElseThrow());
      }
    };
  }

  static TCPServer server() throws IOException {
    return server(Duration.ofSeconds(10));
  }

  /** A PROXY protocol v2 header; {@code local} makes a LOCAL command without addresses. */
  static byte[] v2(boolean local, String source, int sourcePort) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    if (local) {
      out.write(new byte[] {0x20, 0x00, 0x00, 0x00}); // v2 LOCAL, AF_UNSPEC, no addresses
      return out.toByteArray();
    }
    out.write(new byte[] {0x21, 0x21, 0x00, 36}); // v2 PROXY, TCP over IPv6, 36 bytes follow
    ByteBuffer addresses = ByteBuffer.allocate(36);
    addresses.put(InetAddress.getByName(source).getAddress());
    addresses.put(InetAddress.getByName("2001:db8::1").getAddress());
    addresses.putShort((short) sourcePort).putShort((short) 443);
    out.write(addresses.array());
    return out.toByteArray();
  }

  @Test
  @DisplayName("issue 5 PROXY v1: clientAddress is the header's source; bytes after it reach rfile")
  void version1() throws Exception {
    SEEN.clear();
    try (TCPServer server = server();
        Serving serving = Serving.start(server);
        Client c = Client.connect(server.serverAddress())) {
      // The header and the request in one write: the decoder must hand the rest on.
      c.send("PROXY TCP4 203.0.113.7 192.0.2.1 56324 443\r\nhello\n");
      assertEquals("203.0.113.7 56324 via 127.0.0.1: hello\n", c.readLine());
    }
    assertEquals(List.of("verify /203.0.113.7:56324"), SEEN);
  }

  @Test
  @DisplayName("issue 5 PROXY v2: an IPv6 source; a LOCAL header (a health check) keeps the real peer")
  void version2() throws Exception {
    SEEN.clear();
    try (TCPServer server = server(); Serving serving = Serving.start(server)) {
      try (Client c = Client.connect(server.serverAddress())) {
        c.send(v2(false, "2001:db8::7", 40000)).send("six\n");
        assertEquals("2001:db8:0:0:0:0:0:7 40000 via 127.0.0.1: six\n", c.readLine());
      }
      try (Client c = Client.connect(server.serverAddress())) {
        c.send(v2(true, null, 0)).send("local\n");
        int port = c.socket().getLocalPort();
        assertEquals("127.0.0.1 " + port + " via 127.0.0.1: local\n", c.readLine());
      }
    }
    assertEquals(2, SEEN.size());
    assertEquals(
        "verify " + new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 40000),
        SEEN.get(0));
    assertTrue(SEEN.get(1).startsWith("verify /127.0.0.1:"), SEEN.toString());
  }

  @Test
  @DisplayName("issue 5 PROXY: a bad header is dropped before getRequest, silently; the next client is served")
  void badHeaderIsDropped() throws Exception {
    SEEN.clear();
    try (TCPServer server = server(); Serving serving = Serving.start(server)) {
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("GET / HTTP/1.0\r\n\r\n");
        assertTrue(c.seesEndOfStream(TestRules.waitBound()));
      }
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("PROXY TCP4 198.51.100.2 192.0.2.1 1234 443\r\nnext\n");
        assertEquals("198.51.100.2 1234 via 127.0.0.1: next\n", c.readLine());
      }
    }
    assertEquals(List.of("verify /198.51.100.2:1234"), SEEN);
  }

  @Test
  @DisplayName("issue 5 PROXY: a client that sends no header is dropped after handshakeTimeout; the one behind it is served")
  void silentClientTimesOut() throws Exception {
    SEEN.clear();
    try (TCPServer server = server(Duration.ofMillis(300));
        Serving serving = Serving.start(server);
        Client silent = Client.connect(server.serverAddress());
        Client next = Client.connect(server.serverAddress())) {
      next.send("PROXY TCP4 198.51.100.3 192.0.2.1 999 443\r\nafter\n");
      // The silent client's header is still pending (until its timeout); the server accepts
      // this one meanwhile (issue 11; handshakesInOrder() would serve it after the timeout).
      assertEquals("198.51.100.3 999 via 127.0.0.1: after\n", next.readLine());
      assertTrue(silent.seesEndOfStream(TestRules.waitBound()));
    }
    assertEquals(List.of("verify /198.51.100.3:999"), SEEN);
  }

  /** Reads one line and notes its length. */
  static final class ReadsOneLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      SEEN.add("read " + rfile().readLine().length + " bytes");
    }
  }

  /**
   * Issue 14: HAProxy ends each health check of a {@code send-proxy-v2} server with a LOCAL
   * header, then a reset (SO_LINGER 0). A reset before any request data is a connection closed
   * before its request: the handler reads end of stream, and nothing reaches handleError.
   */
  @Test
  @DisplayName("issue 14 PROXY v2: a LOCAL header then a reset (a health check) reads as end of stream, no handleError")
  void localHeaderThenResetIsNoError() throws Exception {
    SEEN.clear();
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(ch -> ch.pipeline().addLast(new HAProxyMessageDecoder()))
            .build();
    try (TCPServer server =
            new TCPServer(anyLoopbackPort(), ReadsOneLine::new) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }

              @Override
              public void handleError(Request request, SocketAddress clientAddress) {
                SEEN.add("error " + clientAddress + " " + currentException().orElseThrow());
              }
            };
        Serving serving = Serving.start(server)) {
      Client check = Client.connect(server.serverAddress());
      check.send(v2(true, null, 0));
      check.socket().setSoLinger(true, 0);
      check.close(); // the reset
      TestRules.awaitTrue(() -> !SEEN.isEmpty(), "the health check's request ended");
    }
    assertEquals(List.of("read 0 bytes"), SEEN);
  }

  /** The request a handler gets is the connection to the proxy: its peer is the proxy. */
  @Test
  @DisplayName("issue 5 PROXY: StreamRequest.remoteAddress stays the TCP peer (getpeername)")
  void remoteAddressIsTheProxy() throws Exception {
    SEEN.clear();
    List<SocketAddress> peers = Collections.synchronizedList(new ArrayList<>());
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(ch -> ch.pipeline().addLast(new HAProxyMessageDecoder()))
            .build();
    try (TCPServer server =
            new TCPServer(anyLoopbackPort(), Who::new) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }

              @Override
              public boolean verifyRequest(Request request, SocketAddress clientAddress) {
                peers.add(((StreamRequest) request).remoteAddress());
                return true;
              }
            };
        Serving serving = Serving.start(server);
        Client c = Client.connect(server.serverAddress())) {
      c.send("PROXY TCP4 203.0.113.9 192.0.2.1 5000 443\r\nx\n");
      assertEquals("203.0.113.9 5000 via 127.0.0.1: x\n", c.readLine());
      assertEquals(List.of(c.socket().getLocalSocketAddress()), peers);
    }
  }

  @Test
  @DisplayName("issue 5 PROXY + TLS: the header, then the handshake, then the request")
  void proxyThenTls() throws Exception {
    SEEN.clear();
    io.netty.handler.ssl.SslContext tls =
        io.netty.handler.ssl.SslContextBuilder.forServer(TestCertificates.keyManagers()).build();
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(
                ch ->
                    ch.pipeline()
                        .addLast(new HAProxyMessageDecoder())
                        .addLast(tls.newHandler(ch.alloc())))
            .build();
    try (TCPServer server =
            new TCPServer(anyLoopbackPort(), Who::new) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }
            };
        Serving serving = Serving.start(server);
        Client plain = Client.connect(server.serverAddress())) {
      plain.send("PROXY TCP4 203.0.113.10 192.0.2.1 6000 443\r\n");
      InetSocketAddress address = (InetSocketAddress) server.serverAddress();
      try (SSLSocket secure =
          (SSLSocket)
              TestCertificates.clientContext()
                  .getSocketFactory()
                  .createSocket(plain.socket(), "127.0.0.1", address.getPort(), false)) {
        secure.getOutputStream().write("secret\n".getBytes(US_ASCII));
        byte[] reply = new byte["203.0.113.10 6000 via 127.0.0.1: secret\n".length()];
        new java.io.DataInputStream(secure.getInputStream()).readFully(reply);
        assertEquals("203.0.113.10 6000 via 127.0.0.1: secret\n", new String(reply, US_ASCII));
      }
    }
  }
}
