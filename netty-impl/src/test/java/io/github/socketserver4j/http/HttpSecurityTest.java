package io.github.socketserver4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12's bad-input and security cases, each over a real socket. */
class HttpSecurityTest {
  @TempDir Path base;

  static class Quiet extends SimpleHTTPRequestHandler {
    Quiet(Path root) {
      super(root);
    }

    @Override
    public String protocolVersion() {
      return "HTTP/1.1";
    }

    @Override
    public void logMessage(String format, Object... args) {}
  }

  private Serving serve(Path root) throws IOException {
    return new Serving(
        new ThreadingHTTPServer(new InetSocketAddress("127.0.0.1", 0), () -> new Quiet(root)));
  }

  private static String exchange(Serving s, String raw) throws IOException {
    try (HttpClient c = s.client()) {
      c.out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
      return new String(c.readAll(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  @DisplayName("nothing outside the directory: .., encoded dots, //host, symlinks out")
  void nothingOutsideTheDirectory() throws Exception {
    Path root = Files.createDirectory(base.resolve("root"));
    Path secret = Files.writeString(base.resolve("secret.txt"), "secret");
    Files.writeString(root.resolve("inside.txt"), "inside");
    Files.createSymbolicLink(root.resolve("out.txt"), secret);
    Files.createSymbolicLink(root.resolve("outdir"), base);
    Files.createSymbolicLink(root.resolve("in.txt"), root.resolve("inside.txt"));
    try (Serving s = serve(root)) {
      for (String path : new String[] {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
          "//../secret.txt", "/out.txt", "/outdir/secret.txt", "/outdir/", "/outdir"}) {
        String response = exchange(s, "GET " + path + " HTTP/1.0\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 404 File not found\r\n"), path + ": " + response);
        assertFalse(response.contains("secret\n") || response.endsWith("secret"), response);
      }
      assertTrue(exchange(s, "GET /in.txt HTTP/1.0\r\n\r\n").endsWith("inside"));
    }
  }

  @Test
  @DisplayName("an open redirect through //host is reduced to a path (CVE-2021-28861)")
  void noOpenRedirect() throws Exception {
    Path root = Files.createDirectory(base.resolve("root"));
    Files.createDirectory(root.resolve("evil.example"));
    try (Serving s = serve(root)) {
      String response = exchange(s, "GET //evil.example HTTP/1.0\r\n\r\n");
      assertTrue(response.contains("\r\nLocation: /evil.example/\r\n"), response);
    }
  }

  @Test
  @DisplayName("request line over 65,536 bytes: 414, and the rest is never read into memory")
  void longRequestLine() throws Exception {
    try (Serving s = serve(base);
        HttpClient c = s.client()) {
      byte[] line = ("GET /" + "x".repeat(65532)).getBytes(StandardCharsets.US_ASCII); // 65537
      c.out.write(line);
      HttpClient.Response r = c.readHead();
      assertEquals(414, r.status);
      assertEquals("URI Too Long", r.reason);
      try (HttpClient next = s.client()) {
        assertEquals(200, next.request("GET", "/").status); // still serving others
      }
    }
  }

  @Test
  @DisplayName("a header line over 65,536 bytes or more than 100 lines: 431")
  void oversizedHeaders() throws Exception {
    try (Serving s = serve(base)) {
      String longLine = "GET / HTTP/1.1\r\nX-Foo: " + "r".repeat(65535 - 7) + "\r\n";
      assertTrue(exchange(s, longLine).startsWith("HTTP/1.1 431 Line too long\r\n"));
      String many = "GET / HTTP/1.1\r\n" + "X-Foo: bar\r\n".repeat(100) + "\r\n";
      assertTrue(exchange(s, many).startsWith("HTTP/1.1 431 Too many headers\r\n"));
      String ok = "GET / HTTP/1.1\r\nConnection: close\r\n" + "X-Foo: bar\r\n".repeat(98) + "\r\n";
      assertTrue(exchange(s, ok).startsWith("HTTP/1.1 200 OK\r\n"));
    }
  }

  @Test
  @DisplayName("slow headers are cut by the handler timeout; the server keeps serving")
  void slowHeadersCut() throws Exception {
    StringBuilder log = new StringBuilder();
    try (Serving s =
            new Serving(
                new ThreadingHTTPServer(
                    new InetSocketAddress("127.0.0.1", 0),
                    () ->
                        new Quiet(base) {
                          @Override
                          public Optional<Duration> timeout() {
                            return Optional.of(Duration.ofMillis(300)); // the behaviour under test
                          }

                          @Override
                          public void logMessage(String format, Object... args) {
                            synchronized (log) {
                              log.append(String.format(format, args)).append('\n');
                            }
                          }
                        }));
        HttpClient slow = s.client()) {
      slow.out.write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(0, slow.readAll().length); // closed without an answer
      synchronized (log) {
        assertTrue(log.toString().contains("Request timed out: TimeoutError('timed out')"), log.toString());
      }
      try (HttpClient next = s.client()) {
        assertEquals(200, next.request("GET", "/").status);
      }
    }
  }

  @Test
  @DisplayName("pipelined keep-alive requests are answered in order on one connection")
  void pipelinedKeepAlive() throws Exception {
    Files.writeString(base.resolve("a.txt"), "A");
    Files.writeString(base.resolve("b.txt"), "BB");
    try (Serving s = serve(base);
        HttpClient c = s.client()) {
      c.out.write(("GET /a.txt HTTP/1.1\r\n\r\nGET /b.txt HTTP/1.1\r\n\r\n"
          + "GET /a.txt HTTP/1.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      assertEquals("A", c.read("GET").text());
      assertEquals("BB", c.read("GET").text());
      HttpClient.Response last = c.read("GET");
      assertEquals("A", last.text());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  @DisplayName("a 64 MiB file is streamed whole in 64 KiB writes")
  void largeFileStreamed() throws Exception {
    Path big = base.resolve("big.bin");
    try (var f = java.nio.channels.FileChannel.open(big,
        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      f.write(java.nio.ByteBuffer.wrap(new byte[] {42}), 64L * 1024 * 1024 - 1); // sparse
    }
    try (Serving s = serve(base);
        HttpClient c = s.client()) {
      c.send("GET", "/big.bin", "HTTP/1.0");
      HttpClient.Response head = c.readHead();
      assertEquals(String.valueOf(64L * 1024 * 1024), head.header("Content-Length"));
      long total = 0;
      byte last = 0;
      byte[] buf = new byte[1 << 16];
      for (int n; (n = c.in.read(buf)) > 0; ) {
        total += n;
        last = buf[n - 1];
      }
      assertEquals(64L * 1024 * 1024, total);
      assertEquals(42, last);
    }
  }

  @Test
  @DisplayName("header injection: a decoded CR/LF in sendHeader fails the request, nothing is sent")
  void headerInjectionRefused() throws Exception {
    java.util.List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Serving s =
            new Serving(
                new ThreadingHTTPServer(
                    new InetSocketAddress("127.0.0.1", 0),
                    () ->
                        new BaseHTTPRequestHandler() {
                          public void doGET() throws IOException {
                            sendResponse(302);
                            // CPython sends this line as is: the client sees a Set-Cookie header
                            sendHeader("Location",
                                java.net.URLDecoder.decode(path(), StandardCharsets.ISO_8859_1));
                            endHeaders();
                          }

                          @Override
                          public void logMessage(String format, Object... args) {}
                        }) {
                  @Override
                  public void handleError(
                      io.github.socketserver4j.Request r, java.net.SocketAddress a) {
                    currentException().ifPresent(errors::add);
                  }
                })) {
      String response = exchange(s, "GET /x%0d%0aSet-Cookie:%20a=b HTTP/1.0\r\n\r\n");
      assertEquals("", response);
      assertEquals(1, errors.size());
      assertTrue(errors.get(0) instanceof IllegalArgumentException, errors.toString());
    }
  }
}
