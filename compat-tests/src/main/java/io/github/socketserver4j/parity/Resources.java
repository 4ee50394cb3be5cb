package io.github.socketserver4j.parity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The runner's own files (the Python drivers, the scenarios, {@code class-deviations.json}) as
 * paths on disk. From a class directory they are used in place; from a jar (the executable jar,
 * or the artifact on a porter's test class path) they are copied once per JVM into a temporary
 * directory, because Python runs the drivers as files and the suite walks the scenarios.
 */
final class Resources {
  private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();
  private static volatile Path root;

  private Resources() {}

  /** The file or directory {@code name} (starting with '/') of the runner's resources. */
  static Path path(String name) {
    URL url = Resources.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException(name + " is not on the class path: the runner's resources"
          + " are missing (a broken build of socketserver4j-parity?)");
    }
    if (url.getProtocol().equals("file")) {
      try {
        return Paths.get(url.toURI());
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return EXTRACTED.computeIfAbsent(name, n -> extract(url, n));
  }

  private static Path extract(URL url, String name) {
    try {
      String spec = url.toString();
      URI jar = URI.create(spec.substring(0, spec.indexOf("!/")));
      FileSystem fs;
      boolean opened = false;
      try {
        fs = FileSystems.newFileSystem(jar, Map.of());
        opened = true;
      } catch (FileSystemAlreadyExistsException e) {
        fs = FileSystems.getFileSystem(jar);
      }
      try {
        Path from = fs.getPath(name);
        Path to = tempRoot().resolve(name.substring(1));
        try (Stream<Path> walk = Files.walk(from)) {
          for (Path p : (Iterable<Path>) walk::iterator) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
              Files.createDirectories(target);
            } else {
              Files.createDirectories(target.getParent());
              Files.copy(p, target);
            }
          }
        }
        return to;
      } finally {
        if (opened) {
          fs.close();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the runner's " + name + " out of its jar", e);
    }
  }

  private static synchronized Path tempRoot() throws IOException {
    if (root == null) {
      Path dir = Files.createTempDirectory("socketserver4j-parity");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "parity-cleanup"));
      root = dir;
    }
    return root;
  }

  /** Deletes a directory and what it holds; a temporary one, so failures are ignored. */
  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A temporary directory; nothing else to do.
    }
  }
}
