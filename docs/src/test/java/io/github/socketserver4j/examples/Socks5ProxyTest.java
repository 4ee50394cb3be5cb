package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The SOCKS5 port with the JDK's own SOCKS client ({@code new Socket(Proxy)}): both directions
 * of the relay, a half-close ending it, and a megabyte through it.
 */
class Socks5ProxyTest {
  /** The destination: echoes lines; answers "bye" and ends on "quit". */
  static class Echo extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
    }
  }

  @Test
  @DisplayName("SOCKS5 CONNECT through the port: bytes both ways, then the client's close ends the relay")
  void relaysThroughTheProxy() throws Exception {
    try (var target = new ThreadingTCPServer(anyLoopbackPort(), Echo::new);
        var proxy = new ThreadingTCPServer(anyLoopbackPort(), Socks5Proxy.SocksProxy::new)) {
      Background targetLoop = Background.start("target", target::serveForever);
      Background proxyLoop = Background.start("proxy", proxy::serveForever);
      try {
        try (Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, proxy.serverAddress()))) {
          s.setSoTimeout((int) TestRules.waitBound().toMillis());
          s.connect(target.serverAddress(), (int) TestRules.waitBound().toMillis());
          s.getOutputStream().write("hello through socks\n".getBytes(StandardCharsets.US_ASCII));
          InputStream in = s.getInputStream();
          assertEquals("hello through socks\n",
              new String(in.readNBytes(20), StandardCharsets.US_ASCII));
          byte[] big = new byte[1 << 20];
          for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
          }
          big[big.length - 1] = '\n';
          Background writer = Background.start("writer", () -> s.getOutputStream().write(big));
          assertArrayEquals(big, in.readNBytes(big.length));
          writer.join();
          s.shutdownOutput(); // the echo sees EOF, ends; the relay ends; the proxy closes
          assertEquals(-1, in.read());
        }
      } finally {
        proxy.shutdown();
        target.shutdown();
        proxyLoop.join();
        targetLoop.join();
      }
    }
  }

  @Test
  @DisplayName("the proxy's reply names the remote socket's bound address (CONNECT, IPv4)")
  void replyNamesTheBoundAddress() throws Exception {
    try (var target = new ThreadingTCPServer(anyLoopbackPort(), Echo::new);
        var proxy = new ThreadingTCPServer(anyLoopbackPort(), Socks5Proxy.SocksProxy::new)) {
      Background targetLoop = Background.start("target", target::serveForever);
      Background proxyLoop = Background.start("proxy", proxy::serveForever);
      try (Socket s = new Socket()) {
        s.setSoTimeout((int) TestRules.waitBound().toMillis());
        s.connect(proxy.serverAddress());
        InetSocketAddress t = (InetSocketAddress) target.serverAddress();
        s.getOutputStream().write(new byte[] {5, 1, 0});
        assertArrayEquals(new byte[] {5, 0}, s.getInputStream().readNBytes(2));
        byte[] ip = t.getAddress().getAddress();
        s.getOutputStream().write(new byte[] {5, 1, 0, 1, ip[0], ip[1], ip[2], ip[3],
            (byte) (t.getPort() >> 8), (byte) t.getPort()});
        byte[] reply = s.getInputStream().readNBytes(10);
        assertArrayEquals(new byte[] {5, 0, 0, 1, 127, 0, 0, 1}, java.util.Arrays.copyOf(reply, 8));
      } finally {
        proxy.shutdown();
        target.shutdown();
        proxyLoop.join();
        targetLoop.join();
      }
    }
  }
}
