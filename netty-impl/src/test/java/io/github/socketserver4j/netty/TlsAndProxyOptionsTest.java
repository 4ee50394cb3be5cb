package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.AddressFamily;
import io.github.socketserver4j.DatagramRequestHandler;
import io.github.socketserver4j.Request;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.SocketType;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.UDPServer;
import io.github.socketserver4j.spi.ServerTls;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.spi.SocketSpec;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestCertificates;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.Mapping;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 14, "TLS and PROXY by class sniffing": {@code NettyOptions.Builder.tls}, {@code sni} and
 * {@code proxyProtocol} add the handlers themselves and the server waits for the handshake and the
 * header because the settings say so, on both transports, over real sockets with a JDK TLS client.
 */
class TlsAndProxyOptionsTest {
  private static SslContext tls12;
  private static SslContext tls13;

  @BeforeAll
  static void contexts() throws Exception {
    tls12 =
        SslContextBuilder.forServer(TestCertificates.keyManagers())
            .sslProvider(SslProvider.JDK)
            .protocols("TLSv1.2")
            .build();
    tls13 =
        SslContextBuilder.forServer(TestCertificates.keyManagers())
            .sslProvider(SslProvider.JDK)
            .protocols("TLSv1.3")
            .build();
  }

  static List<String> transports() {
    return Transports.available();
  }

