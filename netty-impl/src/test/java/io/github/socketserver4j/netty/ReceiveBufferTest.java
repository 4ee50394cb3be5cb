package io.github.socketserver4j.netty;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bridge's receive buffer on its own, with buffers from Netty's default allocator (as the
 * transport's reads give) and no network (issue 10, item 10: a long line must cost linear time and
 * must not hold the transport's memory).
 */
class ReceiveBufferTest {
  private final List<ByteBuf> given = new ArrayList<>();

  private ByteBuf buf(String text) {
    ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(text.length());
    b.writeBytes(text.getBytes(ISO_8859_1));
    given.add(b);
    return b;
  }

  private void assertAllReleased() {
    for (ByteBuf b : given) {
      assertEquals(0, b.refCnt(), "a transport buffer was not released");
    }
  }

  @Test
  @DisplayName("indexOf finds a newline in any buffer, only within [from, to)")
  void indexOfAcrossBuffers() {
    ReceiveBuffer r = new ReceiveBuffer();
    r.add(buf("abc"));
    r.add(buf("de\nf"));
    r.add(buf("g\n"));
    assertEquals(9, r.readable());
    assertEquals(5, r.indexOf(0, 9, (byte) '\n'));
    assertEquals(8, r.indexOf(6, 9, (byte) '\n'));
    assertEquals(-1, r.indexOf(0, 5, (byte) '\n'));
    assertEquals(-1, r.indexOf(6, 8, (byte) '\n'));
    r.release();
    assertAllReleased();
  }

  @Test
  @DisplayName("hold moves the start of a line to the heap and frees the transport's buffers; take returns it whole")
  void holdThenTake() throws Exception {
    ReceiveBuffer r = new ReceiveBuffer();
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      String piece = "piece" + i + ";";
      line.append(piece);
      r.add(buf(piece));
      assertEquals(-1, r.indexOf(r.held(), (int) r.readable(), (byte) '\n'));
      assertTrue(r.hold((int) r.readable()));
      assertEquals(0, r.inTransportBuffers(), "a held line keeps no transport buffer");
      assertEquals(line.length(), r.held());
    }
    r.add(buf("end\nnext"));
    int newline = r.indexOf(r.held(), (int) r.readable(), (byte) '\n');
    assertEquals(line.length() + 3, newline);
    assertEquals(line + "end\n", new String(r.take(newline + 1), ISO_8859_1));
    assertEquals(0, r.held());
    assertEquals("next", new String(r.take(4), ISO_8859_1));
    assertEquals(0, r.readable());
    assertAllReleased();
  }

  @Test
  @DisplayName("read takes held bytes first, then the transport's, in order")
  void readMixesHeldAndBuffered() {
    ReceiveBuffer r = new ReceiveBuffer();
    r.add(buf("0123456789"));
    assertTrue(r.hold(6));
    r.add(buf("abc"));
    byte[] out = new byte[4];
    StringBuilder got = new StringBuilder();
    for (int n; (n = r.read(out, 0, out.length)) > 0; ) {
      got.append(new String(out, 0, n, ISO_8859_1));
    }
    assertEquals("0123456789abc", got.toString());
    assertEquals(0, r.readable());
    assertAllReleased();
  }

  @Test
  @DisplayName("detach hands over every unread byte as one buffer, in order; empty gives null")
  void detach() {
    ReceiveBuffer r = new ReceiveBuffer();
    assertNull(r.detach(ByteBufAllocator.DEFAULT));
    r.add(buf("held "));
    assertTrue(r.hold(5));
    r.add(buf("and "));
    r.add(buf("buffered"));
    ByteBuf all = r.detach(ByteBufAllocator.DEFAULT);
    try {
      assertEquals("held and buffered", all.toString(ISO_8859_1));
    } finally {
      all.release();
    }
    assertEquals(0, r.readable());
    assertAllReleased();
  }

  @Test
  @DisplayName("a 64 MiB line held piece by piece: every piece copied once, the transport keeps nothing")
  void longLineIsHeldLinearly() throws Exception {
    ReceiveBuffer r = new ReceiveBuffer();
    byte[] piece = new byte[64 * 1024];
    java.util.Arrays.fill(piece, (byte) 'y');
    int pieces = 1024;
    for (int i = 0; i < pieces; i++) {
      ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(piece.length).writeBytes(piece);
      given.add(b);
      r.add(b);
      // As readLine does before it waits: scan only the new bytes, then hold what was scanned.
      assertEquals(-1, r.indexOf(r.held(), (int) r.readable(), (byte) '\n'));
      assertTrue(r.hold((int) r.readable()));
    }
    r.add(buf("\n"));
    byte[] line = r.take((int) r.readable());
    assertEquals(pieces * piece.length + 1, line.length);
    assertEquals('\n', line[line.length - 1]);
    assertAllReleased();
  }
}
