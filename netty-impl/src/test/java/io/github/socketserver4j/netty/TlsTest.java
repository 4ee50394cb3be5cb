package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.Request;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestCertificates;
import io.github.socketserver4j.testing.TestRules;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A {@code StreamRequestHandler} served over TLS through Netty's {@code SslHandler}, added with the
 * pipeline hook, behaves as in plaintext: the analogue of CPython 3.14's {@code HTTPSServer}, whose
 * listening socket is wrapped with {@code SSLContext.wrap_socket(server_side=True)}. The client is
 * the JDK's {@code SSLSocket}; the certificate is made for the test by {@code keytool}.
 */
class TlsTest {
  private static SslContext serverContext;
  private static SSLContext clientContext;

  @BeforeAll
  static void certificates() throws Exception {
    serverContext =
        SslContextBuilder.forServer(TestCertificates.keyManagers())
            .sslProvider(SslProvider.JDK)
            .build();
    clientContext = TestCertificates.clientContext();
  }

  static NettyOptions tls() {
    return NettyOptions.builder()
        .pipeline(ch -> ch.pipeline().addLast(serverContext.newHandler(ch.alloc())))
        .build();
  }

  /** A threading server whose {@code socketProvider()} hook returns {@code transport}. */
  static TCPServer server(NettyOptions transport, RequestHandlerFactory handler)
      throws IOException {
    return new ThreadingTCPServer(anyLoopbackPort(), handler) {
      @Override
      protected SocketProvider socketProvider() {
        return transport;
      }
    };
  }