  /** Replies with the request's client address and the line it read. */
  static final class Who extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      byte[] line = rfile().readLine();
      InetSocketAddress client = (InetSocketAddress) clientAddress();
      String reply =
          client.getAddress().getHostAddress() + " " + client.getPort() + ": "
              + new String(line, US_ASCII);
      wfile().write(reply.getBytes(US_ASCII));
    }
  }

  /** A server with {@code netty}; {@code verified} gets each client address verifyRequest saw. */
  static TCPServer server(NettyOptions netty, List<SocketAddress> verified) throws IOException {
    return new ThreadingTCPServer(anyLoopbackPort(), Who::new) {
      @Override
      protected SocketProvider socketProvider() {
        return netty;
      }

      @Override
      public boolean verifyRequest(Request request, SocketAddress clientAddress) {
        verified.add(clientAddress);
        return true;
      }
    };
  }

  static List<SocketAddress> list() {
    return Collections.synchronizedList(new ArrayList<>());
  }

  /**
   * Starts TLS over {@code plain}, offering {@code protocols}, and sending {@code serverName}
   * as SNI (none when null; the host given is an IP address, which the JDK never sends).
   */
  static SSLSocket tlsOver(Client plain, String serverName, String... protocols)
      throws Exception {
    InetSocketAddress peer = (InetSocketAddress) plain.socket().getRemoteSocketAddress();
    SSLSocket tls =
        (SSLSocket)
            TestCertificates.clientContext()
                .getSocketFactory()
                .createSocket(plain.socket(), "127.0.0.1", peer.getPort(), false);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setProtocols(protocols);
    if (serverName != null) {
      parameters.setServerNames(List.of(new SNIHostName(serverName)));
    }
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    return tls;
  }

  /** Sends a line over {@code tls} and reads the reply of {@code expected}'s length. */
  static String exchange(SSLSocket tls, String line, int replyLength) throws IOException {
    tls.getOutputStream().write(line.getBytes(US_ASCII));
    tls.getOutputStream().flush();
    byte[] reply = new byte[replyLength];
    new DataInputStream(tls.getInputStream()).readFully(reply);
    return new String(reply, US_ASCII);
  }

  static String peer(Client c) {
    return "127.0.0.1 " + c.socket().getLocalPort();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 14 tls(SslContext): TLS 1.2 and 1.3 served; a plaintext client is dropped unverified")
  void tlsOption(String transport) throws Exception {
    List<SocketAddress> verified = list();
    for (SslContext context : List.of(tls12, tls13)) {
      String protocol = context == tls12 ? "TLSv1.2" : "TLSv1.3";
      NettyOptions netty = NettyOptions.builder().transport(transport).tls(context).build();
      try (TCPServer server = server(netty, verified); Serving serving = Serving.start(server)) {
        try (Client plain = Client.connect(server.serverAddress())) {
          plain.send("not a ClientHello\n");
          assertTrue(plain.seesEndOfStream(TestRules.waitBound()), "plaintext client kept");
        }
        try (Client plain = Client.connect(server.serverAddress());
            SSLSocket tls = tlsOver(plain, null, protocol)) {
          assertEquals(protocol, tls.getSession().getProtocol());
          String expected = peer(plain) + ": hello " + protocol + "\n";
          assertEquals(expected, exchange(tls, "hello " + protocol + "\n", expected.length()));
          assertEquals(List.of(plain.socket().getLocalSocketAddress()), verified);
        }
      }
      verified.clear();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 14 sni(Mapping): the server name picks the context; no name gets the default")
  void sniChoosesTheContext(String transport) throws Exception {
    List<String> asked = Collections.synchronizedList(new ArrayList<>());
    Mapping<String, SslContext> byName =
        name -> {
          asked.add(String.valueOf(name));
          return "twelve.test".equals(name) ? tls12 : tls13;
        };
    NettyOptions netty = NettyOptions.builder().transport(transport).sni(byName).build();
    List<SocketAddress> verified = list();
    try (TCPServer server = server(netty, verified); Serving serving = Serving.start(server)) {
      String[][] cases = {{"twelve.test", "TLSv1.2"}, {"other.test", "TLSv1.3"}, {null, "TLSv1.3"}};
      for (String[] c : cases) {
        // The client offers both versions: the context the server picked decides.
        try (Client plain = Client.connect(server.serverAddress());
            SSLSocket tls = tlsOver(plain, c[0], "TLSv1.2", "TLSv1.3")) {
          assertEquals(c[1], tls.getSession().getProtocol());
          String expected = peer(plain) + ": to " + c[0] + "\n";
          assertEquals(expected, exchange(tls, "to " + c[0] + "\n", expected.length()));
        }
      }
      assertEquals(List.of("twelve.test", "other.test", "null"), asked);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 14 proxyProtocol(): v1 and v2 give clientAddress; no header is dropped at once, unverified")
  void proxyRequired(String transport) throws Exception {
    // Longer than any wait in this test: a client without header is dropped on its first bytes.
    NettyOptions netty =
        NettyOptions.builder()
            .transport(transport)
            .proxyProtocol()
            .handshakeTimeout(TestRules.waitBound().multipliedBy(6))
            .build();
    List<SocketAddress> verified = list();
    try (TCPServer server = server(netty, verified); Serving serving = Serving.start(server)) {
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("hello without a header\n"); // no CRLF: Netty's decoder alone would wait for one
        assertTrue(c.seesEndOfStream(TestRules.waitBound()), "a client without header was kept");
      }
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("PROXY TCP4 203.0.113.7 192.0.2.1 56324 443\r\nv1\n");
        assertEquals("203.0.113.7 56324: v1\n", c.readLine());
      }
      try (Client c = Client.connect(server.serverAddress())) {
        c.send(ProxyProtocolTest.v2(false, "2001:db8::7", 40000)).send("v2\n");
        assertEquals("2001:db8:0:0:0:0:0:7 40000: v2\n", c.readLine());
      }
    }
    assertEquals(
        List.of(
            new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 56324),
            new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 40000)),
        verified);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 14 proxyProtocol(false): a header is used when present; without one the peer, bytes intact")
  void proxyOptional(String transport) throws Exception {
    // Longer than any wait in this test: a client left waiting for the timeout fails its read.
    Duration never = TestRules.waitBound().multipliedBy(6);
    NettyOptions netty =
        NettyOptions.builder()
            .transport(transport)
            .proxyProtocol(false)
            .handshakeTimeout(never)
            .build();
    List<SocketAddress> verified = list();
    try (TCPServer server = server(netty, verified); Serving serving = Serving.start(server)) {
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("PROXY TCP4 203.0.113.8 192.0.2.1 1111 443\r\nv1\n");
        assertEquals("203.0.113.8 1111: v1\n", c.readLine());
      }
      try (Client c = Client.connect(server.serverAddress())) {
        c.send(ProxyProtocolTest.v2(false, "2001:db8::8", 2222)).send("v2\n");
        assertEquals("2001:db8:0:0:0:0:0:8 2222: v2\n", c.readLine());
      }
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("a plain request, longer than twelve bytes\n");
        assertEquals(peer(c) + ": a plain request, longer than twelve bytes\n", c.readLine());
      }
      try (Client c = Client.connect(server.serverAddress())) {
        // Shorter than the 12 bytes Netty's detectProtocol waits for: decided on its first byte.
        c.send("hi\n");
        assertEquals(peer(c) + ": hi\n", c.readLine());
      }
      try (Client c = Client.connect(server.serverAddress())) {
        // Starts like a v1 header ("PRO"), then is not one: once it differs it is the request.
        c.send("PROSE\n");
        assertEquals(peer(c) + ": PROSE\n", c.readLine());
      }
    }
    assertEquals(5, verified.size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 14 proxyProtocol + tls: header, then handshake, in front of the hook's handlers")
  void proxyThenTlsInFrontOfTheHook(String transport) throws Exception {
    List<String> hookSaw = Collections.synchronizedList(new ArrayList<>());
    for (boolean required : new boolean[] {true, false}) {
      NettyOptions netty =
          NettyOptions.builder()
              .transport(transport)
              .proxyProtocol(required)
              .tls(tls13)
              .pipeline(ch -> ch.pipeline().addLast(new FirstBytes(hookSaw)))
              .build();
      List<SocketAddress> verified = list();
      try (TCPServer server = server(netty, verified); Serving serving = Serving.start(server)) {
        try (Client plain = Client.connect(server.serverAddress())) {
          plain.send("PROXY TCP4 203.0.113.10 192.0.2.1 6000 443\r\n");
          try (SSLSocket tls = tlsOver(plain, null, "TLSv1.3")) {
            String expected = "203.0.113.10 6000: secret\n";
            assertEquals(expected, exchange(tls, "secret\n", expected.length()));
          }
        }
        if (!required) {
          try (Client plain = Client.connect(server.serverAddress());
              SSLSocket tls = tlsOver(plain, null, "TLSv1.3")) {
            String expected = peer(plain) + ": direct\n";
            assertEquals(expected, exchange(tls, "direct\n", expected.length()));
          }
        }
      }
    }
    // The hook's handler sits behind the decoder and TLS: it sees the plaintext request only.
    assertEquals(List.of("secret\n", "secret\n", "direct\n"), hookSaw);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 14 proxyProtocol + sni: a header read on its own, then the ClientHello")
  void proxyHeaderAloneThenSni(String transport) throws Exception {
    CountDownLatch headerRead = new CountDownLatch(1);
    NettyOptions netty =
        NettyOptions.builder()
            .transport(transport)
            .proxyProtocol()
            .sni(name -> tls13)
            .pipeline(ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!(msg instanceof ByteBuf)) {
                  headerRead.countDown(); // the decoded header passes on its way to the gate
                }
                ctx.fireChannelRead(msg);
              }
            }))
            .handshakeTimeout(TestRules.waitBound().multipliedBy(6))
            .build();
    try (TCPServer server = server(netty, list()); Serving serving = Serving.start(server);
        Client plain = Client.connect(server.serverAddress())) {
      plain.send("PROXY TCP4 203.0.113.11 192.0.2.1 7000 443\r\n");
      // The header has been read and decoded before any TLS byte is sent: the SniHandler behind
      // the decoder then has nothing, and someone must ask for the ClientHello.
      assertTrue(headerRead.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      try (SSLSocket tls = tlsOver(plain, "alone.test", "TLSv1.3")) {
        String expected = "203.0.113.11 7000: alone\n";
        assertEquals(expected, exchange(tls, "alone\n", expected.length()));
      }
    }
  }

  /** Notes the first bytes each connection passes it, and passes them on. */
  static final class FirstBytes extends ChannelInboundHandlerAdapter {
    private final List<String> saw;
    private boolean noted;

    FirstBytes(List<String> saw) {
      this.saw = saw;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!noted && msg instanceof ByteBuf) {
        noted = true;
        saw.add(((ByteBuf) msg).toString(US_ASCII));
      }
      ctx.fireChannelRead(msg);
    }
  }

  @Test
  @DisplayName("issue 14: tls/proxyProtocol on a datagram server, a client context, tls over HTTPSServer's TLS are refused")
  void misuseIsRefused() throws Exception {
    SslContext client = SslContextBuilder.forClient().build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NettyOptions.builder().tls(client));
    assertTrue(e.getMessage().contains("server context"), e.getMessage());
    NettyOptions proxy = NettyOptions.builder().proxyProtocol().build();
    UnsupportedOperationException u =
        assertThrows(
            UnsupportedOperationException.class,
            () ->
                new UDPServer(anyLoopbackPort(), Nothing::new) {
                  @Override
                  protected SocketProvider socketProvider() {
                    return proxy;
                  }
                });
    assertTrue(u.getMessage().contains("stream servers only"), u.getMessage());
    // HTTPSServer's own TLS (a ServerTls in the spec) and tls(...) would wrap twice.
    ServerTls own =
        new ServerTls() {
          @Override
          public javax.net.ssl.SSLContext context() {
            throw new AssertionError("not reached");
          }

          @Override
          public List<String> applicationProtocols() {
            return List.of();
          }
        };
    SocketSpec https =
        new SocketSpec(AddressFamily.AF_INET, SocketType.SOCK_STREAM, "HTTPSServer", true, own);
    IllegalStateException twice =
        assertThrows(
            IllegalStateException.class,
            () -> NettyOptions.builder().tls(tls13).build().openSocket(https));
    assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
  }

  /** A datagram handler that is never called. */
  static final class Nothing extends DatagramRequestHandler {
    @Override
    public void handle() {}
  }
}
