package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.PeerCerts;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxySSLTLV;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.Mapping;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mockito.Mockito;

/**
 * Issue 14, "the Netty context for blocking handlers": a {@code StreamRequestHandler} reaches its
 * channel and attributes, the TLS session (the client certificate of mutual TLS as CPython's
 * {@code getpeercert()} shows it, the SNI host name) and the PROXY header with its TLVs, with no
 * side map; on a socketserver4j server and behind a {@link RequestHandlerAdapter}, on epoll and
 * NIO.
 */
class NettyContextTest {
  static final AttributeKey<String> TENANT = AttributeKey.valueOf("socketserver4j-test-tenant");

  @TempDir static Path dir;
  static PeerCerts certs;
  static String cpythonDict;

  @BeforeAll
  static void certificates() throws Exception {
    certs = PeerCerts.create(dir);
    cpythonDict = certs.pythonDictJson();
  }

  /** What a handler saw of its request, recorded while the request was open. */
  static final class Seen {
    StreamRequest request;
    Optional<SSLSession> session;
    boolean sameSessionFromNetty;
    Optional<Map<String, Object>> cert;
    Optional<byte[]> der;
    RuntimeException certFailure;
    String tenant;
    Channel channel;
    HAProxyMessage header;
    String proxy;
    String beforeHandshake;
  }

  static final BlockingQueue<Seen> SEEN = new LinkedBlockingQueue<>();

  static Seen look(StreamRequest request) {
    Seen s = new Seen();
    s.request = request;
    s.session = request.sslSession();
    s.sameSessionFromNetty = NettyRequests.sslSession(request).equals(s.session);
    try {
      s.cert = request.getpeercert();
      s.der = request.getpeercertBinary();
    } catch (RuntimeException e) {
      s.certFailure = e;
    }
    s.channel = NettyRequests.channel(request);
    s.tenant = s.channel.attr(TENANT).get();
    s.header = NettyRequests.proxyHeader(request).orElse(null);
    s.proxy = s.header == null ? null : describe(s.header);
    return s;
  }

