package io.github.socketserver4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** CPython 3.13's {@code BaseHTTPServerTestCase}, over real sockets. */
class BaseHTTPServerTest {

  /** CPython's {@code BaseHTTPServerTestCase.request_handler}. */
  static class RequestHandler extends BaseHTTPRequestHandler {
    @Override
    public String protocolVersion() {
      return "HTTP/1.1";
    }

    @Override
    public String defaultRequestVersion() {
      return "HTTP/1.1";
    }

    @Override
    public void logMessage(String format, Object... args) {} // NoLogRequestHandler

    public void doTEST() throws IOException {
      sendResponse(HTTPStatus.NO_CONTENT.value());
      sendHeader("Content-Type", "text/html");
      sendHeader("Connection", "close");
      endHeaders();
    }

    public void doKEEP() throws IOException {
      sendResponse(HTTPStatus.NO_CONTENT.value());
      sendHeader("Content-Type", "text/html");
      sendHeader("Connection", "keep-alive");
      endHeaders();
    }

    public void doKEYERROR() throws IOException {
      sendError(999);
    }

    public void doNOTFOUND() throws IOException {
      sendError(HTTPStatus.NOT_FOUND.value());
    }

    public void doEXPLAINERROR() throws IOException {
      sendError(999, "Short Message", "This is a long \n explanation");
    }

    public void doCUSTOM() throws IOException {
      sendResponse(999);
      sendHeader("Content-Type", "text/html");
      sendHeader("Connection", "close");
      endHeaders();
    }

    public void doLATINONEHEADER() throws IOException {
      sendResponse(999);
      sendHeader("X-Special", "Dängerous Mind");
      sendHeader("Connection", "close");
      endHeaders();
      byte[] body = headers().get("x-special-incoming", "").getBytes(StandardCharsets.UTF_8);
      wfile().write(body);
    }

    public void doSEND_ERROR() throws IOException {
      sendError(Integer.parseInt(path().substring(1)));
    }

    public void doHEAD() throws IOException {
      sendError(Integer.parseInt(path().substring(1)));
    }
  }

  private Serving serving;
  private HttpClient con;

  @BeforeEach
  void setUp() throws Exception {
    serving = new Serving(new HTTPServer(new InetSocketAddress("127.0.0.1", 0), RequestHandler::new));
    con = serving.client();
  }

  @AfterEach
  void tearDown() throws Exception {
    con.close();
    serving.close();
  }

