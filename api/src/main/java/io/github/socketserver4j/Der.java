package io.github.socketserver4j;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One DER element (tag, content) of an X.509 certificate, read just far enough for {@link
 * PeerCertificates}: names, OIDs, strings and the few extensions CPython's {@code getpeercert()}
 * shows. The JDK exposes no parser for these, and a dependency for a hundred lines is not worth
 * its weight.
 */
final class Der {
  static final int SEQUENCE = 0x30;
  static final int SET = 0x31;
  static final int OID = 0x06;
  static final int OCTET_STRING = 0x04;

  final int tag;
  private final byte[] data;
  private final int start;
  private final int end;

  private Der(int tag, byte[] data, int start, int end) {
    this.tag = tag;
    this.data = data;
    this.start = start;
    this.end = end;
  }

  /** The single element {@code encoded} holds. */
  static Der parse(byte[] encoded) {
    List<Der> all = elements(encoded, 0, encoded.length);
    if (all.size() != 1) {
      throw new IllegalArgumentException("expected one DER element, found " + all.size());
    }
    return all.get(0);
  }

  /** The elements inside this one (a SEQUENCE, a SET or a constructed tag). */
  List<Der> children() {
    return elements(data, start, end);
  }

  /** The content octets. */
  byte[] content() {
    byte[] copy = new byte[end - start];
    System.arraycopy(data, start, copy, 0, copy.length);
    return copy;
  }

  /** The content of a primitive context tag {@code [n]}, or of a constructed one's child. */
  boolean isContext(int number) {
    return (tag & 0xC0) == 0x80 && (tag & 0x1F) == number;
  }

  /** An OBJECT IDENTIFIER's dotted form, OpenSSL's {@code OBJ_obj2txt(..., 1)}. */
  String oid() {
    StringBuilder s = new StringBuilder();
    long value = 0;
    boolean first = true;
    for (int i = start; i < end; i++) {
      value = (value << 7) | (data[i] & 0x7F);
      if ((data[i] & 0x80) == 0) {
        if (first) {
          long top = Math.min(value / 40, 2);
          s.append(top).append('.').append(value - top * 40);
          first = false;
        } else {
          s.append('.').append(value);
        }
        value = 0;
      }
    }
    return s.toString();
  }

  /**
   * A string's text, as OpenSSL's {@code ASN1_STRING_to_UTF8}: UTF8String as UTF-8, BMPString as
   * UTF-16, UniversalString as UTF-32, and the one-byte types (Printable, IA5, T61, Numeric,
   * Visible and the implicitly tagged IA5 names of a {@code GeneralName}) as Latin-1.
   */
  String text() {
    switch (tag & 0x1F) {
      case 0x0C:
        return decode(StandardCharsets.UTF_8);
      case 0x1E:
        return decode(StandardCharsets.UTF_16BE);
      case 0x1C:
        return decode(Charset.forName("UTF-32BE"));
      default:
        return decode(StandardCharsets.ISO_8859_1);
    }
  }

  private String decode(Charset charset) {
    return new String(data, start, end - start, charset);
  }

  private static List<Der> elements(byte[] data, int from, int to) {
    List<Der> out = new ArrayList<>();
    int i = from;
    while (i < to) {
      int tag = data[i++] & 0xFF;
      if ((tag & 0x1F) == 0x1F) {
        throw new IllegalArgumentException("multi-byte DER tags are not used in certificates");
      }
      int length = data[i++] & 0xFF;
      if (length > 0x80) {
        int bytes = length & 0x7F;
        if (bytes > 3) {
          throw new IllegalArgumentException("DER length too long");
        }
        length = 0;
        for (int k = 0; k < bytes; k++) {
          length = (length << 8) | (data[i++] & 0xFF);
        }
      } else if (length == 0x80) {
        throw new IllegalArgumentException("indefinite length is not DER");
      }
      if (length > to - i) {
        throw new IllegalArgumentException("DER element runs past its container");
      }
      out.add(new Der(tag, data, i, i + length));
      i += length;
    }
    return out;
  }
}
