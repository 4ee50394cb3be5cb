package io.github.socketserver4j.parity;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A CPython interpreter to run the reference side with, and how the suite finds them. */
record Python(Path executable, PythonVersion version) {

  /** The message for a machine without Python; docs/parity.md repeats it. */
  static final String MISSING =
      "No CPython interpreter found: the parity suite compares socketserver4j with CPython's"
          + " socketserver and needs python3 (3.6 or later). Put python3 on the PATH, or name"
          + " interpreters with -Dparity.python=/path/to/python3[,/path/to/other/python3], or"
          + " skip the parity suite explicitly with -Dparity.skip=true (or leave the module out:"
          + " mvn -pl '!compat-tests' ...).";

  /** Asks the interpreter for its version; empty if it does not run. */
  static Optional<Python> probe(Path executable) {
    try {
      Process p = new ProcessBuilder(executable.toString(), "-c",
              "import sys, socketserver; print('%d.%d.%d' % sys.version_info[:3])")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return Optional.of(new Python(executable, PythonVersion.parse(out)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** {@code python3} from the PATH, if there is one that runs. */
  static Optional<Python> onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Paths.get(dir, "python3");
      if (Files.isExecutable(candidate)) {
        return probe(candidate);
      }
    }
    return Optional.empty();
  }

  /** The newest installed pyenv version of {@code majorMinor} (e.g. "3.13"), if any. */
  static Optional<Python> pyenv(String majorMinor) {
    String root = System.getenv("PYENV_ROOT");
    Path versions = Paths.get(root != null ? root : System.getProperty("user.home") + "/.pyenv", "versions");
    if (!Files.isDirectory(versions)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(versions)) {
      return dirs
          .filter(d -> d.getFileName().toString().matches(majorMinor.replace(".", "\\.") + "\\.\\d+"))
          .max((a, b) -> PythonVersion.parse(a.getFileName().toString())
              .compareTo(PythonVersion.parse(b.getFileName().toString())))
          .map(d -> d.resolve("bin/python3"))
          .filter(Files::isExecutable)
          .flatMap(Python::probe);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The interpreters named by {@code -Dparity.python} (comma-separated), else {@code defaults}
   * ("path" for python3 on the PATH, or a pyenv "3.13"); de-duplicated by version.
   *
   * @throws IllegalStateException with {@link #MISSING} if none is found
   */
  static List<Python> resolve(List<String> defaults) {
    Map<PythonVersion, Python> found = new LinkedHashMap<>();
    String named = System.getProperty("parity.python", "").trim();
    if (!named.isEmpty()) {
      for (String n : named.split(",")) {
        Python p = probe(Paths.get(n.trim())).orElseThrow(() -> new IllegalStateException(
            "-Dparity.python names " + n.trim() + ", which does not run as a Python 3"
                + " interpreter with socketserver. " + MISSING));
        found.putIfAbsent(p.version(), p);
      }
    } else {
      for (String d : defaults) {
        Optional<Python> p = d.equals("path") ? onPath() : pyenv(d);
        p.ifPresent(x -> found.putIfAbsent(x.version(), x));
      }
    }
    if (found.isEmpty()) {
      throw new IllegalStateException(MISSING);
    }
    return new ArrayList<>(found.values());
  }
}
