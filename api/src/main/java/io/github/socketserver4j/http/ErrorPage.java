package io.github.socketserver4j.http;

import java.util.Locale;

/**
 * Fills {@code error_message_format} as Python's {@code format % {'code': ..., 'message': ...,
 * 'explain': ...}} does: {@code %(key)} with optional flags and width, then {@code s}, {@code r},
 * {@code d} or {@code i}; {@code %%} is a percent sign.
 */
final class ErrorPage {
  private ErrorPage() {}

  static String format(String template, int code, String message, String explain) {
    StringBuilder out = new StringBuilder(template.length() + 64);
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i++);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i < template.length() && template.charAt(i) == '%') {
        out.append('%');
        i++;
        continue;
      }
      if (i >= template.length() || template.charAt(i) != '(') {
        throw new IllegalArgumentException(
            "error_message_format needs %(name)s conversions (format requires a mapping)");
      }
      int close = template.indexOf(')', i);
      if (close < 0) {
        throw new IllegalArgumentException("incomplete format key in error_message_format");
      }
      String key = template.substring(i + 1, close);
      int j = close + 1;
      while (j < template.length() && "-+ #0123456789.".indexOf(template.charAt(j)) >= 0) {
        j++;
      }
      if (j >= template.length()) {
        throw new IllegalArgumentException("incomplete format in error_message_format");
      }
      String spec = template.substring(close + 1, j);
      char type = template.charAt(j);
      i = j + 1;
      Object value = value(key, code, message, explain);
      out.append(convert(spec, type, value));
    }
    return out.toString();
  }

  private static Object value(String key, int code, String message, String explain) {
    switch (key) {
      case "code":
        return code;
      case "message":
        return message;
      case "explain":
        return explain;
      default:
        throw new IllegalArgumentException("error_message_format names " + key
            + "; only code, message and explain are given (KeyError)");
    }
  }

  private static String convert(String spec, char type, Object value) {
    switch (type) {
      case 's':
        return String.format(Locale.ROOT, "%" + spec + "s", String.valueOf(value));
      case 'r':
        String repr = value instanceof String ? PyText.repr((String) value) : String.valueOf(value);
        return String.format(Locale.ROOT, "%" + spec + "s", repr);
      case 'd':
      case 'i':
        if (!(value instanceof Integer)) {
          throw new IllegalArgumentException("%d format: a real number is required, not str");
        }
        return String.format(Locale.ROOT, "%" + spec + "d", value);
      default:
        throw new IllegalArgumentException("unsupported format character '" + type + "'");
    }
  }
}
