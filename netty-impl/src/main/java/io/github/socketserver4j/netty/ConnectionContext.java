package io.github.socketserver4j.netty;

import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;

/**
 * What the handlers in front of the bridge learnt about one connection, kept for its request
 * handler ({@link NettyRequests}, {@code StreamRequest.sslSession()}): the TLS session once the
 * handshake succeeded, and the decoded PROXY protocol header.
 *
 * <p>The header is reference counted: the {@link Gate} hands it over here instead of releasing
 * it, and the connection releases it when it is closed for real or aborted ({@link #release()}),
 * so a request handler can read it for as long as its request is open, and nothing leaks when it
 * never looks.
 */
final class ConnectionContext {
  private static final Object NO_HEADER = new Object();
  private static final Object RELEASED = new Object();
  private static final Object RELEASED_WITHOUT_HEADER = new Object();

  private volatile SSLSession session;
  /** The header, {@link #NO_HEADER} (null before the gate ran) or a released marker. */
  private final AtomicReference<Object> header = new AtomicReference<>(NO_HEADER);

  /** On the event loop: the TLS handshake in front of the bridge succeeded. */
  void handshakeDone(ChannelPipeline pipeline) {
    SSLSession done = Handlers.tlsSession(pipeline);
    if (done != null) {
      session = done;
    }
  }

  /**
   * The session captured at the handshake; otherwise the pipeline's TLS handler's, for a TLS
   * handler that came after the request started (STARTTLS): empty without one, and {@link
   * IllegalStateException} while its handshake runs.
   */
  Optional<SSLSession> sslSession(ChannelPipeline pipeline) {
    SSLSession captured = session;
    return captured != null
        ? Optional.of(captured)
        : Optional.ofNullable(Handlers.tlsSession(pipeline));
  }

  /** On the event loop: takes ownership of a decoded PROXY header (the gate's). */
  void keepProxyHeader(Object message) {
    if (!header.compareAndSet(NO_HEADER, message)) {
      ReferenceCountUtil.release(message); // released already (aborted), or a second header
    }
  }

  /**
   * The PROXY header, owned by this connection, or empty when none was decoded.
   *
   * @throws IllegalStateException once the connection is closed and the header released
   */
  Optional<Object> proxyHeader() {
    Object current = header.get();
    if (current == RELEASED) {
      throw new IllegalStateException(
          "the request is closed: its PROXY header was released (retain() it to keep it longer)");
    }
    return current == NO_HEADER || current == RELEASED_WITHOUT_HEADER
        ? Optional.empty()
        : Optional.of(current);
  }

  /** Any thread: the connection is closed for real or aborted; releases the header, once. */
  void release() {
    Object current;
    do {
      current = header.get();
      if (current == RELEASED || current == RELEASED_WITHOUT_HEADER) {
        return;
      }
    } while (!header.compareAndSet(
        current, current == NO_HEADER ? RELEASED_WITHOUT_HEADER : RELEASED));
    if (current != NO_HEADER) {
      ReferenceCountUtil.release(current);
    }
  }
}
