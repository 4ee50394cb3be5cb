package io.github.socketserver4j.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** CPython 3.13's {@code RequestHandlerLoggingTestCase}: what log_message writes to stderr. */
class RequestHandlerLoggingTest {

  static class RequestHandler extends BaseHTTPRequestHandler {
    @Override
    public String protocolVersion() {
      return "HTTP/1.1";
    }

    @Override
    public String defaultRequestVersion() {
      return "HTTP/1.1";
    }

    public void doGET() throws IOException {
      sendResponse(HTTPStatus.OK.value());
      endHeaders();
    }

    public void doERROR() throws IOException {
      sendError(HTTPStatus.NOT_FOUND.value(), "File not found");
    }
  }

  private Serving serving;
  private PrintStream savedErr;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws Exception {
    serving = new Serving(new HTTPServer(new InetSocketAddress("127.0.0.1", 0), RequestHandler::new));
  }

  @AfterEach
  void tearDown() throws Exception {
    serving.close();
  }

  private String captured(String method) throws Exception {
    savedErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (HttpClient con = serving.client()) {
      con.send(method, "/", "HTTP/1.1");
      con.readHead(); // CPython's test calls getresponse() only
    } finally {
      System.setErr(savedErr);
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("test_get")
  void get() throws Exception {
    String out = captured("GET");
    assertTrue(out.endsWith("\"GET / HTTP/1.1\" 200 -\n"), out);
    assertTrue(out.matches("127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4} \\d\\d:\\d\\d:\\d\\d\\] .*\n"), out);
  }

  @Test
  @DisplayName("test_err")
  void err() throws Exception {
    String[] lines = captured("ERROR").split("\n");
    assertTrue(lines[0].endsWith("code 404, message File not found"), lines[0]);
    assertTrue(lines[1].endsWith("\"ERROR / HTTP/1.1\" 404 -"), lines[1]);
  }
}
