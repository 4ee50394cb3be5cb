package io.github.socketserver4j.netty;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;

/** The PROXY protocol decoder ({@code netty-codec-haproxy}); used only when it is present. */
final class ProxySupport {
  private ProxySupport() {}

  static boolean inPipeline(ChannelPipeline pipeline) {
    return pipeline.get(HAProxyMessageDecoder.class) != null;
  }

  static boolean isHeader(Object message) {
    return message instanceof HAProxyMessage;
  }

  /**
   * The source address of a header: the client the proxy accepted. A {@code LOCAL} header (the
   * proxy's own health check) and an {@code UNKNOWN} protocol carry none; the peer is used then,
   * as the PROXY protocol specification says.
   */
  static SocketAddress source(Object message, SocketAddress peer) {
    HAProxyMessage header = (HAProxyMessage) message;
    if (header.command() != HAProxyCommand.PROXY || header.sourceAddress() == null) {
      return peer;
    }
    switch (header.proxiedProtocol()) {
      case TCP4:
      case TCP6:
      case UDP4:
      case UDP6:
        try {
          // A numeric address: the decoder has checked it, so no name lookup happens here.
          return new InetSocketAddress(
              InetAddress.getByName(header.sourceAddress()), header.sourcePort());
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException(
              "PROXY header with a bad source address: " + header.sourceAddress(), e);
        }
      case UNIX_STREAM:
      case UNIX_DGRAM:
        return UnixDomainSocketAddress.of(header.sourceAddress());
      default:
        return peer;
    }
  }
}
