package io.github.socketserver4j.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.ProtocolDetectionState;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads the first bytes of a connection for {@link NettyOptions.Builder#proxyProtocol(boolean)}:
 * when they start a PROXY header (v1 {@code "PROXY"} or the v2 signature) it puts Netty's {@code
 * HAProxyMessageDecoder} in its place, as reactor-netty's {@code HAProxyMessageDetector} does.
 * Otherwise, when the header is optional, it tells the {@link Gate} with {@link
 * FrontHandlers#NO_PROXY_HEADER} and leaves the bytes to the handlers behind it; when it is
 * required, it fails the connection at once.
 *
 * <p>Netty's {@code HAProxyMessageDecoder.detectProtocol} needs 12 bytes before it answers, so a
 * client whose first message is shorter (a 3-byte command, then waiting for the reply) would wait
 * until the handshake timeout; and the decoder alone takes any bytes that are not a v2 header for
 * a v1 line, waiting for its CRLF up to 108 bytes. This detector decides as soon as the bytes
 * received so far cannot begin a header, and asks {@code detectProtocol} once there are 12. An
 * optional header needs the client to speak first: with a protocol where the server speaks
 * first, make the header required or leave it out.
 *
 * <p>One per connection; on its event loop. Used only when {@code netty-codec-haproxy} is present.
 */
final class ProxyDetector extends ByteToMessageDecoder {
  private final boolean required;

  /** A detector that fails a connection without header ({@code required}) or lets it through. */
  ProxyDetector(boolean required) {
    this.required = required;
  }

  /** The 12-byte signature of a v2 header. */
  private static final byte[] V2 = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  /** How a v1 header starts. */
  private static final byte[] V1 = "PROXY".getBytes(StandardCharsets.US_ASCII);

  /** The bytes {@code HAProxyMessageDecoder.detectProtocol} needs to decide. */
  private static final int DECISIVE = V2.length;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    ProtocolDetectionState state = detect(in);
    if (state == ProtocolDetectionState.NEEDS_MORE_DATA) {
      return; // ByteToMessageDecoder asks for more: auto-read is off
    }
    if (state == ProtocolDetectionState.DETECTED) {
      // The decoder gets the bytes read so far when this handler is removed.
      ctx.pipeline().replace(this, ProxySupport.NAME, new HAProxyMessageDecoder());
    } else if (required) {
      throw new HAProxyProtocolException(
          "the connection does not start with a PROXY protocol header, which is required");
    } else {
      ctx.fireUserEventTriggered(FrontHandlers.NO_PROXY_HEADER);
      ctx.pipeline().remove(this); // the bytes go on to TLS or the bridge
    }
  }

  /** Whether {@code in}, from its reader index, starts a PROXY header. */
  static ProtocolDetectionState detect(ByteBuf in) {
    int n = in.readableBytes();
    if (n >= DECISIVE) {
      return HAProxyMessageDecoder.detectProtocol(in).state();
    }
    boolean v1 = startsLike(in, V1, Math.min(n, V1.length));
    if (v1 && n >= V1.length) {
      return ProtocolDetectionState.DETECTED;
    }
    return v1 || startsLike(in, V2, n)
        ? ProtocolDetectionState.NEEDS_MORE_DATA
        : ProtocolDetectionState.INVALID;
  }

  private static boolean startsLike(ByteBuf in, byte[] prefix, int length) {
    int at = in.readerIndex();
    for (int i = 0; i < length; i++) {
      if (in.getByte(at + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
