package io.github.socketserver4j.netty;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a Unix socket's file when its server channel closes, as CPython does: CPython's {@code
 * close()} leaves the file, and {@code UnixStreamServer} users remove it themselves, while Netty's
 * server channels (epoll and NIO alike) delete it by name on close.
 *
 * <p>Before the close, a hard link keeps the inode that the path names; after it, the path is
 * linked to that inode again with {@code link(2)}, which fails if anything exists at the path.
 * So the file comes back only if the path is still free: a socket another server bound at the
 * path meanwhile (after Netty's delete) keeps its file, and is never replaced. The hard link is
 * then removed.
 *
 * <p>What remains outside this class's reach: Netty deletes by name, so if someone else removed
 * the file and bound a new socket there between the link and Netty's delete (a fraction of the
 * close), Netty's delete removes the newcomer's name and this class puts the older inode back.
 * CPython never deletes, so this needs a third party that unlinks a live server's file.
 */
final class SocketFile {
  private static final Logger LOG = LoggerFactory.getLogger(SocketFile.class);

  private SocketFile() {}

  /** Runs {@code close}, which may delete {@code path}, and puts the file back if it may. */
  static void keepWhile(Path path, Runnable close) {
    Path keep =
        path.resolveSibling(
            ".ss4j-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".sock");
    boolean linked = false;
    try {
      Files.createLink(keep, path);
      linked = true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      LOG.debug("cannot keep the socket file {}; closing will remove it", path, e);
    }
    try {
      close.run();
    } finally {
      if (linked) {
        restore(path, keep);
      }
    }
  }

  private static void restore(Path path, Path keep) {
    try {
      Files.createLink(path, keep); // link(2): never replaces what is at the path now
    } catch (FileAlreadyExistsException e) {
      LOG.debug("{} exists again (another socket bound it, or it was not deleted); kept it", path);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      LOG.debug("cannot restore the socket file {}", path, e);
    } finally {
      try {
        Files.deleteIfExists(keep);
      } catch (IOException e) {
        LOG.debug("cannot remove {}", keep, e);
      }
    }
  }
}
