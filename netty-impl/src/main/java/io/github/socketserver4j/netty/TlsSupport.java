package io.github.socketserver4j.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;
import javax.net.ssl.SSLSession;

/** The TLS handlers ({@code netty-handler}); used only when that artifact is present. */
final class TlsSupport {
  private TlsSupport() {}

  static boolean inPipeline(ChannelPipeline pipeline) {
    return pipeline.get(SslHandler.class) != null || pipeline.get(AbstractSniHandler.class) != null;
  }

  static boolean isHandshakeEnd(Object event) {
    return event instanceof SslHandshakeCompletionEvent;
  }

  static Throwable handshakeFailure(Object event) {
    return ((SslHandshakeCompletionEvent) event).cause();
  }

  /**
   * The session of the pipeline's {@code SslHandler} once its handshake succeeded; null when there
   * is no TLS handler. An {@code SniHandler} or {@code OptionalSslHandler} that has not yet become
   * an {@code SslHandler}, or a handshake still running, is Python's {@code ValueError: handshake
   * not done yet}.
   */
  static SSLSession session(ChannelPipeline pipeline) {
    SslHandler ssl = pipeline.get(SslHandler.class);
    if (ssl == null) {
      if (pipeline.get(AbstractSniHandler.class) != null
          || pipeline.get(OptionalSslHandler.class) != null) {
        throw new IllegalStateException("handshake not done yet");
      }
      return null;
    }
    Future<?> handshake = ssl.handshakeFuture();
    if (!handshake.isSuccess()) {
      throw new IllegalStateException(
          handshake.isDone() ? "the TLS handshake failed" : "handshake not done yet",
          handshake.cause());
    }
    return ssl.engine().getSession();
  }

  /** Sends {@code close_notify} and runs {@code then} once it is written (or failed). */
  static void closeOutboundThen(Channel channel, Runnable then) {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl == null) {
      then.run();
      return;
    }
    ssl.closeOutbound().addListener(f -> then.run());
  }
}
