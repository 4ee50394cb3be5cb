package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.testing.TestCertificates;
import io.github.socketserver4j.testing.TestRules;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link NettyRequestContext}: a PROXY v1 header, then mutual TLS where the client presents
 * the test certificate ({@code CN=localhost}), which the server trusts.
 */
class NettyRequestContextTest {

  @Test
  @DisplayName("docs/netty.md request context: getpeercert(), the PROXY header and a channel attribute reach the handler")
  void handlerSeesCertificateHeaderAndAttribute() throws Exception {
    SslContext tls =
        SslContextBuilder.forServer(TestCertificates.keyManagers())
            .trustManager(TestCertificates.trustManagers())
            .clientAuth(ClientAuth.REQUIRE)
            .build();
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(
        TestCertificates.keyManagers().getKeyManagers(),
        TestCertificates.trustManagers().getTrustManagers(),
        null);
    try (TCPServer server = NettyRequestContext.create(anyLoopbackPort(), tls)) {
      Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
      serving.start();
      try {
        InetSocketAddress address = (InetSocketAddress) server.serverAddress();
        Socket plain = new Socket(address.getAddress(), address.getPort());
        plain.getOutputStream()
            .write("PROXY TCP4 203.0.113.7 192.0.2.1 56324 443\r\n".getBytes(US_ASCII));
        try (SSLSocket s =
            (SSLSocket)
                client.getSocketFactory().createSocket(plain, "localhost", address.getPort(), true)) {
          s.setSoTimeout((int) TestRules.waitBound().toMillis());
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII));
          assertEquals("hello localhost via 192.0.2.1:443 for tenant-7", in.readLine());
        }
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
        assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
      }
    }
  }
}
