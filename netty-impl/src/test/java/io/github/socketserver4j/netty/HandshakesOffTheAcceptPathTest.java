package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.DrainResult;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestCertificates;
import io.github.socketserver4j.testing.TestRules;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, "handshakes off the accept path": with TLS or a PROXY decoder in the pipeline, a
 * connection that has not finished its handshake or header does not hold the accept path, up to
 * {@code maxPendingHandshakes}; {@code handshakesInOrder()} keeps CPython's one at a time. The
 * handshake timeout is far longer than any wait here, so a good client served while a silent one
 * is pending proves the order, not a timing.
 */
class HandshakesOffTheAcceptPathTest {
  /** Longer than every bounded wait of the tests: no silent client is ever timed out here. */
  private static final Duration NEVER = Duration.ofMinutes(30);

  private static SslContext serverTls;

  @BeforeAll
  static void certificates() throws Exception {
    serverTls = SslContextBuilder.forServer(TestCertificates.keyManagers()).build();
  }

  /** Answers each line with the request's client address and the line. */
  static final class Who extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        InetSocketAddress client = (InetSocketAddress) clientAddress();
        wfile().write((client.getPort() + " " + new String(line, US_ASCII)).getBytes(US_ASCII));
      }
    }
  }

  /**
   * What the pipeline hook saw, in order: "accept PORT" for each accepted connection and "gone
   * PORT" when one ended or failed before it was ready. Recorded in front of the server's own
   * handlers, so "gone" is noted before the server reacts to it.
   */
  static final class Seen {
    final List<String> events = new ArrayList<>();
    final Map<Integer, Channel> channels = new ConcurrentHashMap<>();

    void accepted(Channel ch) {
      int port = ((InetSocketAddress) ch.remoteAddress()).getPort();
      channels.put(port, ch);
      note("accept " + port);
      ch.pipeline().addLast(new Recorder(port));
    }

    synchronized void note(String event) {
      events.add(event);
    }

    synchronized List<String> events() {
      return List.copyOf(events);
    }

    synchronized long accepted() {
      return events.stream().filter(e -> e.startsWith("accept ")).count();
    }

    final class Recorder extends ChannelInboundHandlerAdapter {
      private final int port;
      private boolean gone;

      Recorder(int port) {
        this.port = port;
      }

      private void gone() {
        if (!gone) {
          gone = true;
          note("gone " + port);
        }
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
          gone();
        }
        ctx.fireUserEventTriggered(evt);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        gone();
        ctx.fireExceptionCaught(cause);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        gone();
        ctx.fireChannelInactive();
      }
    }
  }

  enum Kind {
    TLS,
    PROXY
  }

  static NettyOptions options(Kind kind, Seen seen, UnaryOperator<NettyOptions.Builder> more) {
    return more.apply(
            NettyOptions.builder()
                .handshakeTimeout(NEVER)
                .pipeline(
                    ch -> {
                      seen.accepted(ch);
                      ch.pipeline()
                          .addLast(
                              kind == Kind.TLS
                                  ? serverTls.newHandler(ch.alloc())
                                  : new HAProxyMessageDecoder());
                    }))
        .build();
  }

  static TCPServer server(NettyOptions netty) throws IOException {
    return new ThreadingTCPServer(anyLoopbackPort(), Who::new) {
      @Override
      protected SocketProvider socketProvider() {
        return netty;
      }

      @Override
      public int requestQueueSize() {
        return 16;
      }
    };
  }

  /**
   * Whether the server closed {@code c} within the wait bound: end of stream, or a reset (the
   * server drops a pending connection with an abortive close, a reset where bytes were unread).
   */
  static boolean closedByServer(Client c) throws IOException {
    try {
      return c.seesEndOfStream(TestRules.waitBound());
    } catch (SocketException e) {
      return true; // "Connection reset"
    }
  }

  static int port(SocketAddress address) {
    return ((InetSocketAddress) address).getPort();
  }

  /** A TCP connection, made at once (the kernel completes it in the backlog). */
  static Socket tcp(SocketAddress to) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(to, (int) TestRules.waitBound().toMillis());
      s.setSoTimeout((int) TestRules.waitBound().toMillis());
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /**
   * A good client's request over {@code s}: the TLS handshake or the PROXY v2 header, then one
   * line; returns the answer.
   */
  static String ask(Kind kind, Socket s, SocketAddress server, String line) throws Exception {
    InputStream in;
    OutputStream out;
    if (kind == Kind.TLS) {
      SSLSocket tls =
          (SSLSocket)
              TestCertificates.clientContext()
                  .getSocketFactory()
                  .createSocket(s, "127.0.0.1", port(server), false);
      tls.startHandshake();
      in = tls.getInputStream();
      out = tls.getOutputStream();
    } else {
      in = s.getInputStream();
      out = s.getOutputStream();
      out.write(ProxyProtocolTest.v2(false, "2001:db8::7", 40000));
    }
    out.write((line + "\n").getBytes(US_ASCII));
    out.flush();
    StringBuilder answer = new StringBuilder();
    for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
      answer.append((char) b);
    }
    return answer.toString();
  }

  static String expected(Kind kind, Socket s, String line) {
    return (kind == Kind.TLS ? s.getLocalPort() : 40000) + " " + line;
  }

  /** The fault of issue 11: a silent client must not delay a good one until its timeout. */
  void goodClientServedWhileSilentOnePends(Kind kind) throws Exception {
    Seen seen = new Seen();
    try (TCPServer server = server(options(kind, seen, b -> b));
        Client silent = Client.connect(server.serverAddress())) {
      SocketAddress address = server.serverAddress();
      int silentPort = silent.socket().getLocalPort();
      try (Serving serving = Serving.start(server)) {
        TestRules.awaitTrue(() -> seen.accepted() == 1, "the silent client is accepted");
        try (Socket good = tcp(address)) {
          assertEquals(expected(kind, good, "hello"), ask(kind, good, address, "hello"));
        }
        // Served while the silent client is still pending: not dropped, not timed out.
        assertTrue(seen.channels.get(silentPort).isActive(), "the silent client is still open");
        assertEquals("accept " + silentPort, seen.events().get(0));
        assertTrue(!seen.events().contains("gone " + silentPort), seen.events().toString());
      }
      // Closing the server closes the pending connection.
      assertTrue(closedByServer(silent), "the silent client was kept");
    }
  }

  @Test
  @DisplayName("issue 11 TLS: a good client is served while a silent TCP client's handshake is pending")
  void tlsGoodClientIsNotHeldBySilentOne() throws Exception {
    goodClientServedWhileSilentOnePends(Kind.TLS);
  }

  @Test
  @DisplayName("issue 11 PROXY v2: a good client is served while a client that sends nothing is pending")
  void proxyGoodClientIsNotHeldBySilentOne() throws Exception {
    goodClientServedWhileSilentOnePends(Kind.PROXY);
  }

  /**
   * With {@code max} silent clients pending, the next connection stays in the kernel's accept
   * queue; once one silent client leaves, it is accepted and served.
   */
  void nextWaitsForAPendingOne(Kind kind, UnaryOperator<NettyOptions.Builder> mode, int max)
      throws Exception {
    Seen seen = new Seen();
    try (TCPServer server = server(options(kind, seen, mode))) {
      SocketAddress address = server.serverAddress();
      List<Socket> silent = new ArrayList<>();
      try (Serving serving = Serving.start(server)) {
        for (int i = 0; i < max; i++) {
          silent.add(tcp(address));
          int n = i + 1;
          TestRules.awaitTrue(() -> seen.accepted() == n, "silent client " + n + " accepted");
        }
        try (Socket good = tcp(address)) {
          // The kernel holds it: the bound is reached, so the server does not accept it.
          TestRules.awaitTrue(
              () -> TcpStates.acceptQueue(port(address)) == 1, "the good client in the backlog");
          assertEquals(max, seen.accepted(), seen.events().toString());
          String[] answer = new String[1];
          try (Background asking =
              Background.start("good", () -> answer[0] = ask(kind, good, address, "next"))) {
            int first = silent.get(0).getLocalPort();
            silent.get(0).close(); // a FIN: its place is free
            asking.join();
            assertEquals(expected(kind, good, "next"), answer[0]);
            List<String> events = seen.events();
            int gone = events.indexOf("gone " + first);
            int accepted = events.indexOf("accept " + good.getLocalPort());
            assertTrue(gone >= 0 && gone < accepted, "the good client after the first left: "
                + events);
            assertEquals(max + 1, seen.accepted(), events.toString());
          }
        }
      } finally {
        for (Socket s : silent) {
          s.close();
        }
      }
    }
  }

  @Test
  @DisplayName("issue 11 maxPendingHandshakes(2): with 2 silent clients pending the next is not accepted until one leaves")
  void boundOfPendingHandshakes() throws Exception {
    nextWaitsForAPendingOne(Kind.TLS, b -> b.maxPendingHandshakes(2), 2);
  }

  @Test
  @DisplayName("issue 11 maxPendingHandshakes(3), PROXY v2: the 4th connection waits in the backlog")
  void boundOfPendingProxyHeaders() throws Exception {
    nextWaitsForAPendingOne(Kind.PROXY, b -> b.maxPendingHandshakes(3), 3);
  }

  @Test
  @DisplayName("issue 11 handshakesInOrder(): the parity mode takes one connection at a time, as CPython's TLS accept()")
  void parityModeTakesOneAtATime() throws Exception {
    nextWaitsForAPendingOne(Kind.TLS, NettyOptions.Builder::handshakesInOrder, 1);
  }

  @Test
  @DisplayName("issue 11 drain with handshakes pending: every pending connection is closed, nothing leaks")
  void drainClosesPendingHandshakes() throws Exception {
    Seen seen = new Seen();
    List<Client> silent = new ArrayList<>();
    try (TCPServer server = server(options(Kind.TLS, seen, b -> b))) {
      try (Serving serving = Serving.start(server)) {
        for (int i = 0; i < 4; i++) {
          silent.add(Client.connect(server.serverAddress()));
          // Two send a partial ClientHello: the SslHandler holds bytes while they pend.
          if (i % 2 == 1) {
            silent.get(i).send(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
          }
        }
        TestRules.awaitTrue(() -> seen.accepted() == 4, "4 silent clients pending");
        DrainResult result = server.drain(Duration.ofSeconds(5));
        assertEquals(0, result.cut(), result.toString());
        for (Client c : silent) {
          assertTrue(closedByServer(c), "a pending connection was kept");
        }
        for (Channel ch : seen.channels.values()) {
          assertTrue(ch.closeFuture().await(TestRules.waitBound().toMillis()), ch.toString());
        }
      }
    } finally {
      for (Client c : silent) {
        c.close();
      }
    }
  }
}
