package io.github.socketserver4j.http;

import java.util.Formattable;
import java.util.Locale;

/**
 * The {@link String#format} that {@code log_message}'s callers use, for the patterns they use:
 * {@code %s}, {@code %d} and {@code %%} alone are substituted directly, as Python's {@code %}
 * operator does them; any other pattern, or an argument {@link String#format} would treat
 * differently ({@link Formattable}, a non-integer for {@code %d}, too few arguments), goes to
 * {@link String#format} itself, so the result and the exceptions stay exactly its own. Every
 * request logs a line, and {@link java.util.Formatter} parsing its pattern cost more than the
 * rest of the line.
 */
final class PercentFormat {
  private PercentFormat() {}

  /** {@code String.format(Locale.ROOT, format, args)}. */
  static String format(String format, Object... args) {
    String direct = direct(format, args);
    return direct != null ? direct : String.format(Locale.ROOT, format, args);
  }

  /** The substitution, or null where only {@link String#format} knows the answer. */
  private static String direct(String format, Object[] args) {
    StringBuilder out = new StringBuilder(format.length() + 64);
    int next = 0;
    int start = 0;
    for (int i = format.indexOf('%'); i >= 0; i = format.indexOf('%', start)) {
      if (i + 1 >= format.length()) {
        return null;
      }
      out.append(format, start, i);
      char conversion = format.charAt(i + 1);
      if (conversion == '%') {
        out.append('%');
      } else {
        if (args == null || next >= args.length) {
          return null;
        }
        Object arg = args[next++];
        if (conversion == 's' && !(arg instanceof Formattable)) {
          out.append(arg);
        } else if (conversion == 'd' && isInteger(arg)) {
          out.append(arg);
        } else {
          return null;
        }
      }
      start = i + 2;
    }
    return out.append(format, start, format.length()).toString();
  }

  private static boolean isInteger(Object arg) {
    return arg instanceof Integer || arg instanceof Long || arg instanceof Short
        || arg instanceof Byte || arg instanceof java.math.BigInteger;
  }
}
