package io.github.socketserver4j.netty;

import io.github.socketserver4j.SocketType;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.spi.SocketSpec;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.spi.SocketImpl;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty settings for one server, or for several: the event loop group it runs on, its transport,
 * handlers to put in front of the blocking bridge (TLS, PROXY protocol, logging, idle checks,
 * traffic shaping) and options for accepted connections.
 *
 * <p>A server uses these settings when its {@link TCPServer#socketProvider()} returns them. That hook
 * is read by the server's constructor, so return a constant (or a value an anonymous subclass
 * captures):
 *
 * <pre>{@code
 * static final NettyOptions NETTY =
 *     NettyOptions.builder()
 *         .eventLoopGroup(appGroup)                                    // the application's loops
 *         .pipeline(ch -> ch.pipeline().addLast(sslContext.newHandler(ch.alloc())))
 *         .childOption(ChannelOption.SO_KEEPALIVE, true)
 *         .build();
 *
 * class TlsEchoServer extends ThreadingTCPServer {
 *   TlsEchoServer(SocketAddress address) throws IOException { super(address, Echo::new); }
 *   @Override protected SocketProvider socketProvider() { return NETTY; }
 * }
 * }</pre>
 *
 * <p>Servers that do not override {@code socketProvider()} use the provider found on the class path,
 * which is this class with no settings: its own small group of daemon event loops per server, and
 * epoll or NIO as {@link NettySocketProvider} says.
 *
 * <p>An instance is immutable and may be shared by any number of servers, on any threads.
 */
public final class NettyOptions extends SocketProvider {
  private static final Logger LOG = LoggerFactory.getLogger(NettyOptions.class);

  /** The default of {@link Builder#maxPendingHandshakes}. */
  public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 64;

  /** The settings of servers that use the class path's provider. */
  static final NettyOptions DEFAULT = builder().build();

  /** The application's group, or null for a group per server. */
  final EventLoopGroup group;

  /** The transport asked for ("epoll", "nio"), or null to pick one. */
  final String transportName;

  /** Event loop threads of a group the server makes itself; 0 for the default. */
  final int ioThreads;

  /** Adds the user's handlers, or null. */
  final PipelineInitializer pipeline;

  /** TLS and PROXY handlers the settings put in front of {@link #pipeline}'s. */
  final FrontHandlers front;

  /** Options for accepted connections, applied after the transport's own defaults. */
  final Map<ChannelOption<?>, Object> childOptions;

  /** How long an accepted connection may take for its PROXY header and TLS handshake. */
  final Duration handshakeTimeout;

  /**
   * How many accepted connections may wait for their PROXY header or TLS handshake at once; 1
   * takes them one at a time.
   */
  final int maxPendingHandshakes;

  /** Whether datagram servers may receive and send below Netty; null to ask the property. */
  private final Boolean directDatagramIo;
  /** Whether stream servers may accept on the serving thread; null to ask the property. */
  private final Boolean directAccept;
  /** Whether handler threads may write below Netty; null to ask the property. */
  private final Boolean directWrite;
  /** The longest line {@code readLine} returns on an accepted connection. */
  final int maxLineLength;

  private NettyOptions(Builder b) {
    this.group = b.group;
    this.transportName = b.transportName;
    this.ioThreads = b.ioThreads;
    this.pipeline = b.pipeline;
    this.front = new FrontHandlers(b.tls, b.sni, b.proxy);
    this.childOptions = Collections.unmodifiableMap(new LinkedHashMap<>(b.childOptions));
    this.handshakeTimeout = b.handshakeTimeout;
    this.maxPendingHandshakes = b.maxPendingHandshakes;
    this.directDatagramIo = b.directDatagramIo;
    this.directAccept = b.directAccept;
    this.directWrite = b.directWrite;
    this.maxLineLength = b.maxLineLength;
  }

  /**
   * Starts a builder with the defaults: a group per server, epoll where available (else NIO), no
   * handlers, no child options, a 10 s handshake timeout, up to 64 connections handshaking at
   * once, datagram I/O below Netty where it
   * applies (unless the system property {@code socketserver4j.netty.directDatagramIo} is false),
   * accept on the serving thread where it applies (unless the system property {@code
   * socketserver4j.netty.directAccept} is false), writes on the handler's thread where they apply
   * (unless the system property {@code socketserver4j.netty.directWrite} is false), no maximum
   * line length. No TLS and no PROXY
   * protocol unless {@link Builder#tls}, {@link Builder#sni} or {@link Builder#proxyProtocol()}
   * ask for them.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns {@code "netty"}.
   *
   * @return the provider's name
   */
  @Override
  public String name() {
    return "netty";
  }

