package io.github.socketserver4j.netty;

import io.github.socketserver4j.UnixBytesAddress;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;

/**
 * The names of Unix datagram senders and receivers, between Netty and the JDK.
 *
 * <p>Netty's native code hands a sender's name ({@code sun_path}, all of its bytes, abstract
 * names included) to Java as a string decoded from UTF-8, and encodes a receiver's name to UTF-8
 * when it sends. A name is one of:
 *
 * <ul>
 *   <li>empty: an unbound sender, with no address ({@code null}, CPython's {@code None});
 *   <li>a path the JVM can hold: a {@code UnixDomainSocketAddress};
 *   <li>an abstract or autobound name (first byte 0), or a path this JVM cannot make a {@code
 *       Path} of (non-ASCII under {@code LANG=C}): a {@link UnixBytesAddress} of its bytes, as
 *       CPython gives it as {@code bytes};
 *   <li>bytes that are not UTF-8: Netty's decoding replaced them by U+FFFD, so the real name is
 *       lost and no reply could reach it: {@link Undecodable}.
 * </ul>
 */
final class UnixAddresses {
  private UnixAddresses() {}

  /** A sender whose name Netty could not decode: the datagram cannot be answered. */
  static final class Undecodable extends Exception {
    private static final long serialVersionUID = 1L;

    /** The name as Netty decoded it, U+FFFD where bytes were not UTF-8. */
    final String decoded;

    Undecodable(String decoded) {
      super(
          "the sender's name is not UTF-8, so Netty decoded it lossily and no reply can reach it: "
              + bytesOf(decoded)
              + " (each \\xef\\xbf\\xbd stands for bytes that were lost)",
          null,
          false,
          false);
      this.decoded = decoded;
    }
  }

  /**
   * The address of a sender whose name Netty decoded as {@code path}.
   *
   * @throws Undecodable if the name was not UTF-8
   */
  static SocketAddress sender(String path) throws Undecodable {
    if (path.isEmpty()) {
      return null;
    }
    if (path.indexOf('\uFFFD') >= 0) {
      throw new Undecodable(path);
    }
    if (path.charAt(0) != 0) {
      try {
        return UnixDomainSocketAddress.of(path);
      } catch (InvalidPathException e) {
        // A name the JVM's file-name encoding cannot hold: kept as bytes, as below.
      }
    }
    return UnixBytesAddress.of(path.getBytes(StandardCharsets.UTF_8));
  }

  /** The bytes of {@code address}'s name, as {@code sendto} takes them; null if not Unix. */
  static byte[] nameBytes(SocketAddress address) {
    if (address instanceof UnixDomainSocketAddress) {
      return ((UnixDomainSocketAddress) address).getPath().toString()
          .getBytes(StandardCharsets.UTF_8);
    }
    if (address instanceof UnixBytesAddress) {
      return ((UnixBytesAddress) address).bytes();
    }
    return null;
  }

  /**
   * The address Netty's channel sends to for {@code address}, or null when Netty cannot carry the
   * name: bytes that are not UTF-8 (Netty re-encodes the string it is given).
   */
  static DomainSocketAddress toNetty(SocketAddress address) {
    if (address instanceof UnixDomainSocketAddress) {
      return new DomainSocketAddress(((UnixDomainSocketAddress) address).getPath().toString());
    }
    byte[] name = nameBytes(address);
    if (name == null) {
      throw new IllegalArgumentException("not a Unix socket address: " + address);
    }
    try {
      String path =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(name))
              .toString();
      return new DomainSocketAddress(path);
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** A name as Netty decoded it, shown as the bytes it stands for: {@code b'\x00name'}. */
  static String bytesOf(String decoded) {
    StringBuilder text = new StringBuilder("b'");
    for (byte b : decoded.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
        text.append((char) c);
      } else {
        text.append(String.format("\\x%02x", c));
      }
    }
    return text.append('\'').toString();
  }
}
