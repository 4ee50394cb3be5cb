package io.github.socketserver4j;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * Python's {@code str()} and {@code repr()} of the values a ported server prints, so that log
 * lines and replies read as the Python program's did: {@code print("connection from",
 * self.client_address)} becomes {@code System.out.println("connection from " +
 * Py.str(clientAddress()))}, and prints {@code connection from ('127.0.0.1', 52326)}.
 *
 * <table>
 *   <caption>Values and their Python text</caption>
 *   <tr><th>Java value</th><th>{@code str}</th><th>{@code repr}</th></tr>
 *   <tr><td>{@code InetSocketAddress} (IPv4)</td><td colspan="2">{@code ('127.0.0.1', 8080)}</td></tr>
 *   <tr><td>{@code InetSocketAddress} (IPv6)</td><td colspan="2">{@code ('::1', 8080, 0, 0)}</td></tr>
 *   <tr><td>{@code UnixDomainSocketAddress}</td><td>{@code /tmp/s}</td><td>{@code '/tmp/s'}</td></tr>
 *   <tr><td>{@code byte[]}</td><td colspan="2">{@code b'GET / HTTP/1.0\r\n'}</td></tr>
 *   <tr><td>{@code String}</td><td>the text</td><td>{@code 'text'}</td></tr>
 *   <tr><td>{@code null}, {@code Optional.empty()}</td><td colspan="2">{@code None}</td></tr>
 *   <tr><td>{@code Boolean}</td><td colspan="2">{@code True}, {@code False}</td></tr>
 *   <tr><td>{@code Duration}</td><td colspan="2">seconds as a float, {@code 0.5}</td></tr>
 *   <tr><td>a {@code Collection}, an {@code Object[]}</td><td colspan="2">a list, {@code [1, 'a']}</td></tr>
 * </table>
 *
 * <p>Other values print as {@code String.valueOf}. A socketserver4j addition: Python needs no
 * such helper.
 */
public final class Py {
  private Py() {}

  /**
   * Python's {@code str(value)}: what {@code print(value)} prints.
   *
   * @param value the value
   * @return its Python text
   */
  public static String str(Object value) {
    if (value instanceof String) {
      return (String) value;
    }
    if (value instanceof UnixDomainSocketAddress) {
      return PythonReprs.address((SocketAddress) value);
    }
    return repr(value);
  }

  /**
   * Python's {@code repr(value)}: what {@code %r} and {@code !r} print, and what a tuple or list
   * prints for its items.
   *
   * @param value the value
   * @return its Python representation
   */
  public static String repr(Object value) {
    if (value == null) {
      return "None";
    }
    if (value instanceof Optional) {
      return repr(((Optional<?>) value).orElse(null));
    }
    if (value instanceof byte[]) {
      return bytes((byte[]) value);
    }
    if (value instanceof String) {
      return string((String) value);
    }
    if (value instanceof InetSocketAddress) {
      return PythonReprs.address((SocketAddress) value);
    }
    if (value instanceof UnixDomainSocketAddress) {
      return string(PythonReprs.address((SocketAddress) value));
    }
    if (value instanceof Boolean) {
      return (Boolean) value ? "True" : "False";
    }
    if (value instanceof Duration) {
      Duration d = (Duration) value;
      return floatRepr(d.getSeconds() + d.getNano() / 1e9);
    }
    if (value instanceof Double || value instanceof Float) {
      return floatRepr(((Number) value).doubleValue());
    }
    if (value instanceof Object[]) {
      return list(java.util.Arrays.asList((Object[]) value));
    }
    if (value instanceof Collection) {
      return list((Collection<?>) value);
    }
    return String.valueOf(value);
  }

  private static String list(Collection<?> items) {
    StringBuilder sb = new StringBuilder("[");
    for (Object item : items) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(repr(item));
    }
    return sb.append(']').toString();
  }

  private static String floatRepr(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (v == 0) {
      return 1 / v < 0 ? "-0.0" : "0.0";
    }
    // The shortest digits that round-trip, laid out as Python's repr: plain from 1e-4 to 1e16.
    java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros();
    String digits = d.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - d.scale();
    String sign = v < 0 ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+")
          + String.format("%02d", Math.abs(exponent));
    }
    String plain = d.abs().toPlainString();
    return sign + (plain.indexOf('.') < 0 ? plain + ".0" : plain);
  }

  /** Python's bytes repr: single quotes, unless the bytes hold ' and no ". */
  private static String bytes(byte[] data) {
    boolean single = false;
    boolean dbl = false;
    for (byte b : data) {
      single |= b == '\'';
      dbl |= b == '"';
    }
    char quote = single && !dbl ? '"' : '\'';
    StringBuilder sb = new StringBuilder(data.length + 3).append('b').append(quote);
    for (byte b : data) {
      int v = b & 0xff;
      if (v == quote || v == '\\') {
        sb.append('\\').append((char) v);
      } else if (v == '\t') {
        sb.append("\\t");
      } else if (v == '\n') {
        sb.append("\\n");
      } else if (v == '\r') {
        sb.append("\\r");
      } else if (v < 0x20 || v >= 0x7f) {
        sb.append(String.format("\\x%02x", v));
      } else {
        sb.append((char) v);
      }
    }
    return sb.append(quote).toString();
  }

  /** Python's str repr: the same quote rule; non-printable characters escaped. */
  private static String string(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder sb = new StringBuilder(s.length() + 2).append(quote);
    s.codePoints().forEach(c -> {
      if (c == quote || c == '\\') {
        sb.append('\\').append((char) c);
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", c));
      } else if (c >= 0x80 && c < 0xa0) {
        sb.append(String.format("\\x%02x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.append(quote).toString();
  }
}
