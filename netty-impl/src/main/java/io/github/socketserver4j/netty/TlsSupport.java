package io.github.socketserver4j.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

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
