package io.github.socketserver4j.http;

import io.github.socketserver4j.testing.TestRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small HTTP/1.x client over a plain socket, in the role of CPython's {@code http.client} in
 * test_httpservers: it writes exactly the request line it is given (so a test can send bogus
 * versions) and reads responses by their {@code Content-Length}, or to end of stream.
 */
final class HttpClient implements AutoCloseable {
  final Socket socket;
  final InputStream in;
  final OutputStream out;

  HttpClient(InetSocketAddress address) throws IOException {
    socket = new Socket(address.getAddress(), address.getPort());
    socket.setSoTimeout((int) TestRules.waitBound().toMillis());
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** A parsed response. */
  static final class Response {
    String statusLine;
    String version;
    int status;
    String reason;
    final List<Map.Entry<String, String>> headers = new ArrayList<>();
    byte[] body;

    String header(String name) {
      for (Map.Entry<String, String> h : headers) {
        if (h.getKey().equalsIgnoreCase(name)) {
          return h.getValue();
        }
      }
      return null;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Sends {@code method path version} (no version: two words) with headers, then an empty line. */
  void send(String method, String path, String version, String... headers) throws IOException {
    StringBuilder b = new StringBuilder(method).append(' ').append(path);
    if (!version.isEmpty()) {
      b.append(' ').append(version);
    }
    b.append("\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      b.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    b.append("\r\n");
    out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  Response request(String method, String path, String... headers) throws IOException {
    send(method, path, "HTTP/1.1", headers);
    return read(method);
  }

  /** Reads one response to a request made with {@code method}. */
  Response read(String method) throws IOException {
    Response r = readHead();
    String length = r.header("Content-Length");
    boolean noBody =
        method.equals("HEAD") || r.status < 200 || r.status == 204 || r.status == 304;
    if (noBody) {
      r.body = new byte[0];
    } else if (length != null) {
      r.body = in.readNBytes(Integer.parseInt(length));
    } else {
      r.body = in.readAllBytes();
    }
    return r;
  }

  /** Reads the status line and headers only. */
  Response readHead() throws IOException {
    Response r = new Response();
    r.statusLine = line();
    String[] parts = r.statusLine.split(" ", 3);
    r.version = parts[0];
    r.status = Integer.parseInt(parts[1]);
    r.reason = parts.length > 2 ? parts[2] : "";
    for (String h; !(h = line()).isEmpty(); ) {
      int colon = h.indexOf(':');
      r.headers.add(Map.entry(h.substring(0, colon), h.substring(colon + 1).strip()));
    }
    return r;
  }

  /** Whether the server closed the connection: the next read is end of stream. */
  boolean closedByServer() throws IOException {
    return in.read() == -1;
  }

  /** Everything until the server closes. */
  byte[] readAll() throws IOException {
    return in.readAllBytes();
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new IOException("connection closed in a header line: " + b);
      }
      b.write(c);
    }
    String s = b.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
