package io.github.socketserver4j;

import io.github.socketserver4j.spi.SocketSpec;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.spi.SocketImpl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A server on a stream socket: CPython's {@code socketserver.TCPServer}.
 *
 * <p>It handles one request at a time, on the thread that calls {@link #serveForever()} or {@link
 * #handleRequest()}; {@link ThreadingTCPServer} handles each in its own thread. The socket comes
 * from the transport on the class path (add {@code socketserver4j-netty}).
 *
 * <pre>{@code
 * try (TCPServer server = new TCPServer(new InetSocketAddress("127.0.0.1", 0), Echo::new)) {
 *   server.serveForever();
 * }
 * }</pre>
 *
 * <h2>Methods for the caller</h2>
 *
 * <p>Those of {@link BaseServer}, plus {@link #fileno()}, {@link #socket()} and {@link
 * #start()}, which serves on a thread of its own and returns a {@link RunningServer}.
 *
 * <h2>Methods that may be overridden</h2>
 *
 * <p>Those of {@link BaseServer}; this class implements {@link #serverBind()}, {@link
 * #serverActivate()}, {@link #getRequest()}, {@link #shutdownRequest}, {@link #closeRequest} and
 * {@link #serverClose()}.
 *
 * <h2>Class variables that may be overridden</h2>
 *
 * <p>Override these methods in a subclass; the constructor reads {@code addressFamily} and {@code
 * socketType} (when it creates the socket) and {@code serverBind}/{@code serverActivate} read the
 * others, so they must not depend on fields the subclass constructor sets.
 *
 * <ul>
 *   <li>{@link #addressFamily()}: {@code AF_INET}
 *   <li>{@link #socketType()}: {@code SOCK_STREAM}
 *   <li>{@link #requestQueueSize()}: 5
 *   <li>{@link #allowReuseAddress()}: false
 *   <li>{@link #allowReusePort()}: false
 *   <li>{@link #timeout()}: none
 *   <li>{@link #socketProvider()}: the transport on the class path (not a CPython attribute)
 * </ul>
 *
 * <h2>Construction</h2>
 *
 * <p>As in CPython, the constructor creates the socket and, when {@code bindAndActivate} is true,
 * calls {@link #serverBind()} then {@link #serverActivate()}. If either fails, it calls {@link
 * #serverClose()} and throws, so nothing leaks (bpo-22435). With {@code bindAndActivate} false the
 * caller calls both, or {@link #bindAndActivate()}.
 *
 * <p><b>Construction order.</b> Python code sets its own attributes before it calls {@code
 * TCPServer.__init__}; Java runs this constructor before any field of a subclass is set. So
 * every hook the constructor calls ({@link #socketProvider()}, {@link #addressFamily()}, {@link
 * #socketType()}, {@link #serverBind()}, {@link #allowReuseAddress()}, {@link
 * #allowReusePort()}, {@link #requestQueueSize()}, {@link #serverActivate()}, and {@link
 * #serverClose()} when binding fails) sees a subclass's fields unset: {@code null}, 0 or false,
 * and an override that dereferences one throws {@code NullPointerException} from the
 * constructor. The recipe: return a constant, or pass {@code bindAndActivate} false, set the
 * fields, then call {@link #bindAndActivate()}. {@code addressFamily}, {@code socketType} and
 * {@code socketProvider} are read before that, when the socket is created: they must be
 * constants (docs/porting.md, "Attributes read during construction").
 */
public class TCPServer extends BaseServer {

  private final SocketImpl socket;
  private final SocketView view;
  private final AtomicReference<RunningServer> running = new AtomicReference<>();
  /** The provider given to {@link #withSocketProvider}, or null; read by {@link #socketProvider}. */
  private final SocketProvider givenProvider;
  private boolean givenProviderUsed;

  /**
   * Creates the server, binds it and starts listening: CPython's {@code TCPServer(server_address,
   * RequestHandlerClass)}.
   *
   * @param serverAddress where to listen; port 0 lets the system choose, and {@link
   *     #serverAddress()} then returns the real port
   * @param requestHandlerFactory makes one handler per request, for example {@code MyHandler::new}
   * @throws java.net.BindException naming the address, if it is in use or cannot be bound
   * @throws IOException if the socket cannot be created or bound
   * @throws IllegalArgumentException if the address does not fit {@link #addressFamily()}
   * @throws IllegalStateException if no transport is on the class path
   */
  public TCPServer(SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory)
      throws IOException {
    this(serverAddress, requestHandlerFactory, true);
  }

  /**
   * Creates the server, CPython's {@code TCPServer(server_address, RequestHandlerClass,
   * bind_and_activate)}.
   *
   * @param serverAddress where to listen
   * @param requestHandlerFactory makes one handler per request
   * @param bindAndActivate whether to call {@link #serverBind()} and {@link #serverActivate()} now;
   *     when false the socket is created but unbound, and the caller calls both
   * @throws java.net.BindException naming the address, if it is in use or cannot be bound
   * @throws IOException if the socket cannot be created or bound
   * @throws IllegalArgumentException if the address does not fit {@link #addressFamily()}
   * @throws IllegalStateException if no transport is on the class path
   */
  public TCPServer(
      SocketAddress serverAddress,
      RequestHandlerFactory requestHandlerFactory,
      boolean bindAndActivate)
      throws IOException {
    super(serverAddress, requestHandlerFactory);
    givenProvider = ProviderScope.take(this);
    Addresses.check(serverAddress, addressFamily());
    socket =
        Objects.requireNonNull(socketProvider(), "socketProvider()")
            .openSocket(
                new SocketSpec(
                    addressFamily(),
                    socketType(),
                    className(getClass()),
                    concurrency.concurrent()));
    attach(socket);
    view = SocketViews.of(socket, socketType());
    if (bindAndActivate) {
      bindAndActivate();
    }
  }

  /**
   * Binds and activates the server as CPython's constructor does with {@code
   * bind_and_activate=True}: {@link #serverBind()}, then {@link #serverActivate()}; if either
   * fails, {@link #serverClose()} and the failure is thrown (bpo-22435), so nothing leaks.
   *
   * <p>The constructor calls it when {@code bindAndActivate} is true. A subclass whose hooks read
   * its own fields passes {@code false} to {@code super}, sets the fields, then calls this, so
   * the hooks never run before the fields are set (see "Construction" above):
   *
   * <pre>{@code
   * ConfiguredServer(SocketAddress address, RequestHandlerFactory handlers, int backlog)
   *     throws IOException {
   *   super(address, handlers, false); // bind_and_activate=False
   *   this.backlog = backlog;          // Python sets attributes before TCPServer.__init__
   *   bindAndActivate();               // now serverBind() and serverActivate() see the field
   * }
   * }</pre>
   *
   * @throws java.net.BindException naming the address, if it is in use or cannot be bound
   * @throws IOException if binding or activating fails; the server is then closed
   */
  protected final void bindAndActivate() throws IOException {
    try {
      serverBind();
      serverActivate();
    } catch (Throwable t) {
      try {
        serverClose();
      } catch (Throwable suppressed) {
        t.addSuppressed(suppressed);
      }
      throw t;
    }
  }

  /**
   * The transport that creates this server's socket. Read once, by the constructor, on the thread
   * that constructs the server, before {@link #serverBind()}; like {@link #addressFamily()} it
   * must not depend on fields the subclass constructor sets (a constant, or a value an anonymous
   * subclass captures, works).
   *
   * <p>Not a CPython attribute: it is how a server gets per-server transport settings without the
   * {@code socketserver4j-api} module knowing the transport. For example, {@code
   * io.github.socketserver4j.netty.NettyOptions} carries Netty options (a shared event loop
   * group, pipeline handlers such as TLS, child channel options):
   *
   * <pre>{@code
   * class TlsServer extends ThreadingTCPServer {
   *   static final NettyOptions TLS = NettyOptions.builder().pipeline(...).build();
   *   TlsServer(SocketAddress address) throws IOException { super(address, Echo::new); }
   *   @Override protected SocketProvider socketProvider() { return TLS; }
   * }
   * }</pre>
   *
   * <p>A hook, rather than a constructor argument, because the socket is made inside every server
   * constructor (also with {@code bindAndActivate}) and each server class would need the extra
   * constructors; and rather than a thread-local setting, because the choice stays visible in the
   * server class, as CPython's class attributes are.
   *
   * <p>To give a provider per instance without a subclass, pass it as an argument: {@link
   * #withSocketProvider}.
   *
   * @implSpec Returns the provider given to {@link #withSocketProvider} when the server is
   *     constructed there, else {@link SocketProvider#provider()}, the provider found on the class
   *     path. An override that wraps the provider (as {@code HTTPSServer} adds TLS) calls {@code
   *     super.socketProvider()}, so both forms combine.
   * @return the provider to open the socket with
   */
  protected SocketProvider socketProvider() {
    if (givenProvider != null) {
      givenProviderUsed = true;
      return givenProvider;
    }
    return SocketProvider.provider();
  }

  /**
   * Constructs a server whose socket comes from {@code provider}: per-instance settings (for
   * example a {@code NettyOptions} built at run time) passed as an argument, next to the {@link
   * #socketProvider()} hook. Works for every server class and every constructor, including a
   * subclass's own:
   *
   * <pre>{@code
   * NettyOptions netty = NettyOptions.builder().eventLoopGroup(group).build(); // at run time
   * ThreadingTCPServer server =
   *     TCPServer.withSocketProvider(netty, () -> new ThreadingTCPServer(address, Echo::new));
   * }</pre>
   *
   * <p>The constructor runs on the calling thread, at once. The server it constructs gets {@code
   * provider} from the default {@code socketProvider()} (the hook still decides: an override that
   * calls {@code super.socketProvider()} sees it). A socketserver4j addition, for Java's
   * construction order: the hook runs inside the superclass constructor, before a subclass or a
   * caller could set a field, so a plain extra constructor argument could not reach it without an
   * extra constructor on every server class.
   *
   * @param <S> the server's class
   * @param provider the provider the server's socket comes from
   * @param constructor constructs the server, typically {@code () -> new
   *     ThreadingTCPServer(address, Handler::new)}
   * @return the server, constructed (and bound and activated, as its constructor does)
   * @throws IOException what the constructor throws
   * @throws IllegalStateException if the constructor returned no server it constructed itself on
   *     this thread, or if the server's class overrides {@code socketProvider()} without calling
   *     {@code super.socketProvider()} (the provider would be ignored); the server is then closed
   */
  public static <S extends TCPServer> S withSocketProvider(
      SocketProvider provider, ServerConstructor<S> constructor) throws IOException {
    return ProviderScope.construct(provider, constructor);
  }

  /**
   * Constructs a server, for {@link #withSocketProvider}: a constructor call such as {@code () ->
   * new ThreadingTCPServer(address, Handler::new)}.
   *
   * @param <S> the server's class
   */
  @FunctionalInterface
  public interface ServerConstructor<S extends TCPServer> {
    /**
     * Constructs the server.
     *
     * @return the new server
     * @throws IOException if the server cannot be created or bound
     */
    S construct() throws IOException;
  }

  /** Whether {@link #socketProvider()} returned the provider given to {@link #withSocketProvider}. */
  final boolean usedGivenProvider() {
    return givenProvider != null && givenProviderUsed;
  }

  /**
   * The address family of the socket, CPython's class attribute {@code address_family}. Read once,
   * by the constructor.
   *
   * <p>Read when the socket is created, before any subclass field is set, even with {@code
   * bindAndActivate} false: return a constant.
   *
   * @implSpec Returns {@link AddressFamily#AF_INET}. May be overridden (with a constant).
   * @return the family
   */
  public AddressFamily addressFamily() {
    return AddressFamily.AF_INET;
  }

  /**
   * The socket type, CPython's class attribute {@code socket_type}. Read once, by the constructor.
   *
   * @implSpec Returns {@link SocketType#SOCK_STREAM}.
   * @return the type
   */
  public SocketType socketType() {
    return SocketType.SOCK_STREAM;
  }

  /**
   * The listen backlog, CPython's class attribute {@code request_queue_size}. Connections beyond
   * it wait in, or are dropped by, the kernel (Linux queues backlog + 1).
   *
   * @implSpec Returns 5, as CPython up to 3.14. May be overridden.
   *
   * <p>Called by the constructor, before a subclass's fields are set: an override that reads one
   * sees it unset; pass {@code bindAndActivate} false and call {@link #bindAndActivate()} after
   * setting it (see "Construction order" above).
   * @return the backlog
   */
  public int requestQueueSize() {
    return 5;
  }

  /**
   * Whether to set {@code SO_REUSEADDR} before binding, CPython's {@code allow_reuse_address}.
   *
   * <p>Called by the constructor, before a subclass's fields are set: an override that reads one
   * sees it unset; pass {@code bindAndActivate} false and call {@link #bindAndActivate()} after
   * setting it (see "Construction order" above).
   *
   * @implSpec Returns false, as CPython. May be overridden.
   * @return whether to reuse the address
   */
  public boolean allowReuseAddress() {
    return false;
  }

  /**
   * Whether to set {@code SO_REUSEPORT} before binding, CPython's {@code allow_reuse_port} (3.11+).
   * Applied only to {@code AF_INET} and {@code AF_INET6}, as CPython does since gh-128916.
   *
   * <p>Called by the constructor, before a subclass's fields are set: an override that reads one
   * sees it unset; pass {@code bindAndActivate} false and call {@link #bindAndActivate()} after
   * setting it (see "Construction order" above).
   *
   * @implSpec Returns false, as CPython. May be overridden.
   * @return whether to reuse the port
   */
  public boolean allowReusePort() {
    return false;
  }

  /**
   * Binds the socket, CPython's {@code server_bind()}: sets the reuse options, binds, and replaces
   * {@link #serverAddress()} with the bound address. Called by the constructor.
   *
   * <p>The transport also starts listening here, with {@link #requestQueueSize()} as the backlog,
   * because Netty binds and listens in one step; see {@code docs/differences.md}.
   *
   * <p>Called by the constructor, before a subclass's fields are set: an override that reads one
   * sees it unset; pass {@code bindAndActivate} false and call {@link #bindAndActivate()} after
   * setting it (see "Construction order" above).
   *
   * @throws java.net.BindException naming the address, if it is in use
   * @throws IOException if binding fails
   */
  public void serverBind() throws IOException {
    AddressFamily family = addressFamily();
    boolean reusePort =
        allowReusePort() && (family == AddressFamily.AF_INET || family == AddressFamily.AF_INET6);
    SocketAddress address = Addresses.resolve(serverAddress(), family);
    socket.bind(address, allowReuseAddress(), reusePort, requestQueueSize());
    setServerAddress(socket.localAddress().orElseThrow());
  }

  /**
   * Listens, CPython's {@code server_activate()}. Called by the constructor.
   *
   * <p>Called by the constructor, before a subclass's fields are set: an override that reads one
   * sees it unset; pass {@code bindAndActivate} false and call {@link #bindAndActivate()} after
   * setting it (see "Construction order" above).
   *
   * @throws IOException if the socket cannot listen
   */
  @Override
  public void serverActivate() throws IOException {
    socket.listen(requestQueueSize());
  }

  /**
   * Closes the socket, then does what {@link BaseServer#serverClose()} does (joins request threads
   * of a {@link ThreadingMixIn} server): CPython's {@code server_close()}. Afterwards {@link
   * #fileno()} returns -1. Connections already handed to handlers stay open until their handlers
   * end. Calling it twice is harmless.
   *
   * <p>Also called by the constructor when binding or activating fails, before a subclass's
   * fields are set: an override must not assume them (check for {@code null}), or the subclass
   * passes {@code bindAndActivate} false and calls {@link #bindAndActivate()} after setting them.
   */
  @Override
  public void serverClose() {
    RunningServer r = running.get();
    if (r == null) {
      socket.close();
      super.serverClose();
      return;
    }
    r.serverClosing(); // a started server's loop ends with its socket
    try {
      socket.close();
      super.serverClose();
    } finally {
      r.serverClosed();
    }
  }

  /**
   * Serves on a thread the library owns and returns at once: {@link #serveForever()} on a new
   * platform thread, non-daemon, named {@code "socketserver4j <class> <address> serveForever"}.
   * A socketserver4j addition for code that must not block; the blocking {@code serveForever()}
   * stays the primary form. See {@link RunningServer} for how the started server ends and what
   * its thread is.
   *
   * <p>The server is bound already (the constructor binds it), so clients may connect as soon as
   * this returns: connections wait in the backlog until the loop takes them.
   *
   * <p>Not an override point; the serving loop it runs is {@code serveForever(Duration)}, with its
   * overrides, at the default poll interval.
   *
   * @return the handle: the bound address, the transport, the close future, {@code
   *     close(Duration)}
   * @throws IllegalStateException if the server was started before, if {@code serveForever} is
   *     running on another thread, if the server is not bound yet ({@code bindAndActivate} false
   *     and {@link #bindAndActivate()} not called), or if it was closed or drained
   */
  public final RunningServer start() {
    Thread serving = servingThread();
    if (serving != null) {
      throw new IllegalStateException(
          "start() called while serveForever() runs on thread \"" + serving.getName() + "\"");
    }
    if (!socket.isOpen() || !accepting()) {
      throw new IllegalStateException("start() called after serverClose() or drain()");
    }
    if (socket.localAddress().isEmpty()) {
      throw new IllegalStateException(
          "start() called before the server was bound: call bindAndActivate() first");
    }
    RunningServer r = new RunningServer(this);
    if (!running.compareAndSet(null, r)) {
      throw new IllegalStateException("start() called twice: " + running.get() + " serves it");
    }
    r.begin();
    return r;
  }

  /**
   * Returns the socket's file descriptor, CPython's {@code fileno()}: -1 once closed, and -1 on
   * transports that expose none (Netty's NIO).
   *
   * @return the descriptor or -1
   */
  public int fileno() {
    return socket.fileno();
  }

  /**
   * Returns the server's socket, CPython's {@code socket} attribute, as a {@link SocketView}: the
   * calls Python code makes on {@code server.socket}. A datagram server's view is a {@link
   * DatagramSocketView}. Not an override point.
   *
   * @return the socket's view
   */
  public final SocketView socket() {
    return view;
  }

  /** The transport's socket, for the server classes of this package. */
  final SocketImpl impl() {
    return socket;
  }

  /**
   * Accepts a connection, CPython's {@code get_request()}. Exactly one connection is taken from
   * the kernel's backlog per call.
   *
   * @return the connection, a {@link StreamRequest}, and the client's address
   * @throws IOException if accepting fails or the socket is closed
   */
  @Override
  public ClientRequest getRequest() throws IOException {
    return socket.accept();
  }

  /**
   * Half-closes the connection so the client reads everything, then calls {@link #closeRequest}:
   * CPython's {@code shutdown_request()}. Bytes already written are delivered before the FIN.
   *
   * @param request the request
   */
  @Override
  public void shutdownRequest(Request request) {
    try {
      ((StreamRequest) request).shutdownOutput();
    } catch (IOException e) {
      // CPython: "some platforms may raise ENOTCONN here".
    }
    closeRequest(request);
  }

  /**
   * Closes the connection, CPython's {@code close_request()}. Pending bytes are still delivered.
   *
   * @param request the request
   */
  @Override
  public void closeRequest(Request request) {
    ((StreamRequest) request).close();
  }

  @Override
  protected boolean waitForRequest(Duration timeout) throws InterruptedException {
    return socket.poll(timeout);
  }

  @Override
  protected void wakeup() {
    socket.wakeup();
  }
}
