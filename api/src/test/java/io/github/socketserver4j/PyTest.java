package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Py.str and Py.repr against what python3 (3.13) prints for the same values. */
class PyTest {

  @Test
  @DisplayName("addresses: str(('127.0.0.1', 8080)), IPv6 four-tuples, Unix paths")
  void addresses() throws Exception {
    assertEquals("('127.0.0.1', 8080)", Py.str(new InetSocketAddress("127.0.0.1", 8080)));
    assertEquals("('::1', 8080, 0, 0)",
        Py.repr(new InetSocketAddress(InetAddress.getByName("::1"), 8080)));
    assertEquals("/tmp/s", Py.str(UnixDomainSocketAddress.of("/tmp/s")));
    assertEquals("'/tmp/s'", Py.repr(UnixDomainSocketAddress.of("/tmp/s")));
  }

  @Test
  @DisplayName("bytes: b'...' with CPython's escapes and quote choice")
  void bytes() {
    byte[] request = "GET / HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] withTail = Arrays.copyOf(request, request.length + 3);
    withTail[request.length] = 0;
    withTail[request.length + 1] = (byte) 0xff;
    withTail[request.length + 2] = '\\';
    assertEquals("b'GET / HTTP/1.0\\r\\n\\x00\\xff\\\\'", Py.repr(withTail));
    assertEquals("b\"it's\"", Py.repr("it's".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("b'both \\' and \"'", Py.repr("both ' and \"".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("b''", Py.str(new byte[0]));
  }

  @Test
  @DisplayName("str, None, booleans, floats, lists")
  void others() {
    assertEquals("'text'", Py.repr("text"));
    assertEquals("text", Py.str("text"));
    assertEquals("\"it's\"", Py.repr("it's"));
    assertEquals("'tab\\t\\x7f\\x85\u00e9'", Py.repr("tab\t\u007f\u0085\u00e9"));
    assertEquals("None", Py.repr(null));
    assertEquals("None", Py.str(Optional.empty()));
    assertEquals("True", Py.repr(true));
    assertEquals("0.5", Py.repr(Duration.ofMillis(500)));
    assertEquals("300.0", Py.repr(Duration.ofSeconds(300)));
    assertEquals("1e-05", Py.repr(1e-05));
    assertEquals("1e+16", Py.repr(1e16));
    assertEquals("123.456", Py.repr(123.456));
    assertEquals("[1, 'a', b'x', None]", Py.repr(Arrays.asList(1, "a", new byte[] {'x'}, null)));
  }
}
