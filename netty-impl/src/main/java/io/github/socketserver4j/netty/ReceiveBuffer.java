package io.github.socketserver4j.netty;

import io.github.socketserver4j.LineTooLongException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;

/**
 * The bytes a connection has received and its handler has not read yet, in arrival order: the
 * buffers the transport read, as it read them, and in front of them the start of a line still
 * being read, held on the heap.
 *
 * <p>Every byte is copied at most twice, whatever the line's length: a line that waits for more
 * input moves the part already scanned (which holds no newline) from the transport's buffers to
 * heap chunks, so the transport's memory per connection stays bounded while the line grows; the
 * line is copied once more into the array {@code readLine} returns. (Netty's {@code
 * CompositeByteBuf}, used before, re-copied the whole line every 64 reads: quadratic.) Heap chunks
 * come from {@link LineMemory}'s budget.
 *
 * <p>Not thread-safe: the connection's lock guards it. The event loop adds buffers; the handler's
 * thread reads.
 */
final class ReceiveBuffer {
  /**
   * The largest heap chunk. It bounds the waste of the last, partly filled chunk, and it stays
   * below half of G1's smallest region (1 MiB): a larger array is a "humongous" object that takes
   * whole regions, so 1 MiB chunks took twice their size and a line at half the heap ran the JVM
   * out of memory.
   */
  private static final int MAX_CHUNK = 256 * 1024;

  private static final int MIN_CHUNK = 256;

  /** The largest array the JVM allocates. */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final ArrayDeque<byte[]> held = new ArrayDeque<>();
  private int heldStart; // bytes of held.getFirst() already read
  private int heldEnd; // bytes of held.getLast() filled
  private int heldBytes;
  private long reserved; // taken from LineMemory: the capacity of the held chunks

  private final ArrayDeque<ByteBuf> buffers = new ArrayDeque<>();
  private int bufferedBytes;

  /** On the event loop: takes ownership of {@code buf}. */
  void add(ByteBuf buf) {
    if (!buf.isReadable()) {
      buf.release();
      return;
    }
    buffers.add(buf);
    bufferedBytes += buf.readableBytes();
  }

  /** All bytes not read yet (a long: a line near the largest array has more behind it). */
  long readable() {
    return (long) heldBytes + bufferedBytes;
  }

  /** The bytes still in the transport's buffers: what the prefetch mark bounds. */
  int inTransportBuffers() {
    return bufferedBytes;
  }

  /** The bytes at the front held on the heap: they hold no newline. */
  int held() {
    return heldBytes;
  }

  /**
   * The offset of the first {@code value} in {@code [from, to)}, counted from the first unread
   * byte, or -1. Searches the transport's buffers only: {@code from} is at least {@link #held()}.
   */
  int indexOf(int from, int to, byte value) {
    int start = heldBytes;
    for (ByteBuf buf : buffers) {
      int end = start + buf.readableBytes();
      int lo = Math.max(from, start);
      int hi = Math.min(to, end);
      if (lo < hi) {
        int base = buf.readerIndex() - start;
        int found = buf.indexOf(base + lo, base + hi, value);
        if (found >= 0) {
          return found - base;
        }
      }
      if (end >= to) {
        break;
      }
      start = end;
    }
    return -1;
  }

