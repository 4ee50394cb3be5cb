package io.github.socketserver4j;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.FileChannel;

/** The argument rules and block size {@link StreamRequest#sendfile} shares with transports. */
final class SendFile {
  private SendFile() {}

  /** The block size of the default implementation: {@code shutil.COPY_BUFSIZE} on POSIX. */
  static final int BLOCK = 64 * 1024;

  /** Python's checks: a count of 0 or less is a {@code ValueError}, a negative offset EINVAL. */
  static void checkArguments(long offset, long count) throws SocketException {
    if (count <= 0) {
      throw new IllegalArgumentException("count must be a positive integer (got " + count + ")");
    }
    if (offset < 0) {
      throw new SocketException("[Errno 22] Invalid argument: sendfile offset " + offset);
    }
  }

  /** A block for the file's first read: no bigger than what is left of it, plus one byte. */
  static int firstBlock(FileChannel file, long offset, long count) throws IOException {
    long left = Math.min(count, Math.max(0, file.size() - offset) + 1);
    return (int) Math.min(left, BLOCK);
  }
}
