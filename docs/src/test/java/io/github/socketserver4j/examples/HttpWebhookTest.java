package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.http.ThreadingHTTPServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** docs/http.md's webhook: a POST is stored and a GET returns it, with CPython's headers. */
class HttpWebhookTest {

  private static String exchange(InetSocketAddress a, String request) throws Exception {
    try (Socket s = new Socket(a.getAddress(), a.getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  @DisplayName("docs/http.md webhook: POST stores the body, GET returns it")
  void postThenGet() throws Exception {
    try (var server = new ThreadingHTTPServer(new InetSocketAddress("127.0.0.1", 0), HttpWebhook.Hook::new)) {
      Thread loop = new Thread(server::serveForever, "webhook");
      loop.start();
      try {
        InetSocketAddress a = (InetSocketAddress) server.serverAddress();
        String posted = exchange(a, "POST /hook HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello");
        assertTrue(posted.startsWith("HTTP/1.0 204 No Content\r\nServer: BaseHTTP/0.6 Java/"), posted);
        String got = exchange(a, "GET /hook HTTP/1.0\r\n\r\n");
        assertTrue(got.startsWith("HTTP/1.0 200 OK\r\n"), got);
        assertTrue(got.endsWith("\r\nContent-Length: 5\r\n\r\nhello"), got);
        assertEquals("hello", HttpWebhook.text(HttpWebhook.Hook.last));
      } finally {
        server.shutdown();
        loop.join(30_000);
      }
    }
  }
}
