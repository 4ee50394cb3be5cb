package io.github.socketserver4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The pure pieces against values CPython 3.13 gives (each expected value was printed by
 * python3.13 for the same input): email's header rules, dates, URL quoting, repr, mime types.
 */
class ParsingTest {

  @Test
  @DisplayName("http.client.parse_headers: compat32 rules (folding, bad lines end the headers)")
  void headerRules() {
    HTTPMessage m =
        HeaderReader.parse(
            "Host: x\r\nX-Fold: a\r\n  b\r\nx-fold: second\r\n:nameless\r\nA:  spaced \r\n\r\n");
    assertEquals(
        List.of(
            Map.entry("Host", "x"),
            Map.entry("X-Fold", "a\r\n  b"),
            Map.entry("x-fold", "second"),
            Map.entry("A", "spaced ")),
        m.items());
    assertEquals(List.of("a\r\n  b", "second"), m.getAll("X-FOLD"));
    assertEquals(Optional.of("x"), m.get("host"));
    // A line without a colon ends the headers: Connection is never seen.
    HTTPMessage cut = HeaderReader.parse("Host: x\r\nbogus line\r\nConnection: close\r\n\r\n");
    assertEquals(List.of("Host"), cut.keys());
    // A bare CR ends a line; a space before the colon is not a header.
    assertEquals(List.of("A", "B"), HeaderReader.parse("A: 1\rB: 2\r\n\r\n").keys());
    assertEquals(List.of(), HeaderReader.parse("Host : x\r\n\r\n").keys());
    assertEquals(List.of("B"), HeaderReader.parse(" lead\r\nB: 1\r\n\r\n").keys());
    assertEquals(List.of("B"), HeaderReader.parse("From x\r\nB: 1\r\n\r\n").keys());
  }

  @Test
  @DisplayName("email.utils.parsedate_to_datetime as If-Modified-Since uses it")
  void dates() {
    assertEquals(Optional.of(Instant.EPOCH), EmailDates.utcInstant("Thu, 01 Jan 1970 00:00:00 GMT"));
    assertEquals(Optional.of(Instant.EPOCH), EmailDates.utcInstant("Thu, 01 Jan 1970 00:00:00 -0000"));
    assertEquals(Optional.of(Instant.EPOCH), EmailDates.utcInstant("Thu, 01 Jan 1970 00:00:00"));
    assertEquals(Optional.empty(), EmailDates.utcInstant("Thu, 01 Jan 1970 00:00:00 +0100"));
    assertEquals(Optional.empty(), EmailDates.utcInstant("Thu, 32 Jan 1970 00:00:00 GMT"));
    assertEquals(Optional.empty(), EmailDates.utcInstant("garbage"));
    assertEquals(
        Optional.of(Instant.parse("1994-11-06T08:49:37Z")),
        EmailDates.utcInstant("Sunday, 06-Nov-94 08:49:37 GMT"));
    assertEquals(
        Optional.of(Instant.parse("1994-11-06T08:49:37Z")),
        EmailDates.utcInstant("Sun Nov  6 08:49:37 1994"));
    assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", EmailDates.formatdate(0.4));
    assertEquals("Thu, 01 Jan 1970 00:00:01 GMT", EmailDates.formatdate(0.9999996));
  }

  @Test
  @DisplayName("email.utils.formatdate(usegmt=True) and log_date_time_string, built without Formatter")
  void dateFormats() {
    assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", EmailDates.formatdate(784111777));
    assertEquals("Tue, 14 Nov 2023 22:13:20 GMT", EmailDates.formatdate(1700000000.5));
    assertEquals("Fri, 31 Aug 0970 00:00:00 GMT", EmailDates.formatdate(-31536000000.0));
    assertEquals("Fri, 31 Dec 9999 23:59:59 GMT", EmailDates.formatdate(253402300799.0));
    assertEquals("Tue, 29 Feb 2000 00:00:00 GMT", EmailDates.formatdate(951782400));
    // log_date_time_string in a UTC zone (TZ=UTC, time.localtime).
    java.time.ZoneId utc = java.time.ZoneOffset.UTC;
    assertEquals("01/Jan/1970 00:00:00", EmailDates.logDateTime(Instant.EPOCH, utc));
    assertEquals(
        "06/Nov/1994 08:49:37", EmailDates.logDateTime(Instant.ofEpochSecond(784111777), utc));
    assertEquals(
        "31/Aug/0970 00:00:00", EmailDates.logDateTime(Instant.ofEpochSecond(-31536000000L), utc));
  }

