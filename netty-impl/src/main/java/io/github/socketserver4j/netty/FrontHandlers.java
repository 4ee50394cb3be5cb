package io.github.socketserver4j.netty;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;

/**
 * The handlers that {@link NettyOptions.Builder#tls}, {@link NettyOptions.Builder#sni} and {@link
 * NettyOptions.Builder#proxyProtocol(boolean)} put in front of the user's pipeline handlers, and
 * what the {@link Gate} therefore waits for: the server knows it from the settings, where for the
 * pipeline hook it has to look at the handlers' classes ({@link Handlers}).
 *
 * <p>In the pipeline, in this order: the PROXY decoder (or the {@link ProxyDetector} when the
 * header is optional), then TLS (an {@code SslHandler}, or an {@code SniHandler} that becomes
 * one), then the user's handlers, the gate and the bridge. A PROXY header comes first on the wire,
 * in the clear, before the TLS {@code ClientHello}.
 *
 * <p>Immutable. The TLS and PROXY classes are optional dependencies: they are only touched through
 * {@link ServerTlsHandlers} and {@link ProxySupport}, when the setting that needs them is made.
 */
final class FrontHandlers {
  /** Whether, and how, the PROXY protocol header is read. */
  enum Proxy {
    /** No PROXY handling. */
    OFF,
    /** A header is read when the connection starts with one; else the bytes are the request's. */
    OPTIONAL,
    /** Every connection must start with a header; one that does not is dropped. */
    REQUIRED
  }

  /**
   * The user event the {@link ProxyDetector} fires when a connection does not start with a PROXY
   * header, so the gate stops waiting for one.
   */
  static final Object NO_PROXY_HEADER =
      new Object() {
        @Override
        public String toString() {
          return "NO_PROXY_HEADER";
        }
      };

  /** No handlers: the default. */
  static final FrontHandlers NONE = new FrontHandlers(null, null, Proxy.OFF);

  private final SslContext tls;
  private final Mapping<? super String, ? extends SslContext> sni;
  private final Proxy proxy;

  FrontHandlers(SslContext tls, Mapping<? super String, ? extends SslContext> sni, Proxy proxy) {
    this.tls = tls;
    this.sni = sni;
    this.proxy = proxy;
  }

  /** Whether any handler is installed. */
  boolean any() {
    return waitsForTls() || waitsForProxy();
  }

  /** Whether the gate must wait for a TLS handshake. */
  boolean waitsForTls() {
    return tls != null || sni != null;
  }

  /** Whether the gate must wait for a PROXY header, or for the news that there is none. */
  boolean waitsForProxy() {
    return proxy != Proxy.OFF;
  }

  /**
   * Adds the handlers to an accepted connection's pipeline, before the user's initializer runs.
   * On the connection's event loop.
   */
  void install(Channel child) {
    if (proxy != Proxy.OFF) {
      ProxySupport.install(child, proxy == Proxy.REQUIRED);
    }
    if (tls != null) {
      ServerTlsHandlers.install(child, tls);
    } else if (sni != null) {
      ServerTlsHandlers.installSni(child, sni);
    }
  }

  @Override
  public String toString() {
    return "FrontHandlers[tls=" + (tls != null) + ", sni=" + (sni != null) + ", proxy=" + proxy
        + "]";
  }
}
