package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Addresses print as CPython's {@code str(client_address)} in handleError's sentence; expected
 * strings are what python3 prints for the same addresses.
 */
class PythonReprsTest {
  @Test
  @DisplayName("IPv4: ('127.0.0.1', 52326)")
  void ipv4() throws Exception {
    assertEquals(
        "('127.0.0.1', 52326)",
        PythonReprs.address(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 52326)));
  }

  @Test
  @DisplayName("IPv6: ('::1', 5, 0, 0) and RFC 5952 compression, as Python's socket module prints")
  void ipv6() throws Exception {
    assertEquals("('::1', 5, 0, 0)", PythonReprs.address(new InetSocketAddress("::1", 5)));
    assertEquals("('::', 7, 0, 0)", PythonReprs.address(new InetSocketAddress("::", 7)));
    assertEquals(
        "('2001:db8::1:0:0:1', 1, 0, 0)",
        PythonReprs.address(new InetSocketAddress("2001:db8:0:0:1:0:0:1", 1)));
    assertEquals(
        "('2001:db8:0:1:1:1:1:1', 1, 0, 0)",
        PythonReprs.address(new InetSocketAddress("2001:db8:0:1:1:1:1:1", 1)));
    assertEquals(
        "('fe80::1:2', 9, 0, 0)", PythonReprs.address(new InetSocketAddress("fe80:0:0:0:0:0:1:2", 9)));
  }

  @Test
  @DisplayName("Unix: the path; an unbound client prints as nothing ('' in CPython); None for no address")
  void unix() {
    assertEquals("/tmp/s", PythonReprs.address(UnixDomainSocketAddress.of("/tmp/s")));
    assertEquals("", PythonReprs.address(UnixDomainSocketAddress.of("")));
    assertEquals("None", PythonReprs.address(null));
  }
}
