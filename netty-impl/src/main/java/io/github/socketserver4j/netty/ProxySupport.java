package io.github.socketserver4j.netty;

import io.netty.channel.Channel;
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
  /** The name of the PROXY decoder (or detector) in the pipeline. */
  static final String NAME = "socketserver4j-proxy";

  private ProxySupport() {}

  /**
   * Adds the PROXY decoder last in {@code child}'s pipeline: a {@link ProxyDetector} that puts
   * Netty's {@code HAProxyMessageDecoder} (v1 and v2) in its own place when the connection starts
   * with a header, and otherwise fails the connection ({@code required}) or lets it through.
   */
  static void install(Channel child, boolean required) {
    child.pipeline().addLast(NAME, new ProxyDetector(required));
  }

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
