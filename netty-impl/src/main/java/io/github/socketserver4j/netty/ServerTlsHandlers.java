package io.github.socketserver4j.netty;

import io.github.socketserver4j.spi.ServerTls;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Installs the TLS handlers of a server: the {@code SslHandler} a {@link ServerTls} request asks
 * for (the api's HTTPS servers), after the user's pipeline handlers, and the one {@link
 * NettyOptions.Builder#tls} or {@link NettyOptions.Builder#sni} asks for, before them ({@link
 * FrontHandlers}). Either way the {@link Gate} holds the connection back until its handshake is
 * done. Touched only when {@code netty-handler} is present ({@link Handlers}).
 */
final class ServerTlsHandlers {
  /** One Netty context per request, so ALPN and the session cache are set up once. */
  private static final Map<ServerTls, SslContext> CONTEXTS = new WeakHashMap<>();

  /** The name of the TLS handler in the pipeline. */
  static final String NAME = "socketserver4j-tls";

  private ServerTlsHandlers() {}

  /** Adds the handler for {@code tls} last in {@code child}'s pipeline. */
  static void install(Channel child, ServerTls tls) {
    install(child, context(tls));
  }

  /** Adds a handler made from {@code context} last in {@code child}'s pipeline. */
  static void install(Channel child, SslContext context) {
    child.pipeline().addLast(NAME, context.newHandler(child.alloc()));
  }

  /**
   * Adds Netty's {@code SniHandler} last in {@code child}'s pipeline: it reads the {@code
   * ClientHello}, asks {@code mapping} for the context of the server name the client sent (null
   * when it sent none), and replaces itself with that context's {@code SslHandler}.
   */
  static void installSni(Channel child, Mapping<? super String, ? extends SslContext> mapping) {
    child.pipeline().addLast(NAME, new SniHandler(mapping));
  }

  private static SslContext context(ServerTls tls) {
    synchronized (CONTEXTS) {
      SslContext context = CONTEXTS.get(tls);
      if (context == null) {
        ApplicationProtocolConfig alpn =
            tls.applicationProtocols().isEmpty()
                ? ApplicationProtocolConfig.DISABLED
                : new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    tls.applicationProtocols());
        context =
            new JdkSslContext(
                tls.context(), false, null, IdentityCipherSuiteFilter.INSTANCE, alpn,
                ClientAuth.NONE, null, false);
        CONTEXTS.put(tls, context);
      }
      return context;
    }
  }
}
