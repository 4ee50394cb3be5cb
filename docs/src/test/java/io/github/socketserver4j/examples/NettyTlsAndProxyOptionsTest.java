package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestCertificates;
import io.github.socketserver4j.testing.TestRules;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs {@link NettyTlsAndProxyOptions}: a PROXY header in the clear, then TLS, then a line. */
class NettyTlsAndProxyOptionsTest {

  @Test
  @DisplayName("docs/netty.md tls + proxyProtocol: the header's client is greeted over TLS")
  void greetsTheRealClientOverTls() throws Exception {
    SslContext tls = SslContextBuilder.forServer(TestCertificates.keyManagers()).build();
    assertEquals(
        "hello 203.0.113.7, you said hi\n",
        exchange(NettyTlsAndProxyOptions.options(tls), null, "203.0.113.7"));
    assertEquals(
        "hello 203.0.113.8, you said hi\n",
        exchange(NettyTlsAndProxyOptions.sniOptions(tls, tls), "www.example.com", "203.0.113.8"));
  }

  private static String exchange(NettyOptions netty, String serverName, String client)
      throws Exception {
    try (TCPServer server = NettyTlsAndProxyOptions.create(anyLoopbackPort(), netty)) {
      Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
      serving.start();
      try (Client plain = Client.connect(server.serverAddress())) {
        plain.send("PROXY TCP4 " + client + " 192.0.2.1 40000 443\r\n");
        InetSocketAddress address = (InetSocketAddress) server.serverAddress();
        try (SSLSocket secure =
            (SSLSocket)
                TestCertificates.clientContext()
                    .getSocketFactory()
                    .createSocket(plain.socket(), "127.0.0.1", address.getPort(), false)) {
          if (serverName != null) {
            SSLParameters parameters = secure.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            secure.setSSLParameters(parameters);
          }
          secure.getOutputStream().write("hi\n".getBytes(US_ASCII));
          secure.getOutputStream().flush();
          byte[] reply = new DataInputStream(secure.getInputStream()).readAllBytes();
          return new String(reply, US_ASCII);
        }
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
        assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
      }
    }
  }
}
