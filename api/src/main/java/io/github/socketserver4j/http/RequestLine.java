package io.github.socketserver4j.http;

import java.util.List;

/** The version rules of CPython 3.13's {@code parse_request}, apart from the sending of errors. */
final class RequestLine {
  private RequestLine() {}

  /**
   * Parses the last word of a three-word request line, CPython's checks in order: it starts with
   * {@code HTTP/}, has exactly one dot, both numbers are digits and at most 10 long (RFC 2145:
   * leading zeros ignored, numbers compared as integers).
   *
   * @return {major, minor}, or null where CPython answers 400 "Bad request version"
   */
  static int[] versionNumber(String version) {
    if (!version.startsWith("HTTP/")) {
      return null;
    }
    String base = version.substring(5);
    String[] parts = base.split("\\.", -1);
    if (parts.length != 2) {
      return null;
    }
    int[] number = new int[2];
    for (int i = 0; i < 2; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 10) {
        return null;
      }
      long value = 0;
      for (int j = 0; j < part.length(); j++) {
        char c = part.charAt(j);
        if (c < '0' || c > '9') {
          return null; // also the superscript digits that isdigit() accepts and int() refuses
        }
        value = value * 10 + (c - '0');
      }
      number[i] = (int) Math.min(value, Integer.MAX_VALUE);
    }
    return number;
  }

  /** Python's tuple comparison {@code version_number >= (major, minor)}. */
  static boolean atLeast(int[] version, int major, int minor) {
    return version[0] != major ? version[0] > major : version[1] >= minor;
  }

  /** The base version of {@code HTTP/x.y}: what follows the first slash. */
  static String base(String version) {
    return version.substring(version.indexOf('/') + 1);
  }

  /** The request line as CPython keeps it: decoded as ISO-8859-1, trailing CR and LF removed. */
  static String decode(byte[] raw) {
    return PyText.rstrip(new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1), "\r\n");
  }

  /** Python's {@code str.split()} of the request line. */
  static List<String> words(String requestline) {
    return PyText.split(requestline);
  }
}
