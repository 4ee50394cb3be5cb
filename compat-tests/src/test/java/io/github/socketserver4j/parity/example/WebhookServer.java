package io.github.socketserver4j.parity.example;

import io.github.socketserver4j.http.BaseHTTPRequestHandler;
import io.github.socketserver4j.http.ThreadingHTTPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Porter-mode example: the Java port of {@code webhook_server.py}, an {@code http.server}
 * program, line by line. The comments are the Python original.
 */
public final class WebhookServer {
  private WebhookServer() {}

  static final class Hook extends BaseHTTPRequestHandler { // class Hook(BaseHTTPRequestHandler):
    static final List<byte[]> RECEIVED = new CopyOnWriteArrayList<>(); // received = []

    @Override
    public String serverVersion() { // server_version = "Webhook/1.0"
      return "Webhook/1.0";
    }

    public void doPOST() throws IOException { // def do_POST(self):
      int length = Integer.parseInt(headers().get("Content-Length", "0"));
      byte[] body = rfile().readNBytes(length); // body = self.rfile.read(length)
      if (!path().equals("/hook")) {
        sendError(404, "No such hook");
        return;
      }
      RECEIVED.add(body);
      // json.dumps({"received": len(body), "count": len(Hook.received)}).encode()
      byte[] reply = ("{\"received\": " + body.length + ", \"count\": " + RECEIVED.size() + "}")
          .getBytes(StandardCharsets.UTF_8);
      sendResponse(201);
      sendHeader("Content-Type", "application/json");
      sendHeader("Content-Length", String.valueOf(reply.length));
      endHeaders();
      wfile().write(reply);
    }

    public void doGET() throws IOException { // def do_GET(self):
      if (!path().equals("/count")) {
        sendError(404);
        return;
      }
      byte[] reply = (RECEIVED.size() + "\n").getBytes(StandardCharsets.UTF_8);
      sendResponse(200);
      sendHeader("Content-Type", "text/plain");
      endHeaders();
      wfile().write(reply);
    }
  }

  /**
   * {@code with ThreadingHTTPServer(("127.0.0.1", 0), Hook) as server: ...}.
   *
   * @param args none
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    try (var server = new ThreadingHTTPServer(new InetSocketAddress("127.0.0.1", 0), Hook::new)) {
      System.out.println(server.serverAddress());
      server.serveForever();
    }
  }
}
