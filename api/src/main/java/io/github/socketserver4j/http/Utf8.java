package io.github.socketserver4j.http;

import java.io.ByteArrayOutputStream;

/**
 * UTF-8 with CPython's error handlers: decoding with {@code surrogatepass} (encoded surrogates
 * become lone surrogate characters) or {@code replace} (each maximal invalid subsequence becomes
 * U+FFFD), and encoding with {@code surrogateescape} (U+DC80 to U+DCFF become the bytes 0x80 to
 * 0xFF), as Python does for file names and the listing.
 */
final class Utf8 {
  private Utf8() {}

  /**
   * Decodes {@code b}: with {@code surrogatepass} true, returns null where Python raises {@code
   * UnicodeDecodeError}; with false, replaces as Python's {@code errors='replace'}.
   */
  static String decode(byte[] b, boolean surrogatepass) {
    StringBuilder out = new StringBuilder(b.length);
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        out.append((char) c);
        i++;
        continue;
      }
      int need;
      int lo = 0x80;
      int hi = 0xbf;
      int cp;
      if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
        cp = c & 0x1f;
      } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        cp = c & 0x0f;
        if (c == 0xe0) {
          lo = 0xa0;
        } else if (c == 0xed && !surrogatepass) {
          hi = 0x9f;
        }
      } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        cp = c & 0x07;
        if (c == 0xf0) {
          lo = 0x90;
        } else if (c == 0xf4) {
          hi = 0x8f;
        }
      } else {
        if (surrogatepass) {
          return null;
        }
        out.append('\ufffd');
        i++;
        continue;
      }
      int j = i + 1;
      boolean ok = true;
      for (int k = 0; k < need; k++, j++) {
        int d = j < b.length ? b[j] & 0xff : -1;
        int min = k == 0 ? lo : 0x80;
        int max = k == 0 ? hi : 0xbf;
        if (d < min || d > max) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (d & 0x3f);
      }
      if (!ok) {
        if (surrogatepass) {
          return null;
        }
        out.append('\ufffd');
        i = j; // the lead byte and the valid continuation bytes before the bad one
        continue;
      }
      out.appendCodePoint(cp);
      i = j;
    }
    return out.toString();
  }

  /**
   * Encodes {@code s} as Python's {@code s.encode('utf-8', 'surrogateescape')}.
   *
   * @throws IllegalArgumentException for a surrogate outside U+DC80 to U+DCFF, where Python raises
   *     {@code UnicodeEncodeError}
   */
  static byte[] encodeSurrogateEscape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 16);
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp >= 0xdc80 && cp <= 0xdcff) {
        out.write(cp - 0xdc00);
      } else if (cp >= 0xd800 && cp <= 0xdfff) {
        throw new IllegalArgumentException(
            "'utf-8' codec can't encode character '\\u" + Integer.toHexString(cp)
                + "': surrogates not allowed");
      } else if (cp < 0x80) {
        out.write(cp);
      } else if (cp < 0x800) {
        out.write(0xc0 | cp >> 6);
        out.write(0x80 | cp & 0x3f);
      } else if (cp < 0x10000) {
        out.write(0xe0 | cp >> 12);
        out.write(0x80 | cp >> 6 & 0x3f);
        out.write(0x80 | cp & 0x3f);
      } else {
        out.write(0xf0 | cp >> 18);
        out.write(0x80 | cp >> 12 & 0x3f);
        out.write(0x80 | cp >> 6 & 0x3f);
        out.write(0x80 | cp & 0x3f);
      }
    }
    return out.toByteArray();
  }
}