  /**
   * Creates a server socket with these settings. Called by the server's constructor, on the thread
   * that constructs it.
   *
   * @param spec the family and type the server asks for
   * @return a new, unbound socket
   * @throws IllegalStateException if the transport asked for (here or by the system property
   *     {@code socketserver4j.netty.transport}) is not available or does not match the group, or
   *     if {@link Builder#tls} or {@link Builder#sni} is set for a server with TLS of its own
   *     ({@code HTTPSServer})
   * @throws UnsupportedOperationException if {@code tls}, {@code sni} or {@code proxyProtocol} is
   *     set for a datagram server
   */
  @Override
  public SocketImpl openSocket(SocketSpec spec) {
    if (spec.tls() != null && !Handlers.tlsAvailable()) {
      throw new UnsupportedOperationException(
          spec.ownerName() + " asks for TLS: add io.netty:netty-handler to the class path");
    }
    if (front.any() && spec.type() != SocketType.SOCK_STREAM) {
      throw new UnsupportedOperationException(
          spec.ownerName() + " is a datagram server: NettyOptions' tls, sni and proxyProtocol"
              + " apply to stream servers only");
    }
    if (front.waitsForTls() && spec.tls() != null) {
      throw new IllegalStateException(
          spec.ownerName() + " has TLS of its own (an SSLContext); NettyOptions' tls or sni would"
              + " wrap its connections twice: set one of them");
    }
    Transport transport = resolve();
    LOG.debug(
        "{} uses the {} transport on {}",
        spec.ownerName(),
        transport.displayName(),
        group != null ? "the application's event loop group" : "its own event loops");
    return spec.type() == SocketType.SOCK_STREAM
        ? new NettyServerSocket(spec, transport, this)
        : new NettyDatagramSocket(spec, transport, this);
  }

  /**
   * Returns the transport that a server made now with these settings would use: {@code "epoll"}
   * or {@code "nio"}.
   *
   * @return the transport's name
   * @throws IllegalStateException as {@link #openSocket} does
   */
  public String transportName() {
    return resolve().displayName();
  }

  /**
   * Returns the transport that {@code server}'s socket runs on: {@code "epoll"} or {@code "nio"}.
   * The server logs the same at DEBUG (logger {@code io.github.socketserver4j.netty.NettyOptions})
   * when it creates its socket.
   *
   * @param server a server whose socket this artifact made
   * @return the transport's name
   */
  public static String transportOf(TCPServer server) {
    return server.socket().transportName();
  }


  /**
   * Returns the {@code IoHandlerFactory} servers use for the event loops they make themselves, for
   * an application that makes a group to share with servers: {@code new
   * MultiThreadIoEventLoopGroup(threads, NettyOptions.ioHandlerFactory("auto"))}.
   *
   * <p>For epoll it is Netty's {@code EpollIoHandler.newFactory()} with a fix for a Netty 4.2.18
   * bug: a connection whose peer has half-closed is closed by Netty (ENOENT from {@code
   * epoll_ctl}) when a later write has to wait, so a reply sent after reading to end of stream is
   * cut. Groups made with Netty's own factory have the bug.
   *
   * @param transport {@code "auto"}, {@code "epoll"} or {@code "nio"}
   * @return a factory for {@code MultiThreadIoEventLoopGroup}
   * @throws IllegalArgumentException for another name
   * @throws IllegalStateException if epoll is asked for and not available
   */
  public static IoHandlerFactory ioHandlerFactory(String transport) {
    String name = builder().transport(transport).build().transportName;
    return Transport.select(name == null ? "" : name, "transport ").ioHandlerFactory();
  }

  /**
   * Whether a datagram server made now may receive and send below Netty: the builder's setting,
   * else the system property {@code socketserver4j.netty.directDatagramIo} (default true).
   */
  boolean directDatagramIo() {
    return directDatagramIo != null
        ? directDatagramIo
        : switchProperty(DatagramDirectPath.PROPERTY, true);
  }