  /** Records what it sees, then echoes one line. */
  static final class Inspect extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      byte[] line = rfile().readLine();
      SEEN.add(look(connection()));
      wfile().write(line);
    }
  }

  /** The server side of one test: a socketserver4j server, or the application's bootstrap. */
  interface Front extends AutoCloseable {
    SocketAddress address();
  }

  static Stream<Arguments> fronts() {
    List<Arguments> all = new ArrayList<>();
    for (String where : List.of("server", "adapter")) {
      for (String transport : Transports.available()) {
        all.add(Arguments.of(where, transport));
      }
    }
    return all.stream();
  }

  /** Serves {@link Inspect} with the handlers {@code init} adds in front of it. */
  static Front serve(String where, String transport, Consumer<Channel> init) throws Exception {
    if (where.equals("adapter")) {
      RequestHandlerAdapterTest.App app =
          new RequestHandlerAdapterTest.App(
              transport,
              ch -> {
                init.accept(ch);
                ch.pipeline().addLast(new RequestHandlerAdapter(Inspect::new));
              });
      return new Front() {
        @Override
        public SocketAddress address() {
          return app.address();
        }

        @Override
        public void close() throws Exception {
          app.close();
        }
      };
    }
    NettyOptions netty =
        NettyOptions.builder().transport(transport).pipeline(init::accept).build();
    TCPServer server =
        new ThreadingTCPServer(anyLoopbackPort(), Inspect::new) {
          @Override
          protected SocketProvider socketProvider() {
            return netty;
          }
        };
    Serving serving = Serving.start(server);
    assertEquals(transport, NettyOptions.transportOf(server));
    return new Front() {
      @Override
      public SocketAddress address() {
        return server.serverAddress();
      }

      @Override
      public void close() {
        serving.close();
      }
    };
  }

  static SslContext serverTls(ClientAuth clientAuth) throws Exception {
    return SslContextBuilder.forServer(
            certs.serverCertificate().toFile(), certs.serverKey().toFile())
        .clientAuth(clientAuth)
        .trustManager(certs.clientCertificate().toFile())
        .build();
  }

  /** A TLS client over {@code plain} (connected already), asking for {@code sni}. */
  static SSLSocket tls(Socket plain, boolean withCertificate, String sni) throws Exception {
    SSLContext context = certs.clientContext(withCertificate);
    SSLSocket s =
        (SSLSocket)
            context
                .getSocketFactory()
                .createSocket(plain, "localhost", plain.getPort(), true);
    SSLParameters params = s.getSSLParameters();
    params.setServerNames(List.of(new SNIHostName(sni)));
    s.setSSLParameters(params);
    s.setSoTimeout((int) TestRules.waitBound().toMillis());
    s.startHandshake();
    return s;
  }

  static Socket connect(SocketAddress address) throws IOException {
    Socket s = new Socket();
    s.connect(address, (int) TestRules.waitBound().toMillis());
    s.setSoTimeout((int) TestRules.waitBound().toMillis());
    return s;
  }

  static String exchange(Socket s, String line) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(line.getBytes(UTF_8));
    out.flush();
    return new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8)).readLine();
  }

  static Seen seen() throws InterruptedException {
    Seen s = SEEN.poll(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(s, "the handler did not record its request");
    return s;
  }

  // ---- TLS ----

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fronts")
  @DisplayName("issue 14 mutual TLS: getpeercert() is CPython's dict, binary form the DER; session, SNI and channel attributes reach the handler")
  void mutualTls(String where, String transport) throws Exception {
    SEEN.clear();
    SslContext tls = serverTls(ClientAuth.REQUIRE);
    try (Front front =
            serve(where, transport, ch -> {
              ch.attr(TENANT).set("tenant-7");
              ch.pipeline().addLast(tls.newHandler(ch.alloc()));
            });
        SSLSocket client = tls(connect(front.address()), true, "app.example")) {
      assertEquals("hello", exchange(client, "hello\n"));
      Seen s = seen();
      assertNull(s.certFailure);
      assertEquals(cpythonDict, PeerCerts.json(s.cert.orElseThrow()));
      assertArrayEquals(certs.client().getEncoded(), s.der.orElseThrow());
      SSLSession session = s.session.orElseThrow();
      assertEquals(client.getSession().getProtocol(), session.getProtocol());
      assertTrue(s.sameSessionFromNetty);
      assertEquals(
          List.of(new SNIHostName("app.example")),
          ((ExtendedSSLSession) session).getRequestedServerNames());
      assertEquals("tenant-7", s.tenant);
      assertNull(s.header);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fronts")
  @DisplayName("issue 14 SNI: the context an SniHandler chose; no client certificate: getpeercert() is empty (Python's None)")
  void sniWithoutClientCertificate(String where, String transport) throws Exception {
    SEEN.clear();
    SslContext app = serverTls(ClientAuth.OPTIONAL);
    Mapping<String, SslContext> byName = host -> app;
    try (Front front =
            serve(where, transport, ch -> ch.pipeline().addLast(new SniHandler(byName)));
        SSLSocket client = tls(connect(front.address()), false, "tenant.example")) {
      assertEquals("plain", exchange(client, "plain\n"));
      Seen s = seen();
      assertNull(s.certFailure);
      assertEquals(Optional.empty(), s.cert);
      assertEquals(Optional.empty(), s.der);
      assertEquals(
          List.of(new SNIHostName("tenant.example")),
          ((ExtendedSSLSession) s.session.orElseThrow()).getRequestedServerNames());
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fronts")
  @DisplayName("issue 14 plain TCP: no session, no header; getpeercert() is Python's AttributeError")
  void plainConnection(String where, String transport) throws Exception {
    SEEN.clear();
    try (Front front = serve(where, transport, ch -> ch.attr(TENANT).set("plain"));
        Socket client = connect(front.address())) {
      assertEquals("x", exchange(client, "x\n"));
      Seen s = seen();
      assertEquals(Optional.empty(), s.session);
      assertTrue(s.certFailure instanceof UnsupportedOperationException, "" + s.certFailure);
      assertTrue(s.certFailure.getMessage().contains("no attribute 'getpeercert'"),
          s.certFailure.getMessage());
      assertNull(s.header);
      assertEquals("plain", s.tenant);
    }
  }

  // ---- PROXY ----

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fronts")
  @DisplayName("issue 14 PROXY v1: the header's destination; it is released when the request closes, not before")
  void proxyVersion1(String where, String transport) throws Exception {
    SEEN.clear();
    try (Front front =
            serve(where, transport, ch -> ch.pipeline().addLast(new HAProxyMessageDecoder()));
        Socket client = connect(front.address())) {
      assertEquals(
          "hi", exchange(client, "PROXY TCP4 203.0.113.7 192.0.2.1 56324 443\r\nhi\n"));
      Seen s = seen();
      assertEquals("V1 PROXY TCP4 203.0.113.7:56324 -> 192.0.2.1:443 []", s.proxy);
      TestRules.awaitTrue(() -> s.header.refCnt() == 0, "the request releases its header");
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> NettyRequests.proxyHeader(s.request));
      assertTrue(e.getMessage().contains("released"), e.getMessage());
    }
  }

  /** The header HAProxy sends with {@code send-proxy-v2-ssl-cn} and a few more TLVs. */
  static byte[] version2WithTlvs() {
    List<HAProxyTLV> ssl =
        List.of(
            new HAProxyTLV(HAProxyTLV.Type.PP2_TYPE_SSL_VERSION, ascii("TLSv1.3")),
            new HAProxyTLV(HAProxyTLV.Type.PP2_TYPE_SSL_CN, ascii("client.example")));
    HAProxyMessage header =
        new HAProxyMessage(
            HAProxyProtocolVersion.V2,
            HAProxyCommand.PROXY,
            HAProxyProxiedProtocol.TCP6,
            "2001:db8::7",
            "2001:db8::1",
            40000,
            8443,
            List.of(
                new HAProxyTLV(HAProxyTLV.Type.PP2_TYPE_ALPN, ascii("h2")),
                new HAProxyTLV(HAProxyTLV.Type.PP2_TYPE_AUTHORITY, ascii("app.example")),
                new HAProxySSLTLV(0, (byte) 0x07, ssl),
                new HAProxyTLV((byte) 0xE0, ascii("tenant-7"))));
    EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    assertTrue(encoder.writeOutbound(header)); // the encoder releases the message
    ByteBuf encoded = encoder.readOutbound();
    try {
      byte[] bytes = new byte[encoded.readableBytes()];
      encoded.readBytes(bytes);
      return bytes;
    } finally {
      encoded.release();
      encoder.finishAndReleaseAll();
    }
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, US_ASCII);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fronts")
  @DisplayName("issue 14 PROXY v2 with TLVs, then mutual TLS: the handler reads the TLVs and the certificate")
  void proxyVersion2ThenTls(String where, String transport) throws Exception {
    SEEN.clear();
    SslContext tls = serverTls(ClientAuth.REQUIRE);
    try (Front front =
        serve(where, transport, ch -> {
          ch.pipeline().addLast(new HAProxyMessageDecoder());
          ch.pipeline().addLast(tls.newHandler(ch.alloc()));
        })) {
      Socket plain = connect(front.address());
      plain.getOutputStream().write(version2WithTlvs());
      try (SSLSocket client = tls(plain, true, "app.example")) {
        assertEquals("over tls", exchange(client, "over tls\n"));
      }
      Seen s = seen();
      // Netty's decoder spells IPv6 addresses out, and lists the SSL TLV's sub-TLVs twice:
      // inside it, and again after it in tlvs().
      assertEquals(
          "V2 PROXY TCP6 2001:db8:0:0:0:0:0:7:40000 -> 2001:db8:0:0:0:0:0:1:8443 [PP2_TYPE_ALPN h2,"
              + " PP2_TYPE_AUTHORITY app.example, PP2_TYPE_SSL client=7 verify=0"
              + " [PP2_TYPE_SSL_VERSION TLSv1.3, PP2_TYPE_SSL_CN client.example],"
              + " PP2_TYPE_SSL_VERSION TLSv1.3, PP2_TYPE_SSL_CN client.example,"
              + " OTHER(0xe0) tenant-7]",
          s.proxy);
      assertEquals(cpythonDict, PeerCerts.json(s.cert.orElseThrow()));
      TestRules.awaitTrue(() -> s.header.refCnt() == 0, "the request releases its header");
    }
  }

  /** A handler that keeps the header past its request retains it, and then releases it. */
  static final class Keeps extends StreamRequestHandler {
    static final BlockingQueue<HAProxyMessage> KEPT = new LinkedBlockingQueue<>();

    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
      KEPT.add(NettyRequests.proxyHeader(connection()).orElseThrow().retain());
    }
  }

  @Test
  @DisplayName("issue 14 PROXY: a retained header outlives its request and is released by whoever retained it")
  void retainedHeaderOutlivesTheRequest() throws Exception {
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(ch -> ch.pipeline().addLast(new HAProxyMessageDecoder()))
            .build();
    TCPServer server =
        new TCPServer(anyLoopbackPort(), Keeps::new) {
          @Override
          protected SocketProvider socketProvider() {
            return netty;
          }
        };
    try (Serving serving = Serving.start(server); Socket client = connect(server.serverAddress())) {
      assertEquals(
          "y", exchange(client, "PROXY TCP4 198.51.100.2 192.0.2.1 1234 443\r\ny\n"));
      assertEquals(-1, client.getInputStream().read()); // the request is over
      HAProxyMessage kept = Keeps.KEPT.poll(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(kept);
      TestRules.awaitTrue(() -> kept.refCnt() == 1, "only the handler's reference is left");
      assertEquals("192.0.2.1", kept.destinationAddress());
      assertTrue(kept.release());
    }
  }

  // ---- STARTTLS: a TLS handler added by the request handler ----

  /**
   * Upgrades to TLS when asked, as SMTP's STARTTLS: adds an SslHandler through the channel before
   * it answers (in {@code startTls} mode, so the answer itself goes out in the clear), as Netty's
   * STARTTLS recipe does; the client's ClientHello then reaches the SslHandler.
   */
  static final class StartTls extends StreamRequestHandler {
    @Override
    public void handle() throws Exception {
      assertEquals("STARTTLS\n", new String(rfile().readLine(), US_ASCII));
      Channel channel = NettyRequests.channel(connection());
      SslContext tls = serverTls(ClientAuth.REQUIRE);
      channel
          .eventLoop()
          .submit(() -> channel.pipeline().addFirst(
              new SslHandler(tls.newEngine(channel.alloc()), true)))
          .get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      String before;
      try {
        connection().getpeercert();
        before = "no exception";
      } catch (IllegalStateException e) {
        before = e.getMessage(); // Python's ValueError
      }
      wfile().write("220 go ahead\n".getBytes(US_ASCII));
      byte[] line = rfile().readLine(); // the handshake happens as the bridge reads
      Seen s = look(connection());
      s.beforeHandshake = before;
      SEEN.add(s);
      wfile().write(line);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.socketserver4j.testing.Transports#available")
  @DisplayName("issue 14 STARTTLS: getpeercert() before the handshake is Python's ValueError 'handshake not done yet'; after it, the dict")
  void startTls(String transport) throws Exception {
    SEEN.clear();
    try (RequestHandlerAdapterTest.App app =
            new RequestHandlerAdapterTest.App(
                transport, () -> new RequestHandlerAdapter(StartTls::new));
        Socket plain = connect(app.address())) {
      assertEquals("220 go ahead", exchange(plain, "STARTTLS\n"));
      try (SSLSocket client = tls(plain, true, "localhost")) {
        assertEquals("secret", exchange(client, "secret\n"));
      }
      Seen s = seen();
      assertEquals("handshake not done yet", s.beforeHandshake);
      assertEquals(cpythonDict, PeerCerts.json(s.cert.orElseThrow()));
    }
  }

  // ---- Requests from elsewhere ----

  @Test
  @DisplayName("issue 14 NettyRequests: a request this transport did not make is an IllegalArgumentException")
  void foreignRequest() {
    StreamRequest foreign = Mockito.mock(StreamRequest.class);
    for (Runnable call :
        List.<Runnable>of(
            () -> NettyRequests.channel(foreign),
            () -> NettyRequests.sslSession(foreign),
            () -> NettyRequests.proxyHeader(foreign))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
      assertTrue(e.getMessage().contains("not a connection of socketserver4j's Netty transport"),
          e.getMessage());
    }
    assertThrows(NullPointerException.class, () -> NettyRequests.channel(null));
  }

  // ---- Helpers ----

  /** A header as one line: version, command, protocol, addresses, TLVs (nested for SSL). */
  static String describe(HAProxyMessage h) {
    return h.protocolVersion() + " " + h.command() + " " + h.proxiedProtocol() + " "
        + h.sourceAddress() + ":" + h.sourcePort() + " -> " + h.destinationAddress() + ":"
        + h.destinationPort() + " " + tlvs(h.tlvs());
  }

  private static String tlvs(List<HAProxyTLV> tlvs) {
    List<String> out = new ArrayList<>();
    for (HAProxyTLV tlv : tlvs) {
      String type =
          tlv.type() == HAProxyTLV.Type.OTHER
              ? "OTHER(0x" + Integer.toHexString(tlv.typeByteValue() & 0xFF) + ")"
              : tlv.type().toString();
      if (tlv instanceof HAProxySSLTLV) {
        HAProxySSLTLV ssl = (HAProxySSLTLV) tlv;
        out.add(type + " client=" + ssl.client() + " verify=" + ssl.verify() + " "
            + tlvs(ssl.encapsulatedTLVs()));
      } else {
        out.add(type + " " + tlv.content().toString(US_ASCII));
      }
    }
    return out.toString();
  }
}
