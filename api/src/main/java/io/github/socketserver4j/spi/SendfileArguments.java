package io.github.socketserver4j.spi;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.FileChannel;

/**
 * The argument rules of {@link io.github.socketserver4j.StreamRequest#sendfile}, for the default
 * implementation and for transports that override it, so every implementation refuses the same
 * arguments with the same exceptions.
 */
public final class SendfileArguments {
  private SendfileArguments() {}

  /** The block size of the default implementation: {@code shutil.COPY_BUFSIZE} on POSIX. */
  public static final int BLOCK = 64 * 1024;

  /**
   * Python's checks, made before anything is read or sent.
   *
   * @param offset where the caller asked to start
   * @param count how many bytes the caller asked for
   * @throws IllegalArgumentException if {@code count} is 0 or less (Python's {@code ValueError})
   * @throws SocketException {@code [Errno 22] Invalid argument} if {@code offset} is negative
   */
  public static void check(long offset, long count) throws SocketException {
    if (count <= 0) {
      throw new IllegalArgumentException("count must be a positive integer (got " + count + ")");
    }
    if (offset < 0) {
      throw new SocketException("[Errno 22] Invalid argument: sendfile offset " + offset);
    }
  }

  /**
   * A block for the file's first read: no bigger than what is left of it, plus one byte (to see
   * the end in one read), and at most {@link #BLOCK}.
   *
   * @param file the file to send
   * @param offset where sending starts
   * @param count how many bytes at most
   * @return the size of the first block
   * @throws IOException if the file's size cannot be read
   */
  public static int firstBlock(FileChannel file, long offset, long count) throws IOException {
    long left = Math.min(count, Math.max(0, file.size() - offset) + 1);
    return (int) Math.min(left, BLOCK);
  }
}