  /**
   * Whether a stream server made now may accept on its serving thread, below Netty: the
   * builder's setting, else the system property {@code socketserver4j.netty.directAccept}
   * (default true).
   */
  boolean directAccept() {
    return directAccept != null ? directAccept : switchProperty(DirectAccept.PROPERTY, true);
  }

  /**
   * Whether the connections of a stream server made now may be written on the handler's thread,
   * below Netty: the builder's setting, else the system property {@code
   * socketserver4j.netty.directWrite} (default true).
   */
  boolean directWrite() {
    return directWrite != null ? directWrite : switchProperty(DirectWriter.PROPERTY, true);
  }

  /**
   * A switch's system property: {@code unset} when unset or empty, true when "true", false when
   * "false" (any case); anything else is an error.
   */
  private static boolean switchProperty(String property, boolean unset) {
    String forced = System.getProperty(property, "").trim();
    if (forced.isEmpty()) {
      return unset;
    }
    if (forced.equalsIgnoreCase("true")) {
      return true;
    }
    if (forced.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalStateException(property + "=" + forced + " is neither true nor false");
  }

  /** The transport to use: the group's, else the one asked for, else epoll or NIO. */
  Transport resolve() {
    String forced = transportName;
    String source = "NettyOptions.transport(";
    if (forced == null) {
      forced = System.getProperty(Transport.TRANSPORT_PROPERTY, "");
      source = Transport.TRANSPORT_PROPERTY + "=";
    }
    if (group == null) {
      return Transport.select(forced, source);
    }
    Transport ofGroup = Transport.ofGroup(group);
    if (ofGroup == null) {
      throw new IllegalStateException(
          "the event loop group " + group + " runs neither epoll nor NIO channels; give"
              + " NettyOptions a MultiThreadIoEventLoopGroup made with EpollIoHandler or"
              + " NioIoHandler (io_uring is not offered: its multishot accept takes the whole"
              + " listen backlog at once, which breaks accept on demand)");
    }
    if (!forced.isBlank() && Transport.select(forced, source) != ofGroup) {
      throw new IllegalStateException(
          source + forced.trim() + " asks for another transport than the event loop group's ("
              + ofGroup.displayName() + ")");
    }
    return ofGroup;
  }

  /**
   * Adds handlers to a channel's pipeline, in front of the server's own last handler: the
   * blocking bridge that {@code rfile}/{@code wfile} read and write, or the datagram receiver.
   *
   * <p>Called on the channel's event loop: for a stream server once per accepted connection,
   * before {@code getRequest()} can return it; for a datagram server once, when the socket is
   * bound. It must not block. If it throws, a stream connection is closed (and logged at WARN) and
   * the server takes the next one; a datagram socket fails to bind.
   */
  @FunctionalInterface
  public interface PipelineInitializer {
    /**
     * Adds handlers with {@code channel.pipeline().addLast(...)}.
     *
     * @param channel the accepted connection, or the datagram socket
     * @throws Exception if the handlers cannot be made
     */
    void initChannel(Channel channel) throws Exception;
  }

  /** Collects settings for {@link NettyOptions}; not thread-safe. */
  public static final class Builder {
    private EventLoopGroup group;
    private String transportName;
    private int ioThreads;
    private PipelineInitializer pipeline;
    private SslContext tls;
    private Mapping<? super String, ? extends SslContext> sni;
    private FrontHandlers.Proxy proxy = FrontHandlers.Proxy.OFF;
    private final Map<ChannelOption<?>, Object> childOptions = new LinkedHashMap<>();
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private int maxPendingHandshakes = DEFAULT_MAX_PENDING_HANDSHAKES;
    private Boolean directDatagramIo;
    private Boolean directAccept;
    private Boolean directWrite;
    private int maxLineLength = ChannelStream.NO_MAX_LINE;

    private Builder() {}

    /**
     * Runs servers on the application's event loop group instead of one each.
     *
     * <p>The server registers its listening (or datagram) channel and its accepted connections on
     * the group. {@code serverClose()} closes the server's channel and leaves the group running;
     * the application shuts it down when no server needs it. Any number of servers may share a
     * group. The group decides the transport: a {@code MultiThreadIoEventLoopGroup} with {@code
     * EpollIoHandler} or {@code NioIoHandler}.
     *
     * <p>Blocking handlers still run on their own threads (the serving thread, or one per request
     * with {@code ThreadingMixIn}); only the I/O runs on the group's threads.
     *
     * @param group the group; null for the default, a small group per server
     * @return this builder
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.group = group;
      return this;
    }

    /**
     * Forces a transport, overriding the system property {@code socketserver4j.netty.transport}.
     *
     * <p>{@code "epoll"} needs Linux and Netty's native library; {@code "nio"} works everywhere;
     * {@code "auto"} (the default) picks epoll where it is available, else NIO. io_uring is not
     * offered: its multishot accept takes every connection in the listen backlog on one read,
     * which breaks CPython's accept on demand (one connection per {@code get_request()}).
     *
     * @param name {@code "auto"}, {@code "epoll"} or {@code "nio"}
     * @return this builder
     * @throws IllegalArgumentException for another name
     */
    public Builder transport(String name) {
      String n = Objects.requireNonNull(name, "name").trim().toLowerCase(java.util.Locale.ROOT);
      switch (n) {
        case "auto":
          transportName = null;
          break;
        case "epoll":
        case "nio":
          transportName = n;
          break;
        case "io_uring":
        case "iouring":
          throw new IllegalArgumentException(
              "io_uring is not offered: its multishot accept takes every connection in the listen"
                  + " backlog on one read, which breaks accept on demand (one connection per"
                  + " getRequest()); use epoll or nio");
        default:
          throw new IllegalArgumentException(name + " names no transport; use auto, epoll or nio");
      }
      return this;
    }

    /**
     * Sets the number of event loop threads of the group a server makes for itself (ignored with
     * {@link #eventLoopGroup}). By default 1, or one per core for a {@code ThreadingMixIn} server.
     *
     * @param threads a positive number
     * @return this builder
     */
    public Builder ioThreads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("threads must be positive: " + threads);
      }
      this.ioThreads = threads;
      return this;
    }

