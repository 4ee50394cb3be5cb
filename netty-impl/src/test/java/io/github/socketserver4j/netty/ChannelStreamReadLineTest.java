package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code rfile.readline} over a real connection and the blocking bridge, against Python's {@code
 * readline} on a socket's {@code makefile('rb')} (checked with CPython 3.11.7): lines that arrive
 * one byte per segment (Okio's {@code ONE_BYTE_AT_A_TIME}), lines of 1 MiB, and {@code
 * readline(limit)} that returns a partial line as soon as it has {@code limit} bytes.
 */
class ChannelStreamReadLineTest {

  /** A handler that runs the given reads and records what each returned. */
  static final class Recorder {
    final List<byte[]> lines = new CopyOnWriteArrayList<>();
    final AtomicReference<ChannelStream> stream = new AtomicReference<>();
    final CountDownLatch started = new CountDownLatch(1);
  }

  static String text(byte[] b) {
    return new String(b, ISO_8859_1);
  }

  static List<String> texts(List<byte[]> lines) {
    List<String> out = new ArrayList<>();
    for (byte[] l : lines) {
      out.add(text(l));
    }
    return out;
  }

  /** Waits (bounded) until the bridge holds exactly {@code expected} unread bytes. */
  static void awaitBuffered(ChannelStream stream, int expected) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (stream.available() != expected) {
      if (System.nanoTime() > deadline) {
        fail("the bridge holds " + stream.available() + " bytes, expected " + expected);
      }
      LockSupport.parkNanos(200_000);
    }
  }

  @Test
  @DisplayName("a line arriving one byte per segment reads whole; readline(5) cuts it at 5 bytes")
  void oneByteAtATime() throws Exception {
    Recorder rec = new Recorder();
    class Reads extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        rec.stream.set((ChannelStream) connection());
        rec.started.countDown();
        rec.lines.add(rfile().readLine());
        rec.lines.add(rfile().readLine(5));
        rec.lines.add(rfile().readLine());
        wfile().write("done\n".getBytes(ISO_8859_1));
      }
    }
    String first = "hello, one byte at a time\n";
    String second = "abcdefgh\n";
    try (TCPServer server = new TCPServer(anyLoopbackPort(), Reads::new);
        Client c = Client.connect(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      c.socket().setTcpNoDelay(true);
      c.send(first.substring(0, 1));
      assertTrue(rec.started.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      ChannelStream stream = rec.stream.get();
      awaitBuffered(stream, 1);
      // Each byte is in the bridge before the next is sent, so every read delivers one byte.
      int buffered = 1;
      int[] limits = {-1, 5, -1};
      int current = 0;
      String wire = first + second;
      for (int i = 1; i < wire.length(); i++) {
        c.send(wire.substring(i, i + 1));
        buffered++;
        boolean complete =
            wire.charAt(i) == '\n' || (limits[current] >= 0 && buffered == limits[current]);
        if (complete) {
          buffered = 0; // the handler's readline returns and takes the bytes
          current++;
        }
        awaitBuffered(stream, buffered);
      }
      assertEquals("done\n", c.readLine());
      call.join();
      // CPython: readline() -> the whole line; readline(5) -> b'abcde'; readline() -> b'fgh\n'.
      assertEquals(List.of(first, "abcde", "fgh\n"), texts(rec.lines));
    }
  }

  @Test
  @DisplayName("1 MiB lines: readline() returns each whole, readline(1000) a 1000-byte partial")
  void longLines() throws Exception {
    byte[] line1 = new byte[1024 * 1024 + 1];
    byte[] line2 = new byte[1024 * 1024 + 1];
    for (int i = 0; i < line1.length - 1; i++) {
      line1[i] = (byte) ('a' + i % 26);
      line2[i] = (byte) ('A' + (i * 7) % 26);
    }
    line1[line1.length - 1] = '\n';
    line2[line2.length - 1] = '\n';
    Recorder rec = new Recorder();
    class Reads extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        rec.lines.add(rfile().readLine());
        rec.lines.add(rfile().readLine(1000));
        rec.lines.add(rfile().readLine());
        rec.lines.add(rfile().readLine());
        rec.lines.add(rfile().readLine());
        wfile().write("done\n".getBytes(ISO_8859_1));
      }
    }
    try (TCPServer server = new TCPServer(anyLoopbackPort(), Reads::new);
        Client c = Client.connect(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      c.send(line1).send(line2).send("tail").shutdownOutput();
      assertEquals("done\n", c.readLine());
      call.join();
    }
    assertEquals(5, rec.lines.size());
    assertArrayEquals(line1, rec.lines.get(0));
    byte[] rest = new byte[line2.length - 1000];
    System.arraycopy(line2, 1000, rest, 0, rest.length);
    assertArrayEquals(Arrays.copyOf(line2, 1000), rec.lines.get(1));
    assertArrayEquals(rest, rec.lines.get(2));
    assertEquals("tail", text(rec.lines.get(3))); // the unterminated last line, at end of stream
    assertEquals("", text(rec.lines.get(4))); // then b''
  }

  @Test
  @DisplayName("readline(4) returns b'abcd' without waiting for a newline; readline(0) is b''")
  void limitReturnsPartialLineWithoutWaiting() throws Exception {
    Recorder rec = new Recorder();
    class Reads extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        byte[] partial = rfile().readLine(4);
        rec.lines.add(partial);
        wfile().write(("got " + text(partial) + "\n").getBytes(ISO_8859_1));
        rec.lines.add(rfile().readLine(0));
        rec.lines.add(rfile().readLine(-1));
        rec.lines.add(rfile().readLine());
        rec.lines.add(rfile().readLine());
      }
    }
    try (TCPServer server = new TCPServer(anyLoopbackPort(), Reads::new);
        Client c = Client.connect(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      c.send("abcd"); // no newline, and the connection stays open
      assertEquals("got abcd\n", c.readLine()); // CPython 3.11.7: b'got abcd\n'
      c.send("efg\ntail").shutdownOutput();
      assertEquals("", c.readAllText());
      call.join();
    }
    assertEquals(List.of("abcd", "", "efg\n", "tail", ""), texts(rec.lines));
  }
}
