package io.github.socketserver4j.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The path side of {@code SimpleHTTPRequestHandler}: {@code translate_path}, {@code
 * posixpath.normpath}, {@code os.path.join}, and file-system tests that fail as Python's do.
 */
final class FsPaths {
  private FsPaths() {}

  /**
   * CPython's {@code translate_path(path)}: drops the query and fragment, unquotes, normalises,
   * drops empty, {@code .} and {@code ..} parts, and joins the rest to {@code directory}; a
   * trailing slash is kept. Nothing it returns lies outside {@code directory} (symbolic links
   * inside it aside, as in CPython).
   */
  static String translatePath(String path, String directory) {
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    int h = path.indexOf('#');
    if (h >= 0) {
      path = path.substring(0, h);
    }
    boolean trailingSlash = rstripSpace(path).endsWith("/");
    path = normpath(UrlCodec.unquotePath(path));
    String result = directory;
    for (String word : path.split("/", -1)) {
      if (word.isEmpty() || word.equals(".") || word.equals("..")) {
        continue;
      }
      result = join(result, word);
    }
    return trailingSlash ? result + "/" : result;
  }

  private static String rstripSpace(String s) {
    int end = s.length();
    while (end > 0 && PyText.isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  /** {@code posixpath.normpath}. */
  static String normpath(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    int initialSlashes = path.startsWith("/") ? 1 : 0;
    if (initialSlashes == 1 && path.startsWith("//") && !path.startsWith("///")) {
      initialSlashes = 2;
    }
    List<String> comps = new ArrayList<>();
    for (String comp : path.split("/", -1)) {
      if (comp.isEmpty() || comp.equals(".")) {
        continue;
      }
      boolean last = !comps.isEmpty() && comps.get(comps.size() - 1).equals("..");
      if (!comp.equals("..") || (initialSlashes == 0 && comps.isEmpty()) || last) {
        comps.add(comp);
      } else if (!comps.isEmpty()) {
        comps.remove(comps.size() - 1);
      }
    }
    String joined = "/".repeat(initialSlashes) + String.join("/", comps);
    return joined.isEmpty() ? "." : joined;
  }

  /** {@code os.path.join(a, b)} for a {@code b} without slashes. */
  static String join(String a, String b) {
    return a.isEmpty() || a.endsWith("/") ? a + b : a + "/" + b;
  }

  /**
   * The {@link Path} Python's {@code open(name)} would open.
   *
   * @return the path, or null for a name that holds raw non-UTF-8 bytes (escaped surrogates),
   *     which Java cannot address: such a file is treated as missing
   * @throws IllegalArgumentException where Python's {@code open} raises {@code ValueError}: an
   *     embedded NUL, or a surrogate that {@code surrogateescape} cannot encode
   */
  static Path toPath(String name) {
    if (name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("embedded null byte in " + PyText.repr(name));
    }
    boolean rawBytes = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c)
                && i + 1 < name.length()
                && Character.isLowSurrogate(name.charAt(i + 1));
        if (paired) {
          i++;
        } else if (c >= 0xdc80 && c <= 0xdcff) {
          rawBytes = true;
        } else {
          throw new IllegalArgumentException(
              "'utf-8' codec can't encode character '\\u" + Integer.toHexString(c)
                  + "': surrogates not allowed");
        }
      }
    }
    return rawBytes ? null : Path.of(name);
  }

  /** {@code os.path.isdir}: false for anything that cannot be stat'ed, never an exception. */
  static boolean isdir(String name) {
    Path p = safe(name);
    return p != null && Files.isDirectory(p);
  }

  /** {@code os.path.isfile}. */
  static boolean isfile(String name) {
    Path p = safe(name);
    return p != null && Files.isRegularFile(p);
  }

  /** {@code os.path.islink}. */
  static boolean islink(String name) {
    Path p = safe(name);
    return p != null && Files.isSymbolicLink(p);
  }

  /**
   * Whether {@code name} exists and, once its symbolic links are resolved, lies outside {@code
   * root}: socketserver4j refuses to serve it (CPython follows such links; see {@code
   * docs/differences.md}).
   *
   * @param root the served directory, already resolved with {@link Path#toRealPath}
   */
  static boolean escapesRoot(String name, Path root) {
    Path p = safe(PyText.rstrip(name, "/").isEmpty() ? "/" : PyText.rstrip(name, "/"));
    if (p == null || root == null) {
      return false;
    }
    try {
      return !p.toRealPath().startsWith(root);
    } catch (java.io.IOException | RuntimeException e) {
      return false; // missing or unreadable: the usual 404 follows
    }
  }

  /** The real path of the served directory, or null if it cannot be resolved. */
  static Path realRoot(String directory) {
    try {
      Path p = safe(directory.isEmpty() ? "." : directory);
      return p == null ? null : p.toRealPath();
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static Path safe(String name) {
    try {
      return toPath(name);
    } catch (IllegalArgumentException e) {
      return null; // os.path.isdir and friends catch ValueError
    }
  }
}