    /**
     * Adds handlers in front of the blocking bridge of every accepted connection, or in front of a
     * datagram server's receiver. See {@link PipelineInitializer} for when and where it runs.
     *
     * <p>For TLS and the PROXY protocol prefer {@link #tls}, {@link #sni} and {@link
     * #proxyProtocol()}: the server then adds the handlers itself, in front of these, and knows
     * what to wait for without looking at classes. For handlers added here, the server looks at
     * the pipeline once the initializer has returned, anywhere in it, by class (subclasses too),
     * and recognises two kinds:
     *
     * <ul>
     *   <li>{@code SslHandler} (or {@code SniHandler}): the TLS handshake completes before {@code
     *       getRequest()} returns the connection, as CPython's TLS server socket handshakes in
     *       {@code accept()}; a failed handshake is dropped silently, as CPython ignores {@code
     *       OSError} there. {@code shutdownRequest} sends {@code close_notify} before FIN
     *       (CPython sends none).
     *   <li>{@code HAProxyMessageDecoder}: the PROXY header is read before {@code getRequest()}
     *       returns the connection, and the request's client address is the header's source
     *       address (for a {@code LOCAL} or {@code UNKNOWN} header, the real peer).
     * </ul>
     *
     * <p>A connection waiting for either does not hold the accept path: the server accepts others
     * meanwhile, up to {@link #maxPendingHandshakes}, and gives {@code getRequest()} the first
     * that is ready; each may take at most {@link #handshakeTimeout}. {@link #handshakesInOrder()}
     * takes one connection at a time instead, as CPython's blocking {@code accept()} does.
     * Handlers must leave {@code ByteBuf}s for the bridge to read.
     *
     * <p>Nothing else is recognised: a handler that becomes an {@code SslHandler} only later
     * ({@code OptionalSslHandler}, a decoder that sniffs the first bytes) or a decoder of its own
     * for the PROXY header is not waited for, and the connection is handed out before its
     * handshake or header. Both handler artifacts ({@code netty-handler}, {@code
     * netty-codec-haproxy}) are optional; without them nothing is looked for.
     *
     * @param initializer adds the handlers; null for none
     * @return this builder
     */
    public Builder pipeline(PipelineInitializer initializer) {
      this.pipeline = initializer;
      return this;
    }

