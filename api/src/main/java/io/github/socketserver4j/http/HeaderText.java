package io.github.socketserver4j.http;

/**
 * The check every text of the header buffer passes before it is encoded: CPython encodes {@code
 * "%s: %s\r\n"} as Latin-1 strictly; socketserver4j also refuses CR and LF, which CPython 3.13
 * passes through (header injection; see {@code docs/differences.md}).
 */
final class HeaderText {
  private HeaderText() {}

  /**
   * Returns {@code text} if it is ISO-8859-1 without CR or LF.
   *
   * @throws IllegalArgumentException naming {@code what} and the offending character otherwise
   */
  static String checked(String what, String text) {
    if (text == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        throw new IllegalArgumentException(
            what + " contains " + (c == '\r' ? "CR" : "LF") + " at index " + i
                + ", which would end the header line: " + PyText.repr(text));
      }
      if (c > 0xff) {
        throw new IllegalArgumentException(
            what + " is not ISO-8859-1 (Latin-1): character U+"
                + String.format("%04X", (int) c) + " at index " + i + " in " + PyText.repr(text));
      }
    }
    return text;
  }
}