  private int statusOf(String requestLine) throws IOException {
    con.out.write((requestLine + "\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return con.readHead().status;
  }

  @Test
  @DisplayName("test_command")
  void command() throws Exception {
    assertEquals(501, con.request("GET", "/").status);
  }

  @Test
  @DisplayName("test_request_line_trimming")
  void requestLineTrimming() throws Exception {
    assertEquals(501, statusOf("XYZBOGUS / HTTP/1.1\n"));
  }

  @Test
  @DisplayName("test_version_bogus")
  void versionBogus() throws Exception {
    assertEquals(400, statusOf("GET / FUBAR"));
  }

  @Test
  @DisplayName("test_version_digits")
  void versionDigits() throws Exception {
    assertEquals(400, statusOf("GET / HTTP/9.9.9"));
  }

  @Test
  @DisplayName("test_version_signs_and_underscores")
  void versionSignsAndUnderscores() throws Exception {
    assertEquals(400, statusOf("GET / HTTP/-9_9_9.+9_9_9"));
  }

  @Test
  @DisplayName("test_major_version_number_too_long")
  void majorVersionNumberTooLong() throws Exception {
    assertEquals(400, statusOf("GET / HTTP/909876543210.0"));
  }

  @Test
  @DisplayName("test_minor_version_number_too_long")
  void minorVersionNumberTooLong() throws Exception {
    assertEquals(400, statusOf("GET / HTTP/1.909876543210"));
  }

  @Test
  @DisplayName("test_version_none_get")
  void versionNoneGet() throws Exception {
    assertEquals(501, statusOf("GET / "));
  }

  @Test
  @DisplayName("test_version_none")
  void versionNone() throws Exception {
    assertEquals(400, statusOf("CUSTOM / "));
  }

  @Test
  @DisplayName("test_version_invalid")
  void versionInvalid() throws Exception {
    assertEquals(505, statusOf("GET / HTTP/9.9"));
  }

  @Test
  @DisplayName("test_send_blank")
  void sendBlank() throws Exception {
    assertEquals(400, statusOf(" / ")); // http.client sends an empty url as "/"
  }

  @Test
  @DisplayName("test_header_close")
  void headerClose() throws Exception {
    con.send("GET", "/", "HTTP/1.0", "Connection", "close");
    assertEquals(501, con.read("GET").status);
  }

  @Test
  @DisplayName("test_header_keep_alive")
  void headerKeepAlive() throws Exception {
    con.send("GET", "/", "HTTP/1.1", "Connection", "keep-alive");
    assertEquals(501, con.read("GET").status);
  }

  @Test
  @DisplayName("test_handler")
  void handler() throws Exception {
    assertEquals(204, con.request("TEST", "/").status);
  }

  @Test
  @DisplayName("test_return_header_keep_alive")
  void returnHeaderKeepAlive() throws Exception {
    assertEquals("keep-alive", con.request("KEEP", "/").header("Connection"));
    assertEquals(204, con.request("TEST", "/").status); // the same connection served again
  }

  @Test
  @DisplayName("test_internal_key_error")
  void internalKeyError() throws Exception {
    assertEquals(999, con.request("KEYERROR", "/").status);
  }

  @Test
  @DisplayName("test_return_custom_status")
  void returnCustomStatus() throws Exception {
    assertEquals(999, con.request("CUSTOM", "/").status);
  }

  @Test
  @DisplayName("test_return_explain_error")
  void returnExplainError() throws Exception {
    HttpClient.Response res = con.request("EXPLAINERROR", "/");
    assertEquals(999, res.status);
    assertTrue(Integer.parseInt(res.header("Content-Length")) > 0);
  }

  @Test
  @DisplayName("test_latin1_header")
  void latin1Header() throws Exception {
    HttpClient.Response res = con.request("LATINONEHEADER", "/", "X-Special-Incoming", "Ärger mit Unicode");
    assertEquals("Dängerous Mind", res.header("X-Special"));
    assertEquals("Ärger mit Unicode", res.text());
  }

  @Test
  @DisplayName("test_error_content_length (issue #16088)")
  void errorContentLength() throws Exception {
    HttpClient.Response res = con.request("NOTFOUND", "/");
    assertEquals(404, res.status);
    assertEquals(Integer.parseInt(res.header("Content-Length")), res.body.length);
  }

  @Test
  @DisplayName("test_send_error")
  void sendError() throws Exception {
    con.close(); // a synchronous server serves one connection at a time
    for (int code : new int[] {204, 304, 102, 205, 101}) {
      try (HttpClient c = serving.client()) {
        HttpClient.Response res = c.request("SEND_ERROR", "/" + code);
        assertEquals(code, res.status);
        assertNull(res.header("Content-Length"));
        assertNull(res.header("Content-Type"));
        assertNull(res.header("Transfer-Encoding"));
        assertEquals(0, c.readAll().length); // no body, and the server closed
      }
    }
  }

  @Test
  @DisplayName("test_head_via_send_error")
  void headViaSendError() throws Exception {
    con.close();
    for (int code : new int[] {200, 204, 304, 205, 101}) {
      try (HttpClient c = serving.client()) {
        HttpClient.Response res = c.request("HEAD", "/" + code);
        assertEquals(code, res.status);
        if (code == 200) {
          assertTrue(Integer.parseInt(res.header("Content-Length")) > 0);
          assertTrue(res.header("Content-Type").contains("text/html"));
        } else {
          assertNull(res.header("Content-Length"));
          assertNull(res.header("Content-Type"));
        }
        assertNull(res.header("Transfer-Encoding"));
        assertEquals(0, c.readAll().length);
      }
    }
  }
}