  @Test
  @DisplayName("log_message's format: %s, %d and %% directly, anything else as String.format")
  void logMessageFormat() {
    assertEquals("\"GET / HTTP/1.1\" 200 -",
        PercentFormat.format("\"%s\" %s %s", "GET / HTTP/1.1", "200", "-"));
    assertEquals("code 404, message File not found",
        PercentFormat.format("code %d, message %s", 404, "File not found"));
    assertEquals("100% null 7", PercentFormat.format("100%% %s %d", null, 7L));
    assertEquals("no args", PercentFormat.format("no args"));
    // What Python's % would reject, String.format decides: its result or its exception.
    assertEquals("  x|", PercentFormat.format("%3s|", "x"));
    assertEquals(String.format(java.util.Locale.ROOT, "%d", new java.math.BigInteger("12")),
        PercentFormat.format("%d", new java.math.BigInteger("12")));
    assertThrows(java.util.IllegalFormatConversionException.class,
        () -> PercentFormat.format("%d", "text"));
    assertThrows(java.util.MissingFormatArgumentException.class,
        () -> PercentFormat.format("%s %s", "one"));
    assertThrows(java.util.UnknownFormatConversionException.class,
        () -> PercentFormat.format("trailing %"));
  }

  @Test
  @DisplayName("urllib.parse quote, unquote (surrogatepass, then replace), urlsplit/urlunsplit")
  void urls() {
    assertEquals("a%20b/%C3%A9%26%3C~", UrlCodec.quote("a b/é&<~"));
    assertEquals("/a b/é", UrlCodec.unquotePath("/a%20b/%C3%A9"));
    assertEquals("\udcbb", UrlCodec.unquotePath("%ED%B2%BB"));
    assertEquals("x=\ufffd", UrlCodec.unquotePath("x=%bb"));
    assertEquals("\ufffd\ufffd\ufffd", UrlCodec.unquote("%ED%A0%80", false));
    assertEquals("%zz%4", UrlCodec.unquotePath("%zz%4"));
    String[] parts = UrlCodec.urlsplit("https://pypi.org/a?b#c");
    assertEquals(List.of("https", "pypi.org", "/a", "b", "c"), List.of(parts));
    parts[2] = parts[2] + "/";
    assertEquals("https://pypi.org/a/?b#c", UrlCodec.urlunsplit(parts));
    assertEquals("/x/?q", UrlCodec.urlunsplit(new String[] {"", "", "/x/", "q", ""}));
  }

  @Test
  @DisplayName("repr and the request line's str.split()")
  void reprAndSplit() {
    assertEquals("'a'", PyText.repr("a"));
    assertEquals("\"a'b\"", PyText.repr("a'b"));
    assertEquals("'a\\'\"b'", PyText.repr("a'\"b"));
    assertEquals("'\\x00\\t\\x85\\xa0\\xadé'", PyText.repr("\0\t\u0085\u00a0\u00adé"));
    assertEquals(List.of("GET", "/x", "HTTP/1.0"), PyText.split("GET\u0085/x\u00a0HTTP/1.0 "));
  }

  @Test
  @DisplayName("mimetypes.guess_file_type with suffix and encoding maps")
  void mimeTypes() {
    SimpleHTTPRequestHandler h = new SimpleHTTPRequestHandler("/srv");
    assertEquals("text/plain", h.guessType("/srv/a.txt"));
    assertEquals("text/plain", h.guessType("/srv/A.TXT"));
    assertEquals("application/gzip", h.guessType("/srv/a.tar.gz"));
    assertEquals("application/x-tar", h.guessType("/srv/a.tgz"));
    assertEquals("image/svg+xml", h.guessType("/srv/a.svgz"));
    assertEquals("text/plain", h.guessType("/srv/a.txt.br"));
    assertEquals("application/octet-stream", h.guessType("/srv/.bashrc"));
    assertEquals("application/octet-stream", h.guessType("/srv/d.ir/noext"));
    assertEquals("text/javascript", h.guessType("/srv/x.js"));
  }

  @Test
  @DisplayName("the request version rules of parse_request")
  void versions() {
    assertEquals(List.of(1, 1), List.of(RequestLine.versionNumber("HTTP/1.1")[0],
        RequestLine.versionNumber("HTTP/01.1")[1]));
    assertNull(RequestLine.versionNumber("HTTP/1"));
    assertNull(RequestLine.versionNumber("HTTP/1.1.1"));
    assertNull(RequestLine.versionNumber("HTTP/+1.1"));
    assertNull(RequestLine.versionNumber("HTTP/1.12345678901"));
    assertNull(RequestLine.versionNumber("HTTP/\u00b2.1"));
  }
}
