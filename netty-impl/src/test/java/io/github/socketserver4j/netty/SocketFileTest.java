package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.UnixPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link SocketFile}: a Unix socket file outlives its server's close, as in CPython, and is never
 * put back over a socket that another server bound at the path meanwhile (issue 10, the binder).
 * Real sockets (the JDK's), with the close step doing what Netty's server channels do: close the
 * socket and delete the path.
 */
class SocketFileTest {

  private static ServerSocketChannel listen(Path path) throws IOException {
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    s.bind(UnixDomainSocketAddress.of(path));
    return s;
  }

  private static Object inode(Path path) throws IOException {
    return Files.getAttribute(path, "unix:ino");
  }

  /** Netty's close of a Unix server channel: the socket closes and its path is deleted. */
  private static void closeAsNettyDoes(ServerSocketChannel s, Path path) {
    try {
      s.close();
      Files.delete(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> leftovers(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".ss4j-"))
          .collect(Collectors.toList());
    }
  }

  @Test
  @DisplayName("the socket file survives the close, same inode, and the hard link is gone")
  void keepsTheFile() throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      Path path = paths.next().getPath();
      ServerSocketChannel server = listen(path);
      Object before = inode(path);
      SocketFile.keepWhile(path, () -> closeAsNettyDoes(server, path));
      assertTrue(Files.exists(path), "CPython leaves the socket file after close");
      assertEquals(before, inode(path));
      assertEquals(List.of(), leftovers(paths.dir()));
    }
  }

  @Test
  @DisplayName("a server that bound the path while this one closed keeps its file and its clients")
  void neverReplacesAnotherServersFile() throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      Path path = paths.next().getPath();
      ServerSocketChannel old = listen(path);
      Object oldInode = inode(path);
      ServerSocketChannel[] newcomer = new ServerSocketChannel[1];
      Object[] newInode = new Object[1];
      SocketFile.keepWhile(
          path,
          () -> {
            closeAsNettyDoes(old, path);
            try {
              newcomer[0] = listen(path); // the path was free: another server binds it
              newInode[0] = inode(path);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
      try (ServerSocketChannel other = newcomer[0]) {
        assertEquals(newInode[0], inode(path), "replaced by the closed server's file");
        assertFalse(oldInode.equals(newInode[0]));
        assertEquals(List.of(), leftovers(paths.dir()));
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
          other.configureBlocking(false);
          assertNotNull(other.accept(), "the path no longer leads to the server that bound it");
        }
      }
    }
  }

  @Test
  @DisplayName("a close that leaves the path alone changes nothing")
  void closeThatDoesNotDelete() throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      Path path = paths.next().getPath();
      ServerSocketChannel server = listen(path);
      Object before = inode(path);
      SocketFile.keepWhile(path, () -> {
        try {
          server.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      assertEquals(before, inode(path));
      assertEquals(List.of(), leftovers(paths.dir()));
    }
  }

  @Test
  @DisplayName("no file at the path: nothing is created")
  void noFile() throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      Path path = paths.next().getPath();
      SocketFile.keepWhile(path, () -> {});
      assertFalse(Files.exists(path));
      assertEquals(List.of(), leftovers(paths.dir()));
    }
  }
}