  /** Echoes every line until end of stream, as the README's echo server. */
  static final class Echo extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
    }
  }

  /** A TLS client over a socket that records whether the TCP end of stream has been read. */
  static final class TlsClient implements AutoCloseable {
    final TappedSocket tcp = new TappedSocket();
    final SSLSocket tls;
    final InputStream in;

    TlsClient(SocketAddress address) throws IOException {
      tcp.connect(address, (int) TestRules.waitBound().toMillis());
      tcp.setSoTimeout((int) TestRules.waitBound().toMillis());
      InetSocketAddress inet = (InetSocketAddress) address;
      tls =
          (SSLSocket)
              clientContext
                  .getSocketFactory()
                  .createSocket(tcp, inet.getHostString(), inet.getPort(), true);
      tls.startHandshake();
      in = tls.getInputStream();
    }

    void send(byte[] data) throws IOException {
      OutputStream out = tls.getOutputStream();
      out.write(data);
      out.flush();
    }

    String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b; (b = in.read()) >= 0; ) {
        line.write(b);
        if (b == '\n') {
          break;
        }
      }
      return line.toString(US_ASCII);
    }

    @Override
    public void close() throws IOException {
      tls.close();
    }
  }

  /** A socket whose input stream notes when it returns end of stream. */
  static final class TappedSocket extends Socket {
    volatile boolean tcpEndOfStream;

    @Override
    public InputStream getInputStream() throws IOException {
      return new FilterInputStream(super.getInputStream()) {
        @Override
        public int read() throws IOException {
          return noted(super.read());
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          return noted(super.read(b, off, len));
        }

        private int noted(int n) {
          if (n < 0) {
            tcpEndOfStream = true;
          }
          return n;
        }
      };
    }
  }

  @Test
  @DisplayName("issue 5 TLS: readLine/sendall echo; half-close reads as EOF; close_notify before FIN")
  void echoHalfCloseAndCloseNotify() throws Exception {
    try (TCPServer server = server(tls(), Echo::new);
        Serving serving = Serving.start(server);
        TlsClient client = new TlsClient(server.serverAddress())) {
      client.send("hello world\n".getBytes(US_ASCII));
      assertEquals("hello world\n", client.readLine());
      client.send("two\nlines\n".getBytes(US_ASCII));
      assertEquals("two\n", client.readLine());
      assertEquals("lines\n", client.readLine());
      // The last line has no newline; then the client half-closes (TLS 1.3 close_notify + FIN).
      client.send("last".getBytes(US_ASCII));
      client.tls.shutdownOutput();
      assertEquals("last", client.readLine()); // echoed after the handler saw end of stream
      assertEquals(-1, client.in.read());
      // The TLS layer ended the stream on the server's close_notify, before the TCP FIN was read.
      assertFalse(client.tcp.tcpEndOfStream, "the server sent FIN without close_notify");
    }
  }

  @Test
  @DisplayName("control: a FIN without close_notify is seen as a TCP end of stream by the tap")
  void tapSeesFinWithoutCloseNotify() throws Exception {
    SSLContext serverSide = SSLContext.getInstance("TLSv1.3");
    serverSide.init(TestCertificates.keyManagers().getKeyManagers(), null, null);
    try (ServerSocket listener = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served =
          CompletableFuture.runAsync(
              () -> {
                try (Socket plain = listener.accept()) {
                  SSLSocket tls =
                      (SSLSocket)
                          serverSide
                              .getSocketFactory()
                              .createSocket(plain, null, plain.getPort(), false);
                  tls.setUseClientMode(false);
                  tls.getOutputStream().write("bye\n".getBytes(US_ASCII));
                  tls.getOutputStream().flush();
                  plain.shutdownOutput(); // FIN below TLS: no close_notify
                  tls.getInputStream().read(); // until the client closes
                } catch (IOException e) {
                  // the client closed
                }
              });
      try (TlsClient client = new TlsClient(listener.getLocalSocketAddress())) {
        assertEquals("bye\n", client.readLine());
        assertEquals(-1, client.in.read()); // the JDK tolerates it by default
        assertTrue(client.tcp.tcpEndOfStream, "the tap missed the FIN");
      }
      served.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Test
  @DisplayName("issue 5 TLS: 8 MiB each way through the bridge, with backpressure, byte for byte")
  void largeBodies() throws Exception {
    byte[] body = new byte[8 << 20];
    new Random(5).nextBytes(body);
    for (int i = 0; i < body.length; i += 1000) {
      body[i] = '\n'; // lines of at most 1000 bytes
    }
    try (TCPServer server = server(tls(), Echo::new);
        Serving serving = Serving.start(server);
        TlsClient client = new TlsClient(server.serverAddress())) {
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  OutputStream out = client.tls.getOutputStream();
                  for (int off = 0; off < body.length; off += 65536) {
                    out.write(body, off, Math.min(65536, body.length - off));
                  }
                  out.flush();
                  client.tls.shutdownOutput();
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      byte[] echoed = client.in.readAllBytes();
      writer.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      assertArrayEquals(
          java.util.Arrays.copyOf(body, echoed.length), echoed, "the echo is not a prefix");
      assertEquals(body.length, echoed.length);
      assertArrayEquals(body, echoed);
    }
  }

  /** Reads with a 200 ms timeout, reports the timeout, then echoes one more line. */
  static final class TimesOut extends StreamRequestHandler {
    @Override
    public Optional<Duration> timeout() {
      return Optional.of(Duration.ofMillis(200));
    }

    @Override
    public void handle() throws IOException {
      try {
        rfile().readLine();
        wfile().write("no timeout\n".getBytes(US_ASCII));
      } catch (SocketTimeoutException e) {
        wfile().write("timed out\n".getBytes(US_ASCII));
      }
      // The connection stays usable after a timeout; rfile refuses reads, as CPython's does.
      wfile().write(connection().openInputStream().readLine());
    }
  }

  @Test
  @DisplayName("issue 5 TLS: StreamRequestHandler.timeout raises on a silent client; the connection stays usable")
  void timeouts() throws Exception {
    try (TCPServer server = server(tls(), TimesOut::new);
        Serving serving = Serving.start(server);
        TlsClient client = new TlsClient(server.serverAddress())) {
      assertEquals("timed out\n", client.readLine());
      client.send("after\n".getBytes(US_ASCII));
      assertEquals("after\n", client.readLine());
      assertEquals(-1, client.in.read());
    }
  }

  @Test
  @DisplayName("issue 5 TLS: a failed handshake never reaches verifyRequest or handleError; the next client is served")
  void failedHandshakeIsDropped() throws Exception {
    List<SocketAddress> verified = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    NettyOptions transport = tls();
    try (TCPServer server =
            new ThreadingTCPServer(anyLoopbackPort(), Echo::new) {
              @Override
              protected SocketProvider socketProvider() {
                return transport;
              }

              @Override
              public boolean verifyRequest(Request request, SocketAddress clientAddress) {
                verified.add(clientAddress);
                return true;
              }

              @Override
              public void handleError(Request request, SocketAddress clientAddress) {
                errors.add(currentException().orElseThrow());
              }
            };
        Serving serving = Serving.start(server)) {
      try (Client plain = Client.connect(server.serverAddress())) {
        plain.send("GET / HTTP/1.0\r\n\r\n"); // not a ClientHello
        assertTrue(plain.seesEndOfStream(TestRules.waitBound()), "the server kept a bad handshake");
      }
      try (TlsClient client = new TlsClient(server.serverAddress())) {
        client.send("hello\n".getBytes(US_ASCII));
        assertEquals("hello\n", client.readLine());
        assertEquals(List.of(client.tls.getLocalSocketAddress()), verified);
      }
    }
    assertEquals(List.of(), errors);
  }
}