    /**
     * Serves TLS on every accepted connection of a stream server: the server adds {@code
     * context.newHandler(alloc)} in front of the {@link #pipeline} handlers (behind the PROXY
     * decoder of {@link #proxyProtocol()}), completes the handshake before {@code getRequest()}
     * returns the connection, as CPython's TLS server socket does in {@code accept()}, and drops
     * a connection whose handshake fails (logged at DEBUG) or takes longer than {@link
     * #handshakeTimeout}. {@code shutdownRequest} sends {@code close_notify} before FIN. The
     * counterpart of reactor-netty's {@code secure(...)} and Vert.x's {@code setSsl(true)}.
     *
     * <p>The context decides protocols (TLS 1.2, 1.3), ciphers, client authentication and ALPN.
     * Replaces an earlier {@link #sni} setting. Needs {@code io.netty:netty-handler}. Not for
     * datagram servers, nor for an {@code HTTPSServer}, which brings its own TLS ({@code
     * openSocket} refuses both). Default: none.
     *
     * @param context a server context ({@code SslContextBuilder.forServer(...)}); null for none
     * @return this builder
     * @throws IllegalArgumentException if {@code context} is a client context
     */
    public Builder tls(SslContext context) {
      if (context != null && !context.isServer()) {
        throw new IllegalArgumentException("tls needs a server context (SslContextBuilder"
            + ".forServer), not a client context");
      }
      this.tls = context;
      this.sni = null;
      return this;
    }

    /**
     * Serves TLS with a context chosen by the server name the client asks for (SNI): the server
     * adds Netty's {@code SniHandler(mapping)} in front of the {@link #pipeline} handlers, which
     * reads the {@code ClientHello}, calls {@code mapping.map(hostname)} (with null when the
     * client sent no name) and continues with that context's {@code SslHandler}. Otherwise as
     * {@link #tls}: the handshake completes before {@code getRequest()}, failures are dropped. A
     * {@code DomainWildcardMappingBuilder} makes a mapping with a default context and {@code
     * *.example.com} wildcards. CPython's counterpart is {@code SSLContext.sni_callback}.
     *
     * <p>Replaces an earlier {@link #tls} setting. Needs {@code io.netty:netty-handler}. Default:
     * none.
     *
     * @param mapping the server context for each host name; it must not return null; null for no
     *     TLS
     * @return this builder
     */
    public Builder sni(Mapping<? super String, ? extends SslContext> mapping) {
      this.sni = mapping;
      this.tls = null;
      return this;
    }

    /**
     * Requires a PROXY protocol header (v1 or v2) on every accepted connection of a stream
     * server: the same as {@link #proxyProtocol(boolean) proxyProtocol(true)}, what HAProxy's
     * {@code accept-proxy} and Vert.x's {@code setUseProxyProtocol(true)} do.
     *
     * @return this builder
     * @throws IllegalStateException if {@code io.netty:netty-codec-haproxy} is not on the class
     *     path
     */
    public Builder proxyProtocol() {
      return proxyProtocol(true);
    }

    /**
     * Reads the PROXY protocol header (v1 or v2) that a load balancer sends at the start of each
     * accepted connection of a stream server. The server adds Netty's {@code
     * HAProxyMessageDecoder} first in the pipeline (in front of {@link #tls} and the {@link
     * #pipeline} handlers), reads the header before {@code getRequest()} returns the connection,
     * and gives the request the header's source address as its client address ({@code
     * verifyRequest}, the handler's {@code clientAddress()}, {@code handleError}); a {@code LOCAL}
     * header (a health check) or an {@code UNKNOWN} protocol keeps the TCP peer. The connection's
     * {@code remoteAddress()} stays the TCP peer, the balancer.
     *
     * <p>{@code required} true: a connection that does not start with a valid header is dropped
     * (logged at DEBUG), as one without a header within {@link #handshakeTimeout}. {@code
     * required} false: a connection that starts with a header is handled as above; one that does
     * not is served with its TCP peer as client address, all its bytes intact (reactor-netty's
     * {@code ProxyProtocolSupportType.AUTO}). The server decides on the client's first bytes, as
     * soon as they cannot start a header, so this needs a protocol where the client speaks first.
     * Anyone who can reach the port can claim any address in a header, required or not: let only
     * the balancer reach it.
     *
     * <p>Needs {@code io.netty:netty-codec-haproxy}. Not for datagram servers ({@code openSocket}
     * refuses it). Default: no PROXY protocol.
     *
     * @param required whether every connection must send a header
     * @return this builder
     * @throws IllegalStateException if {@code io.netty:netty-codec-haproxy} is not on the class
     *     path
     */
    public Builder proxyProtocol(boolean required) {
      if (!Handlers.proxyAvailable()) {
        throw new IllegalStateException(
            "proxyProtocol needs io.netty:netty-codec-haproxy on the class path");
      }
      this.proxy = required ? FrontHandlers.Proxy.REQUIRED : FrontHandlers.Proxy.OPTIONAL;
      return this;
    }

