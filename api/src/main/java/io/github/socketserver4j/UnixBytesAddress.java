package io.github.socketserver4j;

import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Unix domain socket address given by the bytes of its name, as CPython gives such an address as
 * {@code bytes}: what {@link java.net.UnixDomainSocketAddress} cannot hold.
 *
 * <ul>
 *   <li>A Linux <em>abstract</em> name, whose first byte is 0: a client bound to {@code
 *       b"\0name"}, or one the kernel bound itself (an <em>autobound</em> socket: a client that
 *       bound the empty name gets {@code b"\0"} and five hex digits). {@code
 *       UnixDomainSocketAddress.of("\0...")} throws; CPython's {@code client_address} is {@code
 *       b'\x00name'}.
 *   <li>A path whose bytes this JVM cannot make a {@code Path} of, such as a non-ASCII name when
 *       the JVM runs under {@code LANG=C}. CPython, which reads file names as UTF-8 there, gives
 *       it as a {@code str} and replies to it.
 * </ul>
 *
 * <p>A {@link UnixDatagramServer}'s {@code clientAddress()} is one of these for such a client,
 * and replies sent to it ({@link DatagramSocketView#sendTo}, {@link DatagramRequestHandler}'s
 * {@code finish()}) reach the client, as in CPython. Other clients keep their usual addresses: a
 * path is a {@code UnixDomainSocketAddress}, an unbound client has {@code null} (CPython's {@code
 * None}).
 *
 * <p>Immutable. Two addresses are equal when their bytes are. {@link #toString()} is CPython's
 * {@code repr} of the bytes, so that {@code handleError}'s "request from ..." line reads as
 * CPython's.
 */
public final class UnixBytesAddress extends SocketAddress {
  private static final long serialVersionUID = 1L;

  /** Linux's {@code sizeof(sun_path)}: the longest name a Unix socket can have. */
  public static final int MAX_LENGTH = 108;

  /** The name's bytes; never handed out. */
  private final byte[] name;

  private UnixBytesAddress(byte[] name) {
    this.name = name;
  }

  /**
   * Returns the address with these bytes as its name ({@code sun_path}), for example {@code
   * "\0name".getBytes(UTF_8)} for the abstract name {@code name}.
   *
   * @param name the name's bytes, copied; 1 to {@value #MAX_LENGTH} bytes
   * @return the address
   * @throws IllegalArgumentException if {@code name} is empty (an unbound socket has no address:
   *     {@code null}) or longer than {@value #MAX_LENGTH} bytes
   */
  public static UnixBytesAddress of(byte[] name) {
    Objects.requireNonNull(name, "name");
    if (name.length == 0) {
      throw new IllegalArgumentException(
          "a Unix socket name has at least one byte; an unbound socket has no address (null)");
    }
    if (name.length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "a Unix socket name has at most " + MAX_LENGTH + " bytes: " + repr(name));
    }
    return new UnixBytesAddress(name.clone());
  }

  /**
   * Returns the name's bytes.
   *
   * @return a copy of the bytes
   */
  public byte[] bytes() {
    return name.clone();
  }

  /**
   * Returns whether the name is in Linux's abstract namespace: its first byte is 0. Such a name
   * is no file, and it goes away with the last socket bound to it.
   *
   * @return true for an abstract name, false for a path
   */
  public boolean isAbstract() {
    return name[0] == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnixBytesAddress && Arrays.equals(name, ((UnixBytesAddress) o).name);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(name);
  }

  /**
   * Returns CPython's {@code repr} of the bytes: {@code b'\x00name'}.
   *
   * @return the bytes as a Python bytes literal
   */
  @Override
  public String toString() {
    return repr(name);
  }

  /** Python's {@code repr(bytes)}: single quotes unless the bytes hold ' and no ". */
  private static String repr(byte[] bytes) {
    boolean single = true;
    boolean hasSingle = false;
    for (byte b : bytes) {
      hasSingle |= b == '\'';
      single &= b != '"';
    }
    char quote = hasSingle && single ? '"' : '\'';
    StringBuilder text = new StringBuilder(bytes.length + 3).append('b').append(quote);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c == quote || c == '\\') {
        text.append('\\').append((char) c);
      } else if (c == '\t') {
        text.append("\\t");
      } else if (c == '\n') {
        text.append("\\n");
      } else if (c == '\r') {
        text.append("\\r");
      } else if (c < 0x20 || c >= 0x7f) {
        text.append("\\x")
            .append(Character.forDigit(c >> 4, 16))
            .append(Character.forDigit(c & 15, 16));
      } else {
        text.append((char) c);
      }
    }
    return text.append(quote).toString();
  }
}