  /**
   * Moves the unread bytes before {@code upTo} onto the heap (the start of a line that waits for
   * more input), so the transport's buffers they were in go back to its pool.
   *
   * @return false if {@link LineMemory} has no room for them; then nothing moved
   */
  boolean hold(int upTo) {
    int move = upTo - heldBytes;
    if (move <= 0) {
      return true;
    }
    int room = held.isEmpty() ? 0 : held.getLast().length - heldEnd;
    if (room < move) {
      // New chunks, sized to the line so far: small for short lines, growing with long ones.
      long wanted = nextPowerOfTwo(Math.max(move - room, heldBytes));
      int size = (int) Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, wanted));
      int chunks = (move - room + size - 1) / size;
      if (!LineMemory.reserve((long) chunks * size)) {
        return false;
      }
      reserved += (long) chunks * size;
      // Fill the current chunk first, then the new ones.
      copyToHeld(room);
      for (int i = 0; i < chunks; i++) {
        held.add(new byte[size]);
        heldEnd = 0;
        copyToHeld(Math.min(size, upTo - heldBytes));
      }
    } else {
      copyToHeld(move);
    }
    return true;
  }

  private void copyToHeld(int n) {
    byte[] chunk = held.peekLast();
    while (n > 0) {
      ByteBuf buf = buffers.getFirst();
      int m = Math.min(n, buf.readableBytes());
      buf.readBytes(chunk, heldEnd, m);
      heldEnd += m;
      heldBytes += m;
      bufferedBytes -= m;
      n -= m;
      if (!buf.isReadable()) {
        buffers.removeFirst().release();
      }
    }
  }

  /** Copies up to {@code len} unread bytes into {@code b}; returns how many. */
  int read(byte[] b, int off, int len) {
    int done = 0;
    while (done < len && heldBytes > 0) {
      byte[] chunk = held.getFirst();
      int end = held.size() == 1 ? heldEnd : chunk.length;
      int m = Math.min(len - done, end - heldStart);
      System.arraycopy(chunk, heldStart, b, off + done, m);
      heldStart += m;
      heldBytes -= m;
      done += m;
      if (heldStart == end) {
        dropFirstChunk();
      }
    }
    while (done < len && bufferedBytes > 0) {
      ByteBuf buf = buffers.getFirst();
      int m = Math.min(len - done, buf.readableBytes());
      buf.readBytes(b, off + done, m);
      bufferedBytes -= m;
      done += m;
      if (!buf.isReadable()) {
        buffers.removeFirst().release();
      }
    }
    return done;
  }

  /**
   * Returns the first {@code n} unread bytes as a new array, Python's {@code bytes}.
   *
   * @throws LineTooLongException if the array would not fit in {@link LineMemory} (only checked
   *     when part of the line was held on the heap: short lines never were)
   */
  byte[] take(int n) throws LineTooLongException {
    if (heldBytes == 0) {
      byte[] out = new byte[n];
      read(out, 0, n);
      return out;
    }
    if (!LineMemory.reserve(n)) {
      throw tooLongForMemory(n);
    }
    try {
      byte[] out = new byte[n];
      read(out, 0, n);
      return out;
    } finally {
      LineMemory.release(n);
    }
  }

  /** The exception for a line whose {@code length} bytes would take more than the budget. */
  static LineTooLongException tooLongForMemory(long length) {
    return new LineTooLongException(
        "line too long: "
            + length
            + " bytes read without a newline would take more than the "
            + LineMemory.limit()
            + " bytes (half the maximum heap) that lines being read may use",
        length);
  }

  /**
   * Hands every unread byte over as one buffer, which the caller must release, and empties this
   * buffer; null when there is nothing.
   */
  ByteBuf detach(ByteBufAllocator alloc) {
    if (readable() == 0) {
      release();
      return null;
    }
    if (heldBytes == 0 && buffers.size() == 1) {
      bufferedBytes = 0;
      return buffers.removeFirst();
    }
    CompositeByteBuf all = alloc.compositeBuffer(held.size() + buffers.size());
    int i = 0;
    for (byte[] chunk : held) {
      int start = i == 0 ? heldStart : 0;
      int end = i == held.size() - 1 ? heldEnd : chunk.length;
      all.addComponent(true, Unpooled.wrappedBuffer(chunk, start, end - start));
      i++;
    }
    while (!buffers.isEmpty()) {
      all.addComponent(true, buffers.removeFirst());
    }
    bufferedBytes = 0;
    dropHeld();
    return all;
  }

  /** Frees everything: the connection is closed. */
  void release() {
    while (!buffers.isEmpty()) {
      buffers.removeFirst().release();
    }
    bufferedBytes = 0;
    dropHeld();
  }

  private void dropFirstChunk() {
    byte[] chunk = held.removeFirst();
    heldStart = 0;
    reserved -= chunk.length;
    LineMemory.release(chunk.length);
    if (held.isEmpty()) {
      heldEnd = 0;
    }
  }

  private void dropHeld() {
    held.clear();
    heldStart = 0;
    heldEnd = 0;
    heldBytes = 0;
    if (reserved > 0) {
      LineMemory.release(reserved);
      reserved = 0;
    }
  }

  private static long nextPowerOfTwo(long n) {
    return n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
  }
}
