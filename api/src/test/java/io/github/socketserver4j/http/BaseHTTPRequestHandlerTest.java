package io.github.socketserver4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code BaseHTTPRequestHandlerTestCase}: request parsing, {@code Expect:
 * 100-continue}, the header buffer and the limits, on a handler without a socket.
 */
class BaseHTTPRequestHandlerTest {
  private static final Pattern RESPONSE_MATCH = Pattern.compile("HTTP/1.[0-9]+ 200 OK");

  private SocketlessRequestHandler handler = new SocketlessRequestHandler();

  private List<String> sendTypicalRequest(String message) throws Exception {
    return Socketless.run(handler, message).lines();
  }

  private void verifyExpectedHeaders(List<String> headers) {
    for (String field : new String[] {"Server: ", "Date: ", "Content-Type: "}) {
      assertEquals(1, headers.stream().filter(h -> h.startsWith(field)).count(), field + headers);
    }
  }

  private void verifyHttpServerResponse(String response) {
    assertTrue(RESPONSE_MATCH.matcher(response).find(), response);
  }

  @Test
  @DisplayName("test_unprintable_not_logged")
  void unprintableNotLogged() throws Exception {
    BaseHTTPRequestHandler plain = new BaseHTTPRequestHandler();
    Socketless.run(plain, "");
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      plain.logMessage("/foo");
      plain.logMessage("/\033bar\000\033");
      plain.logMessage("/spam %s.", "a");
      plain.logMessage("/spam %s.", "\033\u007f\u009f\u00a0beans");
      plain.logMessage("\"GET /foo\\b\"ar\007 HTTP/1.0\"");
    } finally {
      System.setErr(saved);
    }
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertFalse(stderr.contains("\033"));
    assertFalse(stderr.contains("\000"));
    String[] lines = stderr.split("\n");
    assertTrue(lines[0].contains("/foo"));
    assertTrue(lines[1].contains("/\\x1bbar\\x00\\x1b"), lines[1]);
    assertTrue(lines[2].contains("/spam a."));
    assertTrue(lines[3].contains("/spam \\x1b\\x7f\\x9f\u00a0beans."), lines[3]);
    assertTrue(lines[4].contains("\"GET /foo\\\\b\"ar\\x07 HTTP/1.0\""), lines[4]);
    assertTrue(lines[0].startsWith("127.0.0.1 - - ["), lines[0]);
  }

  @Test
  @DisplayName("test_http_1_1")
  void http11() throws Exception {
    List<String> result = sendTypicalRequest("GET / HTTP/1.1\r\n\r\n");
    verifyHttpServerResponse(result.get(0));
    verifyExpectedHeaders(result.subList(1, result.size() - 1));
    assertTrue(handler.getCalled);
    assertEquals("<html><body>Data</body></html>\r\n", result.get(result.size() - 1));
    assertEquals("GET / HTTP/1.1", handler.requestline());
    assertEquals("GET", handler.command());
    assertEquals("/", handler.path());
    assertEquals("HTTP/1.1", handler.requestVersion());
    assertEquals(List.of(), handler.headers().items());
  }

  @Test
  @DisplayName("test_http_1_0")
  void http10() throws Exception {
    List<String> result = sendTypicalRequest("GET / HTTP/1.0\r\n\r\n");
    verifyHttpServerResponse(result.get(0));
    verifyExpectedHeaders(result.subList(1, result.size() - 1));
    assertTrue(handler.getCalled);
    assertEquals("<html><body>Data</body></html>\r\n", result.get(result.size() - 1));
    assertEquals("GET / HTTP/1.0", handler.requestline());
    assertEquals("HTTP/1.0", handler.requestVersion());
    assertEquals(List.of(), handler.headers().items());
  }

  @Test
  @DisplayName("test_http_0_9")
  void http09() throws Exception {
    List<String> result = sendTypicalRequest("GET / HTTP/0.9\r\n\r\n");
    assertEquals(List.of("<html><body>Data</body></html>\r\n"), result);
    assertTrue(handler.getCalled);
  }

  @Test
  @DisplayName("test_extra_space")
  void extraSpace() throws Exception {
    List<String> result = sendTypicalRequest("GET /spaced out HTTP/1.1\r\nHost: dummy\r\n\r\n");
    assertTrue(result.get(0).startsWith("HTTP/1.1 400 "), result.get(0));
    verifyExpectedHeaders(result.subList(1, result.indexOf("\r\n")));
    assertFalse(handler.getCalled);
  }

  @Test
  @DisplayName("test_with_continue_1_0")
  void withContinue10() throws Exception {
    List<String> result = sendTypicalRequest("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n");
    verifyHttpServerResponse(result.get(0));
    verifyExpectedHeaders(result.subList(1, result.size() - 1));
    assertTrue(handler.getCalled);
    assertEquals("<html><body>Data</body></html>\r\n", result.get(result.size() - 1));
    assertEquals("HTTP/1.0", handler.requestVersion());
    assertEquals(List.of(Map.entry("Expect", "100-continue")), handler.headers().items());
  }

  @Test
  @DisplayName("test_with_continue_1_1")
  void withContinue11() throws Exception {
    List<String> result = sendTypicalRequest("GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n");
    assertEquals("HTTP/1.1 100 Continue\r\n", result.get(0));
    assertEquals("\r\n", result.get(1));
    assertEquals("HTTP/1.1 200 OK\r\n", result.get(2));
    verifyExpectedHeaders(result.subList(2, result.size() - 1));
    assertTrue(handler.getCalled);
    assertEquals("<html><body>Data</body></html>\r\n", result.get(result.size() - 1));
    assertEquals(List.of(Map.entry("Expect", "100-continue")), handler.headers().items());
  }

  @Test
  @DisplayName("test_header_buffering_of_send_error")
  void headerBufferingOfSendError() throws Exception {
    handler.handleOverride =
        h -> {
          h.requestVersion("HTTP/1.1");
          h.request(null, "");
          h.sendError(418);
        };
    Socketless.Memory out = Socketless.run(handler, "GET / HTTP/1.1\r\n\r\n");
    assertEquals(2, out.writes.size());
  }

  @Test
  @DisplayName("test_header_buffering_of_send_response_only")
  void headerBufferingOfSendResponseOnly() throws Exception {
    int[] before = new int[1];
    Socketless.Memory[] memory = new Socketless.Memory[1];
    handler.handleOverride =
        h -> {
          h.requestVersion("HTTP/1.1");
          h.sendResponseOnly(418);
          before[0] = memory[0].writes.size();
          h.endHeaders();
        };
    memory[0] = new Socketless.Memory(new byte[0]);
    handler.run(memory[0], Socketless.CLIENT, new Socketless.NoServer());
    assertEquals(0, before[0]);
    assertEquals(1, memory[0].writes.size());
  }

  @Test
  @DisplayName("test_header_buffering_of_send_header")
  void headerBufferingOfSendHeader() throws Exception {
    int[] before = new int[1];
    Socketless.Memory memory = new Socketless.Memory(new byte[0]);
    handler.handleOverride =
        h -> {
          h.requestVersion("HTTP/1.1");
          h.sendHeader("Foo", "foo");
          h.sendHeader("bar", "bar");
          before[0] = memory.writes.size();
          h.endHeaders();
        };
    handler.run(memory, Socketless.CLIENT, new Socketless.NoServer());
    assertEquals(0, before[0]);
    assertEquals("Foo: foo\r\nbar: bar\r\n\r\n", memory.text());
    assertEquals(1, memory.writes.size());
  }

  @Test
  @DisplayName("test_header_unbuffered_when_continue")
  void headerUnbufferedWhenContinue() throws Exception {
    Socketless.Memory out =
        Socketless.run(handler, "GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n");
    assertNotEquals("", out.text());
    String[] result = out.text().split("\r\n", -1);
    assertEquals("HTTP/1.1 100 Continue", result[0]);
    assertEquals("", result[1]);
    assertEquals("HTTP/1.1 200 OK", result[2]);
    assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(out.writes.get(0), "ISO-8859-1"));
  }

  @Test
  @DisplayName("test_with_continue_rejected")
  void withContinueRejected() throws Exception {
    handler =
        new SocketlessRequestHandler() {
          @Override
          public boolean handleExpect100() throws java.io.IOException {
            sendError(HTTPStatus.EXPECTATION_FAILED.value());
            return false;
          }
        };
    List<String> result = sendTypicalRequest("GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n");
    assertEquals("HTTP/1.1 417 Expectation Failed\r\n", result.get(0));
    verifyExpectedHeaders(result.subList(1, result.size() - 1));
    assertFalse(handler.getCalled);
    assertEquals(
        1, result.subList(1, result.size() - 1).stream()
            .filter("Connection: close\r\n"::equals).count());
  }

  @Test
  @DisplayName("test_request_length (issue #10714)")
  void requestLength() throws Exception {
    List<String> result = sendTypicalRequest("GET " + "x".repeat(65537));
    assertEquals("HTTP/1.1 414 URI Too Long\r\n", result.get(0));
    assertFalse(handler.getCalled);
    assertEquals("", handler.requestline());
  }

  @Test
  @DisplayName("test_header_length (issue #6791)")
  void headerLength() throws Exception {
    List<String> result =
        sendTypicalRequest("GET / HTTP/1.1\r\nX-Foo: bar" + "r".repeat(65537) + "\r\n\r\n");
    assertEquals("HTTP/1.1 431 Line too long\r\n", result.get(0));
    assertFalse(handler.getCalled);
    assertEquals("GET / HTTP/1.1", handler.requestline());
  }

  @Test
  @DisplayName("test_too_many_headers")
  void tooManyHeaders() throws Exception {
    List<String> result =
        sendTypicalRequest("GET / HTTP/1.1\r\n" + "X-Foo: bar\r\n".repeat(101) + "\r\n");
    assertEquals("HTTP/1.1 431 Too many headers\r\n", result.get(0));
    assertFalse(handler.getCalled);
    assertEquals("GET / HTTP/1.1", handler.requestline());
  }

  @Test
  @DisplayName("test_html_escape_on_error")
  void htmlEscapeOnError() throws Exception {
    String result =
        String.join("", sendTypicalRequest("<script>alert(\"hello\")</script> / HTTP/1.1"));
    assertTrue(result.contains("&lt;script&gt;alert(\"hello\")&lt;/script&gt;"), result);
  }

  @Test
  @DisplayName("test_close_connection")
  void closeConnection() throws Exception {
    for (List<Boolean> values : List.of(List.of(true), List.of(false, false, true))) {
      Iterator<Boolean> closeValues = values.iterator();
      BaseHTTPRequestHandler h =
          new BaseHTTPRequestHandler() {
            @Override
            public void handleOneRequest() {
              setCloseConnection(closeValues.next());
            }
          };
      Socketless.run(h, "");
      assertFalse(closeValues.hasNext());
    }
  }

  @Test
  @DisplayName("test_date_time_string")
  void dateTimeString() throws Exception {
    double now = System.currentTimeMillis() / 1000.0;
    ZonedDateTime t = Instant.ofEpochSecond((long) Math.floor(now)).atZone(ZoneOffset.UTC);
    String expected =
        String.format(
            "%s, %02d %3s %4d %02d:%02d:%02d GMT",
            BaseHTTPRequestHandler.WEEKDAYNAME.get(t.getDayOfWeek().getValue() - 1),
            t.getDayOfMonth(),
            BaseHTTPRequestHandler.MONTHNAME.get(t.getMonthValue() - 1),
            t.getYear(),
            t.getHour(),
            t.getMinute(),
            t.getSecond());
    assertEquals(expected, handler.dateTimeString(now));
  }

  @Test
  @DisplayName("issue 12: sendHeader refuses CR and LF (CPython passes them: header injection)")
  void sendHeaderRefusesLineBreaks() throws Exception {
    Throwable[] thrown = new Throwable[3];
    handler.handleOverride =
        h -> {
          h.requestVersion("HTTP/1.1");
          thrown[0] = assertThrows(IllegalArgumentException.class,
              () -> h.sendHeader("X-Evil", "a\r\nSet-Cookie: b=c"));
          thrown[1] = assertThrows(IllegalArgumentException.class,
              () -> h.sendHeader("X-Evil\nSet-Cookie", "x"));
          thrown[2] = assertThrows(IllegalArgumentException.class,
              () -> h.sendResponseOnly(200, "OK\r\nSet-Cookie: b=c"));
          h.sendHeader("X-Fine", "ok");
          h.endHeaders();
        };
    Socketless.Memory out = Socketless.run(handler, "");
    assertEquals("X-Fine: ok\r\n\r\n", out.text());
    assertTrue(thrown[0].getMessage().contains("CR"), thrown[0].getMessage());
  }

  @Test
  @DisplayName("issue 12: a handler sets TCP_NODELAY, so a body after its headers never waits"
      + " for a delayed ACK")
  void noDelayedAckStall() throws Exception {
    Socketless.Memory out = Socketless.run(handler, "GET / HTTP/1.1\r\n\r\n");
    assertTrue(out.noDelay);
    assertTrue(new BaseHTTPRequestHandler().disableNagleAlgorithm());
  }

  @Test
  @DisplayName("issue 12: do methods are found by reflection, verbatim and case-sensitive")
  void dispatchIsVerbatim() throws Exception {
    class Custom extends BaseHTTPRequestHandler {
      final java.util.List<String> calls = new java.util.ArrayList<>();

      public void doPROPFIND() {
        calls.add("PROPFIND");
        setCloseConnection(true);
      }

      protected void doget() {
        calls.add("get");
      }
    }
    Custom h = new Custom();
    Socketless.Memory out =
        Socketless.run(h, "PROPFIND / HTTP/1.0\r\n\r\n");
    assertEquals(List.of("PROPFIND"), h.calls);
    assertEquals("", out.text());
    Custom lower = new Custom();
    Socketless.run(lower, "get / HTTP/1.0\r\n\r\n");
    assertEquals(List.of("get"), lower.calls);
    Custom none = new Custom();
    Socketless.Memory refused = Socketless.run(none, "GET / HTTP/1.0\r\n\r\n");
    assertTrue(refused.text().startsWith("HTTP/1.0 501 Unsupported method ('GET')\r\n"),
        refused.text());
  }
}
