package io.github.socketserver4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Porter mode's normalisers: each rewrites what CPython and Java print differently. */
class OutputNormaliserTest {
  private final OutputNormaliser all = new OutputNormaliser(List.of("all"))
      .port(40123, "server").port(51000, "c0").path("/tmp/ss4jport123", "tmp");

  @Test
  @DisplayName("ports: known ports by name, others in an address as <port>")
  void ports() {
    assertEquals("('127.0.0.1', <c0 port>) to <server port>", all.text("('127.0.0.1', 51000) to 40123"));
    assertEquals("('127.0.0.1', <port>) /127.0.0.1:<port>", all.text("('127.0.0.1', 6000) /127.0.0.1:6001"));
    assertEquals("5100012", all.text("5100012"));
  }

  @Test
  @DisplayName("timestamps: ISO, HTTP, http.server's log, ctime, HH:MM:SS")
  void timestamps() {
    assertEquals("<time> x", all.text("2025-12-07 15:43:41,123 x"));
    assertEquals("127.0.0.1 - - [<time>] \"GET / HTTP/1.0\" 200 -",
        all.text("127.0.0.1 - - [07/Dec/2025 15:43:41] \"GET / HTTP/1.0\" 200 -"));
    assertEquals("at <time>", all.text("at 15:43:41"));
    assertEquals("<time>", all.text("Sun Dec  7 15:43:41 2025"));
  }

  @Test
  @DisplayName("threads, paths")
  void threadsAndPaths() {
    assertEquals("<thread> and <thread>", all.text(
        "Thread-3 (process_request_thread) and socketserver4j ThreadingTCPServer 127.0.0.1:4000 request 3"));
    assertEquals("<tmp>/s.sock", all.text("/tmp/ss4jport123/s.sock"));
  }

  @Test
  @DisplayName("tracebacks: a Python traceback and a Java stack trace both become <traceback>")
  void tracebacks() {
    assertEquals(List.of("x", "<traceback>", "y"), all.lines(List.of("x",
        "Traceback (most recent call last):",
        "  File \"/a.py\", line 3, in handle",
        "    raise ValueError(\"boom\")",
        "ValueError: boom", "y")));
    assertEquals(List.of("x", "<traceback>", "y"), all.lines(List.of("x",
        "java.lang.IllegalArgumentException: boom",
        "\tat a.B.handle(B.java:3)",
        "Caused by: java.io.IOException: x",
        "\t... 4 more", "y")));
  }

  @Test
  @DisplayName("HTTP Date: and Server: values, in received bytes and in output; SLF4J notices dropped")
  void httpHeadersAndNoise() {
    byte[] got = all.received("HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.13.0\r\nDate: Sun, 07 Dec 2025 15:43:41 GMT\r\n\r\nbody Date: kept"
        .getBytes(StandardCharsets.ISO_8859_1));
    assertArrayEquals("HTTP/1.0 200 OK\r\nServer: <server>\r\nDate: <date>\r\n\r\nbody Date: kept"
        .getBytes(StandardCharsets.ISO_8859_1), got);
    assertEquals(List.of("a"), all.lines(List.of("SLF4J(W): No SLF4J providers were found.", "a",
        "WARNING: A restricted method in java.lang.System has been called")));
  }

  @Test
  @DisplayName("none leaves everything; an unknown name is refused")
  void noneAndUnknown() {
    OutputNormaliser none = new OutputNormaliser(List.of("none")).port(40123, "server");
    assertEquals("40123 at 15:43:41", none.text("40123 at 15:43:41"));
    assertThrows(IllegalArgumentException.class, () -> new OutputNormaliser(List.of("colours")));
  }
}
