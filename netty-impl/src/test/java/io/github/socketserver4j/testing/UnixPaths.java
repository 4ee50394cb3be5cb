package io.github.socketserver4j.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Short Unix socket paths for tests (CPython's {@code pickaddr}): a fresh directory under /tmp,
 * each path checked against the 107-byte limit, everything removed by {@link #close()}.
 */
public final class UnixPaths implements AutoCloseable {
  private final Path dir;
  private int next;

  public UnixPaths() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "ss4j");
  }

  public UnixDomainSocketAddress next() {
    Path p = dir.resolve("s" + next++);
    assertTrue(p.toString().getBytes(StandardCharsets.UTF_8).length < 100, "path too long: " + p);
    return UnixDomainSocketAddress.of(p);
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
