package io.github.socketserver4j.netty;

import io.github.socketserver4j.spi.ServerTls;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Installs the {@code SslHandler} a {@link ServerTls} request asks for (the api's HTTPS servers),
 * after the user's pipeline handlers, so the {@link Gate} holds the connection back until its
 * handshake is done. Touched only when {@code netty-handler} is present ({@link Handlers}).
 */
final class ServerTlsHandlers {
  /** One Netty context per request, so ALPN and the session cache are set up once. */
  private static final Map<ServerTls, SslContext> CONTEXTS = new WeakHashMap<>();

  private ServerTlsHandlers() {}

  static void install(Channel child, ServerTls tls) {
    child.pipeline().addLast("socketserver4j-tls", context(tls).newHandler(child.alloc()));
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
