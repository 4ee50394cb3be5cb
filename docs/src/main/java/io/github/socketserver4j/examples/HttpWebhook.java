package io.github.socketserver4j.examples;

import io.github.socketserver4j.http.BaseHTTPRequestHandler;
import io.github.socketserver4j.http.ThreadingHTTPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A webhook receiver ported line by line from Python's {@code http.server}: POST stores the body,
 * GET returns the last one. docs/http.md shows it beside the Python original.
 */
public final class HttpWebhook {
  private HttpWebhook() {}

  // tag::webhook[]
  static class Hook extends BaseHTTPRequestHandler {          // class Hook(BaseHTTPRequestHandler):
    static volatile byte[] last = new byte[0];

    public void doPOST() throws IOException {                 //     def do_POST(self):
      int n = Integer.parseInt(headers().get("Content-Length", "0"));
      last = rfile().readNBytes(n);                           //         self.rfile.read(n)
      sendResponse(204);                                      //         self.send_response(204)
      endHeaders();                                           //         self.end_headers()
    }

    public void doGET() throws IOException {                  //     def do_GET(self):
      sendResponse(200);
      sendHeader("Content-Type", "application/octet-stream");
      sendHeader("Content-Length", String.valueOf(last.length));
      endHeaders();
      wfile().write(last);                                    //         self.wfile.write(last)
    }
  }
  // end::webhook[]

  /**
   * Serves on 127.0.0.1 until killed.
   *
   * @param args the port; 0 lets the system choose one
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
    // tag::webhook[]
    try (var server = new ThreadingHTTPServer(new InetSocketAddress("127.0.0.1", port), Hook::new)) {
      // end::webhook[]
      InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
      System.out.println("Serving on " + bound.getHostString() + ":" + bound.getPort());
      System.out.flush();
      // tag::webhook[]
      server.serveForever();
    }
    // end::webhook[]
  }

  static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }
}
