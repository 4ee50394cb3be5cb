package io.github.socketserver4j.netty;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Duplicates of Netty's descriptors, for the paths that make system calls below Netty on the
 * calling thread ({@link DatagramDirectPath}, {@link DirectAccept}): a duplicate is closed only
 * by its owner, so its number cannot be reused under a call, whatever Netty does with its own.
 */
final class Descriptors {
  private Descriptors() {}

  /**
   * Duplicates descriptor {@code fd} by passing it to ourselves with {@code SCM_RIGHTS}: Netty
   * offers no {@code dup}, and the JDK none for a descriptor it did not open. The pair of Unix
   * datagram sockets is bound to random abstract names and lives only for this call.
   */
  static int duplicate(int fd) throws IOException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String name =
        "\0socketserver4j-dup-"
            + Long.toHexString(random.nextLong())
            + Long.toHexString(random.nextLong());
    Socket receiver = Socket.newSocketDomainDgram();
    Socket sender = null;
    try {
      receiver.bind(new DomainSocketAddress(name));
      sender = Socket.newSocketDomainDgram();
      sender.connect(new DomainSocketAddress(name));
      if (sender.sendFd(fd) <= 0) {
        throw new IOException("sendFd(" + fd + ") sent nothing");
      }
      int copy = receiver.recvFd();
      if (copy <= 0) {
        throw new IOException("recvFd() received no descriptor: " + copy);
      }
      try {
        checkSameSocket(fd, copy);
      } catch (IOException | RuntimeException e) {
        new Socket(copy).close();
        throw e;
      }
      return copy;
    } finally {
      receiver.close();
      if (sender != null) {
        sender.close();
      }
    }
  }

  /**
   * Makes sure {@code copy} is the socket sent, not one a stranger sent to the abstract name
   * first: both name the same socket inode in {@code /proc/self/fd}. Without {@code /proc}
   * there is nothing to compare, and nobody could have listed the name there either.
   */
  private static void checkSameSocket(int fd, int copy) throws IOException {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return;
    }
    Path original = Files.readSymbolicLink(fds.resolve(Integer.toString(fd)));
    Path duplicate = Files.readSymbolicLink(fds.resolve(Integer.toString(copy)));
    if (!original.equals(duplicate)) {
      throw new IOException(
          "received descriptor " + copy + " (" + duplicate + ") is not " + fd + " (" + original
              + ")");
    }
  }
}
