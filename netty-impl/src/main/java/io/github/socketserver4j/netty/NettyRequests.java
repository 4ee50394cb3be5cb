package io.github.socketserver4j.netty;

import io.github.socketserver4j.StreamRequest;
import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * The Netty side of a blocking request: its channel, TLS session and PROXY protocol header, for a
 * {@code StreamRequestHandler} that runs on a socketserver4j server over this transport or behind
 * a {@link RequestHandlerAdapter} in the application's own pipeline. It replaces the side map
 * keyed by remote address that a handler needed to find what the pipeline knew.
 *
 * <pre>{@code
 * class Audit extends StreamRequestHandler {
 *   @Override public void handle() throws IOException {
 *     Channel channel = NettyRequests.channel(connection());           // attributes, pipeline
 *     Optional<HAProxyMessage> proxy = NettyRequests.proxyHeader(connection());
 *     Optional<Map<String, Object>> cert = connection().getpeercert(); // Python's getpeercert()
 *   }
 * }
 * }</pre>
 *
 * <p>Each method takes the request a handler gets ({@code connection()}, or the {@code
 * StreamRequest} of {@code getRequest()}, {@code verifyRequest} and {@code handleError}) and
 * throws {@link IllegalArgumentException} for a request that this transport did not make. All are
 * safe on any thread. The TLS session is also in the api as {@link StreamRequest#sslSession()},
 * and the peer's certificate as {@link StreamRequest#getpeercert()}, which need no Netty types.
 */
public final class NettyRequests {
  private NettyRequests() {}

  /**
   * Returns the request's channel: its {@linkplain Channel#attr attributes}, its pipeline (to add
   * a handler, for example an {@code SslHandler} for STARTTLS), its event loop. Reading from or
   * writing to the channel directly bypasses the request's buffers; use the request's streams for
   * that, or hand the connection over with {@link EventLoopRequestHandler}.
   *
   * @param request a request of this transport
   * @return its channel
   * @throws IllegalArgumentException if the request is not from this transport
   */
  public static Channel channel(StreamRequest request) {
    return connection(request).channel();
  }

  /**
   * Returns the request's TLS session, as {@link StreamRequest#sslSession()}: the one its
   * handshake (by an {@code SslHandler}, or the one an {@code SniHandler} chose) established,
   * captured when the handshake completed, so it stays readable after the connection closed. The
   * SNI host name the client asked for is in {@link
   * javax.net.ssl.ExtendedSSLSession#getRequestedServerNames()}.
   *
   * @param request a request of this transport
   * @return the session, or empty for a connection without TLS
   * @throws IllegalArgumentException if the request is not from this transport
   * @throws IllegalStateException if a TLS handler is in the pipeline and its handshake has not
   *     completed
   */
  public static Optional<SSLSession> sslSession(StreamRequest request) {
    return connection(request).sslSession();
  }

  /**
   * Returns the PROXY protocol header that the pipeline's {@code HAProxyMessageDecoder} decoded
   * (v1 or v2, with its TLVs): the destination address the client connected to, the source the
   * request's {@code clientAddress} is made from, and the TLVs a proxy adds (ALPN, authority, SSL
   * details, unique id).
   *
   * <p>The request owns the header: it is released when the request is closed (after {@code
   * finish()}, or when a drain aborts it), and the caller must not release it. It is valid until
   * then; to keep it, or its TLVs' content, longer, {@code retain()} it (and release it when
   * done) or copy what is needed.
   *
   * @param request a request of this transport
   * @return the header, or empty when the pipeline decodes none
   * @throws IllegalArgumentException if the request is not from this transport
   * @throws IllegalStateException once the request is closed and the header released
   */
  public static Optional<HAProxyMessage> proxyHeader(StreamRequest request) {
    return connection(request).context().proxyHeader().map(HAProxyMessage.class::cast);
  }

  private static ChannelStream connection(StreamRequest request) {
    Objects.requireNonNull(request, "request");
    if (!(request instanceof ChannelStream)) {
      throw new IllegalArgumentException(
          request + " (" + request.getClass().getName() + ") is not a connection of"
              + " socketserver4j's Netty transport; NettyRequests reads only those");
    }
    return (ChannelStream) request;
  }
}
