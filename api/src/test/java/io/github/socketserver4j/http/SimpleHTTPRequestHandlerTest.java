package io.github.socketserver4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** CPython 3.13's {@code SimpleHTTPRequestHandlerTestCase}: URL paths to file names. */
class SimpleHTTPRequestHandlerTest {
  private final String translated1 = Path.of(System.getProperty("user.dir"), "filename").toString();
  private final String translated2 = "foo/filename";
  private final String translated3 = "bar/filename";
  private final SimpleHTTPRequestHandler handler1 = new SimpleHTTPRequestHandler();
  private final SimpleHTTPRequestHandler handler2 = new SimpleHTTPRequestHandler("foo");
  private final SimpleHTTPRequestHandler handler3 = new SimpleHTTPRequestHandler(Path.of("bar"));

  @Test
  @DisplayName("test_query_arguments")
  void queryArguments() {
    for (String url : new String[] {"/filename", "/filename?foo=bar", "/filename?a=b&spam=eggs#zot"}) {
      assertEquals(translated1, handler1.translatePath(url));
      assertEquals(translated2, handler2.translatePath(url));
      assertEquals(translated3, handler3.translatePath(url));
    }
  }

  @Test
  @DisplayName("test_start_with_double_slash")
  void startWithDoubleSlash() {
    for (String url : new String[] {"//filename", "//filename?foo=bar"}) {
      assertEquals(translated1, handler1.translatePath(url));
      assertEquals(translated2, handler2.translatePath(url));
      assertEquals(translated3, handler3.translatePath(url));
    }
  }

  @Test
  @DisplayName("issue 12: traversal (.., encoded dots, slashes, backslashes) stays in the directory")
  void traversalStaysInside() {
    String[][] cases = {
      {"/../../etc/passwd", "foo/etc/passwd"},
      {"/%2e%2e/%2e%2e/etc/passwd", "foo/etc/passwd"},
      {"/a/%2E%2E/%2e%2e/%2e%2e/b", "foo/b"},
      {"/..%2f..%2fetc%2fpasswd", "foo/etc/passwd"},
      {"//evil.example/x", "foo/evil.example/x"},
      {"/..\\..\\x", "foo/..\\..\\x"},
      {"/x/", "foo/x/"},
      {"..", "foo"},
    };
    for (String[] c : cases) {
      assertEquals(c[1], handler2.translatePath(c[0]), c[0]);
    }
  }

  @Test
  @DisplayName("issue 12: copyfile sizes its buffer by available(), and still copies to the end")
  void copyfileCopiesPastWhatAvailableSaid() throws java.io.IOException {
    byte[] data = new byte[200_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31);
    }
    for (int claimed : new int[] {0, 1, 12, 65_535, 65_536, 1_000_000}) {
      java.io.InputStream source =
          new java.io.ByteArrayInputStream(data) {
            @Override
            public synchronized int available() {
              return claimed; // wrong on purpose: the file grew, or the stream cannot tell
            }
          };
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      handler1.copyfile(source, out);
      org.junit.jupiter.api.Assertions.assertArrayEquals(data, out.toByteArray(), "claimed " + claimed);
    }
  }
}
