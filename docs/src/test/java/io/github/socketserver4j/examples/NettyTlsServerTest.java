package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.testing.TestCertificates;
import io.github.socketserver4j.testing.TestRules;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs {@link NettyTlsServer} with a JDK TLS client. */
class NettyTlsServerTest {

  @Test
  @DisplayName("docs/netty.md TLS handshakes: a client that connects and sends nothing does not hold a TLS client back")
  void silentClientHoldsNoOneBack() throws Exception {
    try (TCPServer server =
            NettyTlsServer.create(anyLoopbackPort(), TestCertificates.keyManagers(), 8);
        Socket silent = new Socket()) {
      Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
      serving.start();
      try {
        InetSocketAddress address = (InetSocketAddress) server.serverAddress();
        silent.connect(address); // connects, sends nothing: its handshake pends for 5 s
        silent.setSoTimeout((int) TestRules.waitBound().toMillis());
        try (SSLSocket client =
            (SSLSocket)
                TestCertificates.clientContext()
                    .getSocketFactory()
                    .createSocket(address.getAddress(), address.getPort())) {
          client.setSoTimeout((int) TestRules.waitBound().toMillis());
          client.getOutputStream().write("not held back\n".getBytes(US_ASCII));
          byte[] echoed = new byte["not held back\n".length()];
          new DataInputStream(client.getInputStream()).readFully(echoed);
          assertEquals("not held back\n", new String(echoed, US_ASCII));
        }
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
        assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
      }
    }
  }

  @Test
  @DisplayName("docs/netty.md TLS: the plaintext echo handler serves a TLS client, to its half-close")
  void echoesOverTls() throws Exception {
    try (TCPServer server = NettyTlsServer.create(anyLoopbackPort(), TestCertificates.keyManagers())) {
      Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
      serving.start();
      try {
        InetSocketAddress address = (InetSocketAddress) server.serverAddress();
        try (SSLSocket client =
            (SSLSocket)
                TestCertificates.clientContext()
                    .getSocketFactory()
                    .createSocket(address.getAddress(), address.getPort())) {
          client.setSoTimeout((int) TestRules.waitBound().toMillis());
          client.getOutputStream().write("hello over TLS\nlast".getBytes(US_ASCII));
          client.shutdownOutput();
          DataInputStream in = new DataInputStream(client.getInputStream());
          byte[] echoed = new byte["hello over TLS\nlast".length()];
          in.readFully(echoed);
          assertEquals("hello over TLS\nlast", new String(echoed, US_ASCII));
          assertEquals(-1, in.read());
        }
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
        assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
      }
    }
  }
}
