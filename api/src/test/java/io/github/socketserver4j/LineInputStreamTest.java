package io.github.socketserver4j;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LineInputStream#readLine()} and {@link LineInputStream#readLine(int)} against Python's
 * {@code readline} and {@code readline(limit)}. Every expected list below is what CPython 3.11.7
 * returned for the same bytes and calls, both from {@code io.BytesIO} and from {@code
 * io.BufferedReader} over a raw stream that returns at most 1, 2, 3, 5, 7 or 64 bytes per read (the
 * results were identical). Each case runs on {@link LineInputStream#of} (our {@code BytesIO}) and
 * on a stream that uses the default {@code readLine} over such short reads.
 */
class LineInputStreamTest {
  /** A call: {@code null} is {@code readline()}, a number is {@code readline(limit)}. */
  static Arguments readlines(String data, Integer[] limits, String... expected) {
    return Arguments.of(data, Arrays.asList(limits), List.of(expected));
  }

  static Stream<Arguments> cases() {
    Integer none = null;
    return Stream.of(
        readlines("abc\ndef\n", new Integer[] {none, none, none}, "abc\n", "def\n", ""),
        readlines("abc\ndef\n", new Integer[] {0, -1, -5}, "", "abc\n", "def\n"),
        readlines("abc\ndef", new Integer[] {4, 4, 4}, "abc\n", "def", ""),
        readlines("abc\ndef", new Integer[] {3, 1, 2, 10, 1}, "abc", "\n", "de", "f", ""),
        readlines("abcdef\n", new Integer[] {2, 2, 2, 2, 2}, "ab", "cd", "ef", "\n", ""),
        readlines("", new Integer[] {none, 0, 5}, "", "", ""),
        readlines("\n\n", new Integer[] {none, none, none}, "\n", "\n", ""),
        readlines("abc", new Integer[] {none, none}, "abc", ""),
        readlines("ab\ncd", new Integer[] {-1, -1, -1}, "ab\n", "cd", ""),
        readlines("abc\ndef", new Integer[] {Integer.MAX_VALUE, none}, "abc\n", "def"),
        readlines(
            "first line\nsecond\n\nthird without newline",
            new Integer[] {none, none, none, none, none},
            "first line\n",
            "second\n",
            "\n",
            "third without newline",
            ""),
        readlines(
            "first line\nsecond\n\nthird without newline",
            new Integer[] {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4},
            "firs",
            "t li",
            "ne\n",
            "seco",
            "nd\n",
            "\n",
            "thir",
            "d wi",
            "thou",
            "t ne",
            "wlin",
            "e",
            ""));
  }

  /** The streams each case runs on: BytesIO, and the default readLine over short reads. */
  static List<Function<byte[], LineInputStream>> streams() {
    List<Function<byte[], LineInputStream>> streams = new ArrayList<>();
    streams.add(LineInputStream::of);
    for (int chunk : new int[] {1, 2, 3, 5, 7, 64}) {
      streams.add(data -> new ShortReads(data, chunk));
    }
    return streams;
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("cases")
  @DisplayName("readline()/readline(limit) return what CPython's BytesIO and BufferedReader return")
  void readLineMatchesPython(String data, List<Integer> limits, List<String> expected)
      throws IOException {
    for (Function<byte[], LineInputStream> open : streams()) {
      LineInputStream in = open.apply(data.getBytes(ISO_8859_1));
      List<String> lines = new ArrayList<>();
      for (Integer limit : limits) {
        byte[] line = limit == null ? in.readLine() : in.readLine(limit);
        lines.add(new String(line, ISO_8859_1));
      }
      assertEquals(expected, lines, in.toString());
    }
  }

  @Test
  @DisplayName("read(n), a skip and read() after readline(limit) return what io.BytesIO returns")
  void bulkReadsMatchPython() throws IOException {
    // Python: f = io.BytesIO(b'abcdef\nxy'); f.readline(2), f.read(3), f.seek(1, 1), f.read(),
    // f.read(), f.read(5) == b'ab', b'cde', 6, b'\nxy', b'', b''
    for (Function<byte[], LineInputStream> open : streams()) {
      LineInputStream in = open.apply("abcdef\nxy".getBytes(ISO_8859_1));
      assertEquals("ab", new String(in.readLine(2), ISO_8859_1), in.toString());
      assertEquals("cde", new String(in.readNBytes(3), ISO_8859_1), in.toString());
      assertEquals(1, in.skip(1), in.toString());
      assertEquals("\nxy", new String(in.readAllBytes(), ISO_8859_1), in.toString());
      assertEquals(0, in.readAllBytes().length, in.toString());
      assertEquals(0, in.readNBytes(5).length, in.toString());
      assertEquals(0, in.skip(3), in.toString());
    }
  }

  @Test
  @DisplayName("a partial line from readline(limit) leaves the rest for read(), as in Python")
  void partialLineLeavesRestForRead() throws IOException {
    for (Function<byte[], LineInputStream> open : streams()) {
      LineInputStream in = open.apply("abcdef\nxy".getBytes(ISO_8859_1));
      assertEquals("abc", new String(in.readLine(3), ISO_8859_1), in.toString());
      assertEquals('d', in.read()); // Python: f.read(1) == b'd'
      assertEquals("ef\nxy", new String(in.readAllBytes(), ISO_8859_1));
      assertEquals(0, in.readLine().length);
      assertEquals(-1, in.read());
    }
  }

  @Test
  @DisplayName("LineInputStream.of copies its input, as io.BytesIO(data) does")
  void ofCopiesInput() throws IOException {
    byte[] data = "abc\n".getBytes(ISO_8859_1);
    LineInputStream in = LineInputStream.of(data);
    data[0] = 'X';
    assertEquals("abc\n", new String(in.readLine(), ISO_8859_1));
  }

  /** A stream whose reads return at most {@code chunk} bytes; it keeps the default readLine. */
  private static final class ShortReads extends LineInputStream {
    private final byte[] data;
    private final int chunk;
    private int pos;

    ShortReads(byte[] data, int chunk) {
      this.data = data;
      this.chunk = chunk;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (pos == data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, chunk), data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public String toString() {
      return "reads of at most " + chunk + " bytes";
    }
  }
}
