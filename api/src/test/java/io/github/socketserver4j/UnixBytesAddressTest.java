package io.github.socketserver4j;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bytes address of an abstract or autobound Unix client (issue 10, item 10). Expected
 * strings are what python3 3.13 prints for {@code repr()} of the same bytes.
 */
class UnixBytesAddressTest {
  private static UnixBytesAddress of(String latin1) {
    return UnixBytesAddress.of(latin1.getBytes(ISO_8859_1));
  }

  @Test
  @DisplayName("toString is CPython's repr of the bytes, as handle_error prints client_address")
  void reprAsPython() {
    assertEquals("b'\\x00abs-client-x'", of("\0abs-client-x").toString());
    assertEquals("b\"\\x00it's\"", of("\0it's").toString());
    assertEquals("b'\\x00\\'\"'", of("\0'\"").toString());
    assertEquals("b'\\x00\\t\\n\\r\\\\\\x7f\\xff ~'", of("\0\t\n\r\\\u007f\u00ff ~").toString());
    assertEquals("b'/tmp/\\xc3\\xa9.sock'", of("/tmp/\u00c3\u00a9.sock").toString());
    assertEquals("b'\\x007e2ba'", of("\u00007e2ba").toString()); // an autobound name
    assertEquals("b'\\x00'", PythonReprs.address(of("\0")));
  }

  @Test
  @DisplayName("abstract names start with a 0 byte; equal bytes, equal addresses; bytes are copied")
  void valueSemantics() {
    byte[] name = {0, 'a'};
    UnixBytesAddress a = UnixBytesAddress.of(name);
    name[1] = 'b';
    assertArrayEquals(new byte[] {0, 'a'}, a.bytes());
    a.bytes()[1] = 'c';
    assertArrayEquals(new byte[] {0, 'a'}, a.bytes());
    assertTrue(a.isAbstract());
    assertFalse(of("/tmp/x").isAbstract());
    assertEquals(of("\0a"), a);
    assertEquals(of("\0a").hashCode(), a.hashCode());
    assertNotEquals(of("\0b"), a);
  }

  @Test
  @DisplayName("an empty name (no address: null) and one longer than sun_path are refused")
  void bounds() {
    assertThrows(IllegalArgumentException.class, () -> UnixBytesAddress.of(new byte[0]));
    assertThrows(NullPointerException.class, () -> UnixBytesAddress.of(null));
    assertEquals(108, UnixBytesAddress.of(new byte[108]).bytes().length);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> UnixBytesAddress.of(new byte[109]));
    assertTrue(e.getMessage().contains("at most 108 bytes"), e.getMessage());
  }
}