    /**
     * Sets an option on every accepted connection, such as {@code SO_RCVBUF}, {@code SO_SNDBUF},
     * {@code SO_KEEPALIVE} or {@code WRITE_BUFFER_WATER_MARK}. Applied after the server's own
     * defaults (Nagle on, as in Python; half-closure allowed), so it overrides them.
     *
     * @param <T> the option's value type
     * @param option the option
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException for {@code AUTO_READ}: the bridge reads on demand
     */
    public <T> Builder childOption(ChannelOption<T> option, T value) {
      Objects.requireNonNull(option, "option");
      Objects.requireNonNull(value, "value");
      if (option == ChannelOption.AUTO_READ) {
        throw new IllegalArgumentException(
            "AUTO_READ cannot be set: the blocking bridge reads only when the handler asks");
      }
      childOptions.put(option, value);
      return this;
    }

    /**
     * Limits how long an accepted connection may take to send its PROXY header and finish its TLS
     * handshake before {@code getRequest()} can return it; a connection that takes longer is
     * closed (logged at DEBUG with its address). {@code SslHandler} has its own handshake timeout
     * too (10 s by default). Default: 10 s.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder handshakeTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      this.handshakeTimeout = timeout;
      return this;
    }

    /**
     * Bounds the connections a stream server holds while they finish their TLS handshake or send
     * their PROXY header. Such a connection does not hold the accept path: while {@code
     * getRequest()} waits and every connection accepted for it is still handshaking, the server
     * accepts the next one, up to this many pending at once, and {@code getRequest()} returns the
     * connections in the order their handshakes complete. So a client that connects and sends
     * nothing (a port scanner, a stalled client) delays no one; it is closed after {@link
     * #handshakeTimeout}, logged at DEBUG. Once the bound is reached, further connections wait in
     * the kernel's listen backlog ({@code requestQueueSize}) until a pending one is ready, fails or
     * times out.
     *
     * <p>A server without TLS or PROXY handlers is not affected: it accepts one connection per
     * {@code getRequest()}, as CPython's does. Default: {@value #DEFAULT_MAX_PENDING_HANDSHAKES}.
     *
     * @param max a positive number; 1 is {@link #handshakesInOrder()}
     * @return this builder
     * @throws IllegalArgumentException if {@code max} is not positive
     */
    public Builder maxPendingHandshakes(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxPendingHandshakes must be positive: " + max);
      }
      this.maxPendingHandshakes = max;
      return this;
    }

    /**
     * The parity mode for handshakes: one connection at a time, as CPython's TLS server socket
     * handshakes inside its blocking {@code accept()}. The server accepts the next connection
     * only once the pending one has finished its TLS handshake and PROXY header, failed, or
     * timed out after {@link #handshakeTimeout}; so one client that connects and sends nothing
     * holds every client behind it for that long. Use it to reproduce CPython's behaviour
     * exactly; off by default. The same as {@code maxPendingHandshakes(1)}.
     *
     * @return this builder
     */
    public Builder handshakesInOrder() {
      return maxPendingHandshakes(1);
    }

    /**
     * Lets a datagram server receive and send on its own threads, below Netty (true, the
     * default), or sends every datagram through Netty's pipeline and event loop (false).
     *
     * <p>When on, the serving thread of a {@code UDPServer} or {@code UnixDatagramServer}
     * receives with {@code recvfrom} itself while datagrams are queued, and each request's thread
     * sends its reply with {@code sendto}, as CPython does; the event loop only waits for the next
     * datagram. That is several times cheaper per datagram (see docs/performance.md). It applies
     * only on the epoll transport and only without a {@link #pipeline} initializer, whose handlers
     * must see every datagram; elsewhere the setting changes nothing. Turn it off to rule it out
     * when looking for a fault, or to have every datagram pass the event loop.
     *
     * <p>Without this setting the system property {@code socketserver4j.netty.directDatagramIo}
     * ({@code true} or {@code false}) decides, read when the server is constructed; this setting
     * wins over the property.
     *
     * @param enabled false to send and receive every datagram through Netty
     * @return this builder
     */
    public Builder directDatagramIo(boolean enabled) {
      this.directDatagramIo = enabled;
      return this;
    }

    /**
     * Lets a stream server accept connections on its serving thread, below Netty (true, the
     * default), or has every connection accepted by the event loop (false).
     *
     * <p>When on, {@code getRequest()} of a {@code TCPServer} or {@code UnixStreamServer} (and
     * their threading and forking variants) calls {@code accept} itself while connections wait in
     * the listen backlog, as CPython does, and registers the new connection with an event loop
     * without waiting for it; the event loop only waits for the next connection when the backlog
     * is empty. That saves a hand-off to the event loop and back per connection (see
     * docs/performance.md). It applies only on the epoll transport, and only without a {@link
     * #pipeline} initializer and without TLS (their connections go through the event loop's
     * accept path); elsewhere the setting changes nothing. Either way one connection is accepted
     * per request and the rest wait in the kernel's backlog. Turn it off to rule it out when
     * looking for a fault.
     *
     * <p>Without this setting the system property {@code socketserver4j.netty.directAccept}
     * ({@code true} or {@code false}) decides, read when the server is constructed; this setting
     * wins over the property.
     *
     * @param enabled false to have the event loop accept every connection
     * @return this builder
     */
    public Builder directAccept(boolean enabled) {
      this.directAccept = enabled;
      return this;
    }

    /**
     * Lets the handler's thread write to the socket itself (true, the default), or has every
     * write go through the event loop (false).
     *
     * <p>When on, a write on a connection accepted on the serving thread (see {@link
     * #directAccept}: epoll, no {@link #pipeline} initializer, no TLS, no PROXY protocol) calls
     * {@code send} on the socket from the handler's thread, without blocking, when no earlier
     * write is still on its way through the event loop; only what the socket buffer cannot take
     * goes through the event loop, and later writes queue behind it. That saves a hand-off to the
     * event loop per write (see docs/performance.md). Errors, timeouts, shutdown and close behave
     * as with the event loop's writes. Elsewhere the setting changes nothing. Turn it off to rule
     * it out when looking for a fault.
     *
     * <p>On by default. (It was off for one stop while a reset during a large write could read
     * as a clean end of stream; the cause, a listener attached to the event loop's write too
     * late, is fixed on both paths: docs/netty.md.)
     *
     * <p>Without this setting the system property {@code socketserver4j.netty.directWrite}
     * ({@code true} or {@code false}) decides, read when the server is constructed; this setting
     * wins over the property.
     *
     * @param enabled true to write on the handler's thread where the connection allows it
     * @return this builder
     */
    public Builder directWrite(boolean enabled) {
      this.directWrite = enabled;
      return this;
    }

    /**
     * Limits the lines a handler reads on an accepted connection: a {@code readLine()} (or a
     * {@code readLine(limit)} with a larger limit) that finds no newline within {@code bytes}
     * bytes throws {@link io.github.socketserver4j.LineTooLongException} at once, without
     * consuming them. A {@code readLine(limit)} with a limit up to {@code bytes} keeps CPython's
     * behaviour and returns a partial line. Bytes count the newline: {@code maxLineLength(65536)}
     * accepts what {@code http.server} accepts.
     *
     * <p>CPython has no such setting: its {@code readline()} grows a line without limit. Without
     * it, a line is still bounded by the largest Java array and by the heap that lines in progress
     * may use (half of the maximum heap, for all connections together); past either, {@code
     * readLine} throws the same exception instead of running out of memory. Set it when clients
     * are not trusted and the protocol's lines are short. Default: no maximum.
     *
     * @param bytes a positive number of bytes
     * @return this builder
     */
    public Builder maxLineLength(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxLineLength must be positive: " + bytes);
      }
      this.maxLineLength = bytes;
      return this;
    }

    /**
     * Returns the settings.
     *
     * @return a new, immutable {@code NettyOptions}
     */
    public NettyOptions build() {
      return new NettyOptions(this);
    }
  }
}
