package io.github.socketserver4j.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;

/**
 * CPython 3.13's {@code urllib.parse} as {@code http.server} uses it: {@code quote}, {@code
 * unquote} (with {@code errors='surrogatepass'} and its fallback), {@code urlsplit} and {@code
 * urlunsplit}.
 */
final class UrlCodec {
  private UrlCodec() {}

  private static final String SCHEME_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.";

  private static final List<String> USES_NETLOC =
      List.of(
          "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https",
          "shttp", "snews", "prospero", "rtsp", "rtsps", "rtspu", "rsync", "svn", "svn+ssh",
          "sftp", "nfs", "git", "git+ssh", "ws", "wss", "itms-services");

  /** {@code urllib.parse.quote(s)}: UTF-8, then every byte but letters, digits, {@code _.-~/}. */
  static String quote(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '-' || c == '~' || c == '/') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }

  /**
   * {@code try: unquote(s, errors='surrogatepass') except UnicodeDecodeError: unquote(s)}: what
   * {@code translate_path} and {@code list_directory} do. Encoded surrogates become lone surrogate
   * characters; any other invalid UTF-8 makes the whole string decode with U+FFFD instead.
   */
  static String unquotePath(String s) {
    String strict = unquote(s, true);
    return strict != null ? strict : unquote(s, false);
  }

  /**
   * {@code urllib.parse.unquote}: each run of ASCII characters is percent-decoded to bytes and
   * decoded as UTF-8; other characters stay as they are.
   *
   * @param surrogatepass true for {@code errors='surrogatepass'} (returns null where it raises),
   *     false for {@code errors='replace'}
   */
  static String unquote(String s, boolean surrogatepass) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      if (s.charAt(i) > 0x7f) {
        out.append(s.charAt(i++));
        continue;
      }
      int start = i;
      while (i < s.length() && s.charAt(i) <= 0x7f) {
        i++;
      }
      String decoded = Utf8.decode(unquoteToBytes(s.substring(start, i)), surrogatepass);
      if (decoded == null) {
        return null;
      }
      out.append(decoded);
    }
    return out.toString();
  }

  /** {@code unquote_to_bytes} of an ASCII string: {@code %XX} with two hex digits, else kept. */
  private static byte[] unquoteToBytes(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0
          && hex(s.charAt(i + 2)) >= 0) {
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  private static int hex(char c) {
    return c < 0x80 ? Character.digit(c, 16) : -1;
  }

  /** {@code urlsplit(url)}: scheme, netloc, path, query, fragment. */
  static String[] urlsplit(String url) {
    url = PyText.lstrip(url, C0_CONTROL_OR_SPACE);
    url = url.replace("\t", "").replace("\r", "").replace("\n", "");
    String scheme = "";
    String netloc = "";
    String query = "";
    String fragment = "";
    int i = url.indexOf(':');
    if (i > 0 && url.charAt(0) < 0x80 && Character.isLetter(url.charAt(0))) {
      boolean allSchemeChars = true;
      for (int j = 0; j < i; j++) {
        if (SCHEME_CHARS.indexOf(url.charAt(j)) < 0) {
          allSchemeChars = false;
          break;
        }
      }
      if (allSchemeChars) {
        scheme = url.substring(0, i).toLowerCase(Locale.ROOT);
        url = url.substring(i + 1);
      }
    }
    if (url.startsWith("//")) {
      int delim = url.length();
      for (char c : new char[] {'/', '?', '#'}) {
        int w = url.indexOf(c, 2);
        if (w >= 0) {
          delim = Math.min(delim, w);
        }
      }
      netloc = url.substring(2, delim);
      url = url.substring(delim);
      boolean open = netloc.indexOf('[') >= 0;
      boolean close = netloc.indexOf(']') >= 0;
      if (open != close) {
        throw new IllegalArgumentException("Invalid IPv6 URL");
      }
    }
    int hash = url.indexOf('#');
    if (hash >= 0) {
      fragment = url.substring(hash + 1);
      url = url.substring(0, hash);
    }
    int q = url.indexOf('?');
    if (q >= 0) {
      query = url.substring(q + 1);
      url = url.substring(0, q);
    }
    checkNetloc(netloc);
    return new String[] {scheme, netloc, url, query, fragment};
  }

  private static final String C0_CONTROL_OR_SPACE;

  static {
    StringBuilder b = new StringBuilder();
    for (char c = 0; c <= 0x20; c++) {
      b.append(c);
    }
    C0_CONTROL_OR_SPACE = b.toString();
  }

  /** {@code _checknetloc}: characters that NFKC turns into URL delimiters are refused. */
  private static void checkNetloc(String netloc) {
    boolean ascii = netloc.chars().allMatch(c -> c < 0x80);
    if (netloc.isEmpty() || ascii) {
      return;
    }
    String n = netloc.replace("@", "").replace(":", "").replace("#", "").replace("?", "");
    String normalized = Normalizer.normalize(n, Normalizer.Form.NFKC);
    if (n.equals(normalized)) {
      return;
    }
    for (char c : "/?#@:".toCharArray()) {
      if (normalized.indexOf(c) >= 0) {
        throw new IllegalArgumentException(
            "netloc '" + netloc + "' contains invalid characters under NFKC normalization");
      }
    }
  }

  /** {@code urlunsplit((scheme, netloc, path, query, fragment))}. */
  static String urlunsplit(String[] parts) {
    String scheme = parts[0];
    String netloc = parts[1];
    String url = parts[2];
    if (!netloc.isEmpty()) {
      if (!url.isEmpty() && !url.startsWith("/")) {
        url = "/" + url;
      }
      url = "//" + netloc + url;
    } else if (url.startsWith("//")) {
      url = "//" + url;
    } else if (!scheme.isEmpty() && USES_NETLOC.contains(scheme)
        && (url.isEmpty() || url.startsWith("/"))) {
      url = "//" + url;
    }
    if (!scheme.isEmpty()) {
      url = scheme + ":" + url;
    }
    if (!parts[3].isEmpty()) {
      url = url + "?" + parts[3];
    }
    if (!parts[4].isEmpty()) {
      url = url + "#" + parts[4];
    }
    return url;
  }
}
