package io.github.socketserver4j.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python string operations {@code http.server} depends on byte for byte: {@code
 * str.split()}, {@code repr}, {@code html.escape(s, quote=False)}, {@code int()}, and the control
 * character table of {@code log_message}.
 */
final class PyText {
  private PyText() {}

  /** Python's {@code str.isspace()} for one character. */
  static boolean isSpace(char c) {
    if (c <= 0xff) {
      return (c >= 9 && c <= 13) || (c >= 28 && c <= 32) || c == 0x85 || c == 0xa0;
    }
    return Character.isWhitespace(c) || Character.isSpaceChar(c);
  }

  /** Python's {@code str.split()} with no argument: runs of whitespace separate words. */
  static List<String> split(String s) {
    List<String> words = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && isSpace(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !isSpace(s.charAt(i))) {
        i++;
      }
      if (i > start) {
        words.add(s.substring(start, i));
      }
    }
    return words;
  }

  /** Python's {@code s.rstrip(chars)}. */
  static String rstrip(String s, String chars) {
    int end = s.length();
    while (end > 0 && chars.indexOf(s.charAt(end - 1)) >= 0) {
      end--;
    }
    return s.substring(0, end);
  }

  /** Python's {@code s.lstrip(chars)}. */
  static String lstrip(String s, String chars) {
    int start = 0;
    while (start < s.length() && chars.indexOf(s.charAt(start)) >= 0) {
      start++;
    }
    return s.substring(start);
  }

  /** Python's {@code str.isdigit()} for one character of Latin-1 (superscripts count). */
  static boolean isDigit(char c) {
    return (c >= '0' && c <= '9') || c == '\u00b2' || c == '\u00b3' || c == '\u00b9';
  }

  /** Python's {@code str.isprintable()} for one code point. */
  static boolean isPrintable(int cp) {
    if (cp == ' ') {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.SURROGATE:
      case Character.PRIVATE_USE:
      case Character.UNASSIGNED:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
      case Character.SPACE_SEPARATOR:
        return false;
      default:
        return true;
    }
  }

  /** Python's {@code repr(s)} of a {@code str}. */
  static String repr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == quote || cp == '\\') {
        out.append('\\').append((char) cp);
      } else if (cp == '\t') {
        out.append("\\t");
      } else if (cp == '\n') {
        out.append("\\n");
      } else if (cp == '\r') {
        out.append("\\r");
      } else if (isPrintable(cp)) {
        out.appendCodePoint(cp);
      } else if (cp <= 0xff) {
        out.append(String.format("\\x%02x", cp));
      } else if (cp <= 0xffff) {
        out.append(String.format("\\u%04x", cp));
      } else {
        out.append(String.format("\\U%08x", cp));
      }
    }
    return out.append(quote).toString();
  }

  /** Python's {@code html.escape(s, quote=False)}: {@code &}, {@code <} and {@code >} only. */
  static String htmlEscape(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String r = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : null;
      if (r != null && out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (out != null) {
        if (r != null) {
          out.append(r);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? s : out.toString();
  }

  /**
   * {@code BaseHTTPRequestHandler._control_char_table}: C0 and C1 control characters become
   * {@code \xNN} and a backslash becomes two (CPython 3.12+), so a log line cannot carry terminal
   * escapes.
   */
  static String escapeControl(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
        out.append(String.format("\\x%02x", (int) c));
      } else if (c == '\\') {
        out.append("\\\\");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Python's {@code int(s)} for the decimal strings of dates: surrounding whitespace, one sign,
   * digits with single underscores between them.
   *
   * @return the value, or null where Python raises {@code ValueError} (or for values past {@code
   *     long}, which no date field reaches)
   */
  static Long pyInt(String text) {
    String s = text.strip();
    int i = 0;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    if (i >= s.length()) {
      return null;
    }
    long value = 0;
    boolean lastDigit = false;
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (value > (Long.MAX_VALUE - 9) / 10) {
          return null;
        }
        value = value * 10 + (c - '0');
        lastDigit = true;
      } else if (c == '_' && lastDigit && i + 1 < s.length()) {
        lastDigit = false;
      } else {
        return null;
      }
    }
    return lastDigit ? (negative ? -value : value) : null;
  }
}
