package io.github.socketserver4j.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import java.net.SocketAddress;
import javax.net.ssl.SSLSession;

/**
 * What the server knows of the handlers users put in a pipeline: TLS ({@code netty-handler}) and
 * the PROXY protocol ({@code netty-codec-haproxy}). Both artifacts are optional, so their classes
 * are touched only through {@link TlsSupport} and {@link ProxySupport}, and only once this class
 * has seen that they are on the class path.
 */
final class Handlers {
  private static final boolean TLS = present("io.netty.handler.ssl.SslHandler");
  private static final boolean PROXY = present("io.netty.handler.codec.haproxy.HAProxyMessage");

  private Handlers() {}

  /** Whether {@code netty-handler}, and so TLS, is on the class path. */
  static boolean tlsAvailable() {
    return TLS;
  }

  /** Whether {@code netty-codec-haproxy}, and so the PROXY protocol, is on the class path. */
  static boolean proxyAvailable() {
    return PROXY;
  }

  /** Whether the pipeline has an {@code SslHandler} (or an {@code SniHandler} that becomes one). */
  static boolean hasTls(ChannelPipeline pipeline) {
    return TLS && TlsSupport.inPipeline(pipeline);
  }

  /** Whether the pipeline decodes a PROXY protocol header. */
  static boolean hasProxyDecoder(ChannelPipeline pipeline) {
    return PROXY && ProxySupport.inPipeline(pipeline);
  }

  /** Whether {@code event} ends a TLS handshake. */
  static boolean isHandshakeEnd(Object event) {
    return TLS && TlsSupport.isHandshakeEnd(event);
  }

  /** The failure of a handshake-end event, or null when the handshake succeeded. */
  static Throwable handshakeFailure(Object event) {
    return TlsSupport.handshakeFailure(event);
  }

  /**
   * The session of the pipeline's TLS handler once its handshake has succeeded; null when the
   * pipeline has none.
   *
   * @throws IllegalStateException while the handshake runs (or after it failed)
   */
  static SSLSession tlsSession(ChannelPipeline pipeline) {
    return TLS ? TlsSupport.session(pipeline) : null;
  }

  /** Whether {@code message} is a decoded PROXY header. */
  static boolean isProxyHeader(Object message) {
    return PROXY && ProxySupport.isHeader(message);
  }

  /** The client address a PROXY header gives; {@code peer} when it names none. */
  static SocketAddress proxiedSource(Object header, SocketAddress peer) {
    return ProxySupport.source(header, peer);
  }

  /**
   * Shuts the output down, Python's {@code shutdown(SHUT_WR)}: over TLS the {@code close_notify}
   * alert is flushed first, then the FIN is sent. On the event loop.
   */
  static void shutdownOutput(Channel channel) {
    if (hasTls(channel.pipeline())) {
      TlsSupport.closeOutboundThen(channel, () -> sendFin(channel));
    } else {
      sendFin(channel);
    }
  }

  private static void sendFin(Channel channel) {
    if (channel.isActive() && channel instanceof DuplexChannel) {
      ((DuplexChannel) channel).shutdownOutput();
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Handlers.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
