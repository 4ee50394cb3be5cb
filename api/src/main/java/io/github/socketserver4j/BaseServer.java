package io.github.socketserver4j;

import io.github.socketserver4j.spi.SocketImpl;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-agnostic server template: CPython's {@code socketserver.BaseServer}, the whole
 * request state machine.
 *
 * <p>Concrete servers ({@link TCPServer} and its subclasses) add a socket. Subclass one of them,
 * override the hooks you need, and pass a {@link RequestHandlerFactory} such as {@code
 * MyHandler::new}. Every public method keeps CPython's name (snake_case becomes lowerCamel),
 * defaults, call order and failure behaviour; the differences are listed in {@code
 * docs/differences.md}.
 *
 * <h2>Methods for the caller</h2>
 *
 * <ul>
 *   <li>{@link #serveForever()}, {@link #serveForever(Duration)}; or {@link TCPServer#start()}
 *       to serve on a thread of its own
 *   <li>{@link #handleRequest()}: if you do not use {@code serveForever}
 *   <li>{@link #shutdown()}, {@link #requestShutdown()}
 *   <li>{@link #serverClose()}, also {@link #close()} for try-with-resources
 *   <li>{@link TCPServer#fileno()}
 * </ul>
 *
 * <h2>Methods that may be overridden</h2>
 *
 * <ul>
 *   <li>{@code serverBind()}, {@link #serverActivate()}, {@link #getRequest()}
 *   <li>{@link #verifyRequest}, {@link #processRequest}, {@link #finishRequest}
 *   <li>{@link #shutdownRequest}, {@link #closeRequest}
 *   <li>{@link #serviceActions()}, {@link #handleTimeout()}, {@link #handleError(Request,
 *       SocketAddress)}
 *   <li>{@link #serverClose()}
 * </ul>
 *
 * <h2>Methods for derived classes</h2>
 *
 * <ul>
 *   <li>{@link #finishRequest}: runs the handler
 *   <li>{@link #handleError(Request, SocketAddress, Throwable)} and {@link #currentException()}
 * </ul>
 *
 * <h2>Class variables that may be overridden</h2>
 *
 * <p>CPython's class attributes become methods that return the default; override them in a
 * subclass. Here: {@link #timeout()} (none). {@link TCPServer} adds {@code addressFamily},
 * {@code requestQueueSize}, {@code allowReuseAddress} and {@code allowReusePort}; {@link
 * ThreadingMixIn} adds {@code daemonThreads} and {@code blockOnClose}.
 *
 * <h2>Threading</h2>
 *
 * <p>A server without {@link ThreadingMixIn} handles one request at a time, on the thread that
 * called {@code serveForever} or {@code handleRequest}. Only {@link #shutdown()}, {@link
 * #requestShutdown()}, {@link #serverClose()}, {@link #drain}, {@link #activeRequests()} and
 * {@link #awaitRequests} may be called from other threads. The mix-in is read once, when the
 * server is constructed: it decides the concurrency policy for the server's life.
 *
 * <h2>Exceptions and errors</h2>
 *
 * <p>Python's {@code Exception} (handled: {@code handleError}, then {@code shutdownRequest}) is
 * Java's {@link Exception}, plus {@link AssertionError} (a ported {@code assert}; Python's {@code
 * AssertionError} is an {@code Exception}) and {@link StackOverflowError} (Python's {@code
 * RecursionError}). Every other {@link Error} ({@link ServerExit}, {@link OutOfMemoryError},
 * {@link LinkageError}, ...) is treated as Python's {@code SystemExit}: no {@code handleError},
 * {@code shutdownRequest} still runs, then it propagates out of a synchronous server's loop or
 * ends a request thread.
 */
public abstract class BaseServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BaseServer.class);

  /** CPython's default {@code poll_interval} of {@code serve_forever}. */
  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

  /** Stands for "no timeout" in waits: about 292 years. */
  static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);

  private static final ThreadLocal<Throwable> CURRENT_EXCEPTION = new ThreadLocal<>();

  private final RequestHandlerFactory requestHandlerFactory;
  private volatile SocketAddress serverAddress;

  /** CPython's {@code __is_shut_down}: starts unset, set when a serve loop ends. */
  private final ShutdownEvent isShutDown = new ShutdownEvent();

  /** CPython's {@code __shutdown_request}. */
  private volatile boolean shutdownRequest;

  /** The thread inside {@link #serveForever(Duration)}, or null. */
  private volatile Thread servingThread;

  /** The thread {@link TCPServer#start()} serves on, the only one allowed to serve; or null. */
  private volatile Thread startedOn;

  /** The requests being processed: for {@link #drain}, {@link #activeRequests()}, forking. */
  private final InFlight inFlight = new InFlight();

  /** How requests run (synchronous, threading, forking): chosen once, by the mix-in. */
  final Concurrency concurrency = Concurrency.of(this, inFlight);

  /** The socket of a {@link TCPServer}, attached by its constructor; null for other servers. */
  private volatile SocketImpl socket;

  /**
   * Stores the address and the handler factory, CPython's {@code BaseServer.__init__}. Calls no
   * overridable method.
   *
   * @param serverAddress the address to serve on, CPython's {@code server_address}
   * @param requestHandlerFactory makes one handler per request, CPython's {@code
   *     RequestHandlerClass}
   */
  protected BaseServer(SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory) {
    this.serverAddress = Objects.requireNonNull(serverAddress, "serverAddress");
    this.requestHandlerFactory =
        Objects.requireNonNull(requestHandlerFactory, "requestHandlerFactory");
  }

  /**
   * Returns the server's address, CPython's {@code server_address}: the address given to the
   * constructor until the socket is bound, then the real bound address (port 0 becomes the port
   * the system chose).
   *
   * @return the address
   */
  public final SocketAddress serverAddress() {
    return serverAddress;
  }

  /**
   * Replaces {@link #serverAddress()}, as CPython's {@code server_bind} assigns {@code
   * self.server_address = self.socket.getsockname()}.
   *
   * @param address the new address
   */
  protected final void setServerAddress(SocketAddress address) {
    this.serverAddress = Objects.requireNonNull(address, "address");
  }

  /**
   * Returns the handler factory given to the constructor, CPython's {@code RequestHandlerClass}.
   *
   * @return the factory
   */
  public final RequestHandlerFactory requestHandlerFactory() {
    return requestHandlerFactory;
  }

  /**
   * Returns the timeout of {@link #handleRequest()}, CPython's class attribute {@code timeout}.
   * {@code serveForever} ignores it, as in CPython.
   *
   * @implSpec The default returns empty: {@code handleRequest} waits without limit; on a {@link
   *     ForkingMixIn} server 300 s, as CPython's {@code ForkingMixIn.timeout}. Override to
   *     return a fixed or an instance value (CPython code that sets {@code self.timeout = 1} in
   *     {@code __init__} overrides this to return a field).
   * @return the timeout, or empty for none
   */
  public Optional<Duration> timeout() {
    return concurrency.timeout();
  }

  /**
   * Called by the constructor to activate the server, CPython's {@code server_activate}.
   *
   * @implSpec Does nothing here; {@link TCPServer} listens. May be overridden.
   * @throws IOException if activation fails; the constructor then closes the server
   */
  public void serverActivate() throws IOException {}

  /**
   * Handles one request at a time until {@link #shutdown()}, checking every 0.5 s: CPython's
   * {@code serve_forever()}. Equivalent to {@code serveForever(Duration.ofMillis(500))}.
   */
  public final void serveForever() {
    serveForever(DEFAULT_POLL_INTERVAL);
  }

  /**
   * Handles one request at a time until {@link #shutdown()} or {@link #requestShutdown()}:
   * CPython's {@code serve_forever(poll_interval)}.
   *
   * <p>The loop waits for a request for at most {@code pollInterval}, handles it if one came, and
   * calls {@link #serviceActions()} after every wake-up, with or without a request, so at least
   * every {@code pollInterval}. It checks for a shutdown request after every wait and then stops
   * without handling a request that arrived meanwhile (bpo-35017); that request stays queued for
   * the next serve.
   *
   * <p><b>Unlike CPython</b>, a {@code shutdown()} from another thread wakes the loop at once
   * instead of after up to {@code pollInterval} (CPython gh-88932).
   *
   * <p>When the loop ends, by shutdown or by an exception, it clears the shutdown request and
   * signals the threads waiting in {@code shutdown()}, as CPython's {@code finally} does; {@code
   * serveForever} can then be called again. Exceptions that escape a request propagate: an {@link
   * Error} (including {@link ServerExit}) from a synchronous handler, and any exception from {@link
   * #verifyRequest} or {@link #handleError(Request, SocketAddress)}. If the thread is interrupted
   * while waiting, the loop ends as after a shutdown and the interrupt status stays set.
   *
   * <p>May be overridden, as some CPython users do, but then {@code shutdown()} only works if the
   * override keeps the same protocol.
   *
   * @param pollInterval the longest wait between calls of {@code serviceActions()}
   * @throws IllegalStateException if the server is closed or drained, or was {@linkplain
   *     TCPServer#start() started} (it serves on its own thread then)
   */
  public void serveForever(Duration pollInterval) {
    Objects.requireNonNull(pollInterval, "pollInterval");
    Thread owner = startedOn;
    if (owner != null && owner != Thread.currentThread()) {
      throw new IllegalStateException(
          "serveForever() called on a server started with start(), which serves on thread \""
              + owner.getName() + "\"; close it through its RunningServer");
    }
    if (owner != null && !isOpen()) {
      isShutDown.set(); // closed between start() and its thread's first step: nothing to serve
      return;
    }
    checkOpen("serveForever");
    isShutDown.clear();
    servingThread = Thread.currentThread();
    try {
      while (!shutdownRequest) {
        boolean ready;
        try {
          ready = waitForRequest(pollInterval);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        // bpo-35017: a shutdown that raced with the wait wins over a request that arrived.
        if (shutdownRequest) {
          break;
        }
        if (ready) {
          handleRequestNoBlock();
        }
        serviceActions();
      }
    } finally {
      servingThread = null;
      shutdownRequest = false;
      isShutDown.set();
    }
  }

  /**
   * Stops the {@link #serveForever} loop and waits until it has stopped: CPython's {@code
   * shutdown()}.
   *
   * <p>The loop stops promptly, not after its poll interval, and after the request it is handling.
   * The rest keeps CPython's state machine:
   *
   * <ul>
   *   <li>Called on a server that is not serving yet, it blocks until a later {@code serveForever}
   *       runs; that loop sees the request and returns at once.
   *   <li>Called again after the loop has stopped, it returns at once but leaves the request set,
   *       so the next {@code serveForever} returns at once (and clears it).
   * </ul>
   *
   * <p>If the waiting thread is interrupted, {@code shutdown} returns early with its interrupt
   * status set; the loop still stops.
   *
   * @throws IllegalStateException if called on the thread that runs {@code serveForever} (for
   *     example from {@code handle()} of a synchronous server), which would wait for itself
   *     forever; CPython deadlocks there. Use {@link #requestShutdown()} instead.
   * @implSpec May be overridden, as in CPython; an override must call {@code super.shutdown()},
   *     or the loop never stops.
   */
  public void shutdown() {
    if (Thread.currentThread() == servingThread) {
      throw new IllegalStateException(
          "shutdown() was called on the thread that runs serveForever() and would wait for"
              + " itself forever (CPython deadlocks here). From a handler of a synchronous"
              + " server call requestShutdown(), which returns at once, or call shutdown()"
              + " from another thread.");
    }
    requestShutdown();
    try {
      isShutDown.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Asks the {@link #serveForever} loop to stop after the current request, without waiting: what
   * CPython users do with {@code server._BaseServer__shutdown_request = True}.
   *
   * <p>Safe to call from any thread, including a handler running on the serving thread. The
   * request follows CPython's flag rules: if no loop is running, the next {@code serveForever}
   * returns at once. Not an override point; override {@link #shutdown()} instead.
   */
  public final void requestShutdown() {
    shutdownRequest = true;
    wakeup();
  }

  /**
   * Called by the {@link #serveForever} loop after every wake-up, CPython's {@code
   * service_actions()}.
   *
   * @implSpec Does nothing; on a {@link ForkingMixIn} server, reaps ended requests and waits while
   *     {@code maxChildren()} are running, as CPython's {@code ForkingMixIn.service_actions}. May
   *     be overridden to do periodic work on the serving thread.
   */
  public void serviceActions() {
    concurrency.serviceActions();
  }

  /**
   * Handles one request, waiting at most for the timeout: CPython's {@code handle_request()}.
   *
   * <p>The timeout is the smaller of {@link #timeout()} and the socket's own timeout ({@code
   * socket().timeout()}), either of which may be absent. If no request arrives before it passes,
   * {@link #handleTimeout()} is called. At most one request is handled; a rejected request or a
   * failed {@link #getRequest()} counts as one.
   *
   * <h4>Call sequence</h4>
   *
   * <pre>
   * handleRequest() or serveForever()
   *   getRequest()
   *   verifyRequest(request, clientAddress)
   *   processRequest(request, clientAddress)        [ThreadingMixIn: in a new thread]
   *     finishRequest(request, clientAddress)
   *       handler.setup(), handler.handle(), handler.finish()
   *     shutdownRequest(request)
   *       closeRequest(request)
   *   [on an Exception: handleError(request, clientAddress), then shutdownRequest(request)]
   *   [on an Error: shutdownRequest(request), then the Error propagates]
   *   [an AssertionError or StackOverflowError counts as an Exception: see below]
   *   [verifyRequest false: shutdownRequest(request)]
   * </pre>
   *
   * <p>If the thread is interrupted while waiting, it returns with its interrupt status set and
   * handles nothing. Once {@link #drain} has begun, a waiting call returns at once without
   * calling {@code handleTimeout()}, and a new call throws {@link IllegalStateException}.
   *
   * <p>May be overridden, as in CPython; the serving loop does not call it.
   */
  public void handleRequest() {
    checkOpen("handleRequest");
    SocketImpl s = socket;
    Optional<Duration> timeout = min(s == null ? Optional.empty() : s.timeout(), timeout());
    Duration remaining = timeout.orElse(FOREVER);
    long deadline = timeout.isPresent() ? System.nanoTime() + saturatedNanos(remaining) : 0;
    while (true) {
      boolean ready;
      try {
        ready = waitForRequest(remaining);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (ready) {
        handleRequestNoBlock();
        return;
      }
      if (!accepting()) {
        return; // drain() began: nothing more will arrive
      }
      if (timeout.isPresent()) {
        long left = deadline - System.nanoTime();
        if (left < 0) {
          handleTimeout();
          return;
        }
        remaining = Duration.ofNanos(left);
      }
    }
  }

  /**
   * Handles one ready request: CPython's private {@code _handle_request_noblock}, whose rules
   * every port must keep.
   */
  private void handleRequestNoBlock() {
    if (!accepting()) {
      return; // drain() began between the wait and now
    }
    ClientRequest accepted;
    try {
      accepted = getRequest();
    } catch (IOException e) {
      // CPython returns silently on OSError from get_request.
      LOG.debug("getRequest() failed; no request this time", e);
      return;
    }
    Request request = accepted.request();
    SocketAddress clientAddress = accepted.clientAddress();
    // Outside the try, as in CPython: an exception here propagates and the request is not shut
    // down through the hooks. CPython's garbage collector then closes the socket; here the
    // transport closes it at once, so the connection does not leak.
    boolean verified;
    try {
      verified = verifyRequest(request, clientAddress);
    } catch (Throwable t) {
      discard(request, t);
      throw t;
    }
    // Rejected: shut down once (bpo-26309). Or drain() began while this request was taken or
    // verified: it gets no processing.
    if (!verified || !inFlight.begin(request)) {
      shutdownRequest(request);
      return;
    }
    try {
      processRequest(request, clientAddress);
    } catch (Exception | AssertionError | StackOverflowError e) {
      handleError(request, clientAddress, e); // Python's Exception: decision 2
      shutdownRequest(request);
    } catch (Throwable t) {
      shutdownRequest(request);
      throw t;
    } finally {
      inFlight.endOnCaller(request);
    }
  }

  /**
   * Called by {@link #handleRequest()} when no request arrived in time, CPython's {@code
   * handle_timeout()}.
   *
   * @implSpec Does nothing; on a {@link ForkingMixIn} server, reaps ended requests as CPython's
   *     {@code ForkingMixIn.handle_timeout} does. May be overridden.
   */
  public void handleTimeout() {
    concurrency.handleTimeout();
  }

  /**
   * Takes the next request from the socket, CPython's {@code get_request()}. Called by the serving
   * loop once a request is ready.
   *
   * <p>May be overridden, for example to hand out a connection made some other way, as IDLE's RPC
   * server does. An {@link IOException} ends this request silently, as CPython ignores {@code
   * OSError} here.
   *
   * @return the request and the client's address
   * @throws IOException if no request could be taken
   */
  public abstract ClientRequest getRequest() throws IOException;

  /**
   * Decides whether to handle a request, CPython's {@code verify_request()}. A rejected request is
   * shut down with {@link #shutdownRequest} exactly once (bpo-26309).
   *
   * <p>As in CPython, an exception thrown here is not handled: it propagates out of {@code
   * handleRequest} or {@code serveForever}, and the request is not shut down.
   *
   * @implSpec Returns true. May be overridden, for example to filter client addresses.
   * @param request the request
   * @param clientAddress the client's address
   * @return whether to process the request
   */
  public boolean verifyRequest(Request request, SocketAddress clientAddress) {
    return true;
  }

  /**
   * Processes a verified request, CPython's {@code process_request()}.
   *
   * @implSpec Hands the request to the server's concurrency policy, chosen once by its mix-in.
   *     Without a mix-in: calls {@link #finishRequest} and then {@link #shutdownRequest}. On a
   *     {@link ThreadingMixIn} server: runs {@link ThreadingMixIn#processRequestThread} in a new
   *     thread (virtual where the JVM has them) or on its {@link
   *     ThreadingMixIn#requestExecutor()}, records it for {@link #serverClose()} when {@code
   *     blockOnClose()} is true and {@code daemonThreads()} is false, and returns at once. On a
   *     {@link ForkingMixIn} server: starts a thread that does what CPython's forked child does
   *     (see {@link ForkingMixIn}). May be overridden or extended; to run requests on a pool,
   *     override {@code requestExecutor()} instead, which {@link #drain} and {@code serverClose()}
   *     still cover.
   * @param request the request
   * @param clientAddress the client's address
   * @throws Exception anything the handler throws; the caller passes an {@code Exception} (and an
   *     {@code AssertionError} or {@code StackOverflowError}) to {@link #handleError(Request,
   *     SocketAddress)} and lets any other {@code Error} propagate
   */
  public void processRequest(Request request, SocketAddress clientAddress) throws Exception {
    concurrency.process(request, clientAddress);
  }

  /**
   * Cleans up the server, CPython's {@code server_close()}.
   *
   * @implSpec On a {@link ThreadingMixIn} server, joins the request threads (and the tasks on
   *     its {@code requestExecutor()}) that were recorded (bpo-31233), without a deadline, as
   *     CPython does; on a {@link ForkingMixIn} server, {@code collectChildren(blockOnClose())}
   *     (bpo-31151); otherwise does nothing. Requests a {@link #drain} gave up on are not waited
   *     for. {@link TCPServer} closes its socket first, then calls this. May be overridden; call
   *     {@code super.serverClose()}.
   */
  public void serverClose() {
    concurrency.serverClose();
  }

  /**
   * Runs a request handler on the request, CPython's {@code finish_request()}, which constructs
   * {@code RequestHandlerClass(request, client_address, self)}.
   *
   * @implSpec Asks {@link #requestHandlerFactory()} for a new handler and calls its {@link
   *     BaseRequestHandler#run run(request, clientAddress, this)}. May be overridden, for example
   *     to build the handler with extra arguments.
   * @param request the request
   * @param clientAddress the client's address
   * @throws Exception anything the handler throws
   */
  public void finishRequest(Request request, SocketAddress clientAddress) throws Exception {
    BaseRequestHandler handler =
        Objects.requireNonNull(
            requestHandlerFactory.newHandler(), "RequestHandlerFactory returned null");
    handler.run(request, clientAddress, this);
  }

  /**
   * Ends a request, CPython's {@code shutdown_request()}. Called exactly once per request, on
   * every path (after the handler, after {@code handleError}, for rejected requests).
   *
   * @implSpec Calls {@link #closeRequest}. {@link TCPServer} first half-closes the connection so
   *     the client reads everything. May be overridden.
   * @param request the request
   */
  public void shutdownRequest(Request request) {
    closeRequest(request);
  }

  /**
   * Cleans up a request, CPython's {@code close_request()}.
   *
   * @implSpec Does nothing; {@link TCPServer} closes the connection. May be overridden.
   * @param request the request
   */
  public void closeRequest(Request request) {}

  /**
   * Handles an exception thrown while processing a request, CPython's {@code handle_error()}. It
   * is called while the exception is being handled, so {@link #currentException()} returns it, as
   * Python's {@code sys.exc_info()} does; the server then shuts the request down and keeps
   * serving.
   *
   * <p>An exception thrown from here is not handled: it propagates out of the serving loop and the
   * request is not shut down, as in CPython.
   *
   * @implSpec Reports CPython's sentence "Exception occurred during processing of request from"
   *     with the address as CPython prints it (for example {@code ('127.0.0.1', 52326)}) and the
   *     exception's stack trace: at ERROR through SLF4J logger {@code
   *     io.github.socketserver4j.BaseServer} when the application has an SLF4J backend; without
   *     one, on {@code System.err} in CPython's layout (40 dashes, the sentence, the stack trace
   *     where Python prints the traceback, 40 dashes). May be overridden.
   * @param request the request
   * @param clientAddress the client's address
   */
  public void handleError(Request request, SocketAddress clientAddress) {
    ErrorOutput.report(LOG, clientAddress, currentException().orElse(null));
  }

  /**
   * Calls {@link #handleError(Request, SocketAddress)} with {@code exception} as the {@linkplain
   * #currentException() current exception}. The server calls this; handlers may too, as CPython's
   * CGI handler calls {@code self.server.handle_error(...)} inside an {@code except} block. A
   * socketserver4j addition (Java has no {@code sys.exc_info()}); final: override the two-argument
   * form.
   *
   * @param request the request
   * @param clientAddress the client's address
   * @param exception the exception being handled
   */
  public final void handleError(Request request, SocketAddress clientAddress, Throwable exception) {
    Throwable previous = CURRENT_EXCEPTION.get();
    CURRENT_EXCEPTION.set(exception);
    try {
      handleError(request, clientAddress);
    } finally {
      if (previous == null) {
        CURRENT_EXCEPTION.remove();
      } else {
        CURRENT_EXCEPTION.set(previous);
      }
    }
  }

  /**
   * Returns the exception being handled on this thread by {@link #handleError(Request,
   * SocketAddress)}, Python's {@code sys.exc_info()} there; empty outside {@code handleError}.
   *
   * @return the current exception
   */
  public static Optional<Throwable> currentException() {
    return Optional.ofNullable(CURRENT_EXCEPTION.get());
  }

  /**
   * Returns how many requests are being processed: those that passed {@link #verifyRequest} and
   * whose processing has not ended (their {@link #shutdownRequest} has not returned), on the
   * serving thread or handed to another. A socketserver4j addition, for monitoring and for {@link
   * ForkingMixIn#activeChildren()}. Requests that {@link #drain} gave up on ({@link
   * DrainResult#stillRunning()}) are no longer counted. Not an override point.
   *
   * @return the number of requests in flight
   */
  public final int activeRequests() {
    return inFlight.count();
  }

  /**
   * Waits until at most {@code atMost} requests are being processed ({@link #activeRequests()}),
   * or {@code timeout} passes: a socketserver4j addition, what {@link
   * ForkingMixIn#collectChildren} waits with and the second step of {@link #drain}. Do not call it
   * from a request's own thread with {@code atMost} 0: it would wait for itself. Not an override
   * point.
   *
   * @param atMost how many requests may still run; 0 waits for all
   * @param timeout how long to wait at most; a duration of about 292 years or more means no limit
   * @return whether at most {@code atMost} requests were running when it returned
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public final boolean awaitRequests(int atMost, Duration timeout) throws InterruptedException {
    if (atMost < 0) {
      throw new IllegalArgumentException("atMost < 0: " + atMost);
    }
    return inFlight.awaitAtMost(atMost, saturatedNanos(Objects.requireNonNull(timeout, "timeout")));
  }

  /**
   * Closes the server gracefully, with a deadline: a socketserver4j addition beside CPython's
   * {@link #serverClose()}, which waits without limit (or not at all). Two steps, then a cut:
   *
   * <ol>
   *   <li><b>Stop accepting.</b> Stops the {@link #serveForever} loop ({@link #requestShutdown()})
   *       and takes no more requests: a request taken but not yet processed is shut down
   *       unprocessed. The transport stops its socket (the SPI's {@code stopAccepting()}): a
   *       stream server closes its listening socket, and so the connections still waiting in its
   *       backlog; a datagram server takes no more datagrams and keeps its socket open for the
   *       replies of running requests (those still queued are dropped when it closes).
   *   <li><b>Await the requests until the deadline.</b> The requests being processed, on any
   *       thread and on the {@linkplain ThreadingMixIn#requestExecutor() user's executor}, may
   *       finish until {@code deadline}; their responses reach their clients whole.
   *   <li>Then it cuts those still running. A stream request's connection is {@linkplain
   *       StreamRequest#abort() aborted}: the handler's blocked reads and writes throw, and bytes
   *       not yet delivered are discarded (and counted as cut, never silently). A datagram request
   *       has no connection of its own, so the server's socket is closed, and the replies of
   *       every request still running fail.
   *   <li>Waits a short grace (up to {@code deadline} again, at most 5 s) for the cut handlers to
   *       return and for the request threads to end. Requests and threads still running then
   *       ({@link DrainResult#stillRunning()}) are given up on: no later wait, in {@code
   *       serverClose()}, {@link #close()} or {@link #awaitRequests}, waits for them.
   *   <li>Calls {@link #serverClose()}, whose waits are then over at once, and returns what
   *       happened.
   * </ol>
   *
   * <p>Works for every server class: synchronous, threading (with or without an executor) and
   * forking. Call it from any thread except the one running {@code serveForever}. If the calling
   * thread is interrupted, the waits end early and the drain goes on with the cut.
   *
   * @param deadline how long running requests may take to finish
   * @return how many requests finished and how many were cut
   * @throws IllegalStateException if called on the thread that runs {@code serveForever}
   */
  public final DrainResult drain(Duration deadline) {
    return drain(deadline, endedMark());
  }

  /** How many requests have ended so far: where {@link #drain(Duration, long)} counts from. */
  final long endedMark() {
    return inFlight.ended();
  }

  /**
   * {@link #drain(Duration)}, counting as finished the requests that ended after {@code
   * endedBefore} (an {@link #endedMark()}): {@link DrainOnSignal} takes the mark before it
   * announces the drain, so a request that a client finishes on seeing the announcement counts.
   */
  final DrainResult drain(Duration deadline, long endedBefore) {
    Objects.requireNonNull(deadline, "deadline");
    if (Thread.currentThread() == servingThread) {
      throw new IllegalStateException(
          "drain() was called on the thread that runs serveForever(); it would wait for itself");
    }
    long start = System.nanoTime();
    long budget = saturatedNanos(deadline);
    // Step 1, stop accepting: no request begins from now on, the loop stops, the socket stops.
    inFlight.close();
    requestShutdown();
    SocketImpl s = socket;
    if (s != null) {
      s.stopAccepting();
    }
    // Step 2, await the requests until the deadline; then cut the late ones.
    inFlight.awaitEmpty(start + budget);
    List<Request> late = inFlight.snapshot();
    for (Request request : late) {
      if (request instanceof StreamRequest) {
        ((StreamRequest) request).abort();
      } else if (s != null) {
        s.close(); // a datagram shares the server's socket: closing it makes late replies fail
      }
    }
    long grace = System.nanoTime() + Math.min(budget, TimeUnit.SECONDS.toNanos(5));
    inFlight.awaitEmpty(grace);
    concurrency.joinThreads(grace);
    int stillRunning = inFlight.countStill(late);
    inFlight.forget(late);
    int finished = (int) (inFlight.ended() - endedBefore) - (late.size() - stillRunning);
    serverClose();
    return new DrainResult(Math.max(0, finished), late.size(), stillRunning);
  }

  /**
   * Same as {@link #serverClose()}, so a server works in try-with-resources as CPython's {@code
   * with} statement does ({@code __exit__} calls {@code server_close}).
   */
  @Override
  public final void close() {
    serverClose();
  }

  /**
   * Waits until a request is ready or {@code timeout} passes: what CPython's selector does on
   * {@code fileno()}. Called by the serving loops; may return false early (after {@link #wakeup()}
   * or spuriously). Implemented by {@link TCPServer}; only a direct subclass of {@code BaseServer}
   * implements it.
   *
   * @param timeout how long to wait at most
   * @return true if {@link #getRequest()} will not block
   * @throws InterruptedException if the thread is interrupted
   */
  protected abstract boolean waitForRequest(Duration timeout) throws InterruptedException;

  /**
   * Makes a current or the next {@link #waitForRequest} return early. Any thread may call it. A
   * socketserver4j addition (CPython's loop only wakes at its poll interval, gh-88932): {@link
   * #shutdown()} uses it to stop the loop promptly. Implemented by {@link TCPServer}; only a
   * direct subclass of {@code BaseServer} implements it.
   */
  protected abstract void wakeup();

  /** Whether requests are still taken: false once {@link #drain} has begun. */
  final boolean accepting() {
    return !inFlight.isClosed();
  }

  /** The thread inside {@link #serveForever(Duration)}, or null. */
  final Thread servingThread() {
    return servingThread;
  }

  /** Called by {@link RunningServer}: from now on only {@code thread} may serve. */
  final void startOn(Thread thread) {
    startedOn = thread;
  }

  /** Called once by {@link TCPServer}'s constructor: the socket the server's steps use. */
  final void attach(SocketImpl socket) {
    this.socket = Objects.requireNonNull(socket, "socket");
  }

  /** CPython's {@code len(_threads)}: the request threads {@code serverClose()} would join. */
  final int recordedThreads() {
    return concurrency.recorded();
  }

  /**
   * Closes a request no hook will shut down ({@code verifyRequest} threw), as CPython's garbage
   * collector closes the socket: a request that holds a resource (a connection) is closed.
   */
  private static void discard(Request request, Throwable failure) {
    if (request instanceof AutoCloseable) {
      try {
        ((AutoCloseable) request).close();
      } catch (Exception e) {
        failure.addSuppressed(e);
      }
    }
  }

  /** A prefix for request thread names: class and address, so thread dumps read well. */
  String threadName() {
    return "socketserver4j " + className(getClass()) + " " + PythonReprs.hostPort(serverAddress);
  }

  /**
   * The name of {@code type} for thread names: that of the nearest named class, so an anonymous
   * subclass (a server made with {@code new ThreadingTCPServer(...) { ... }}) reads as its base.
   */
  static String className(Class<?> type) {
    Class<?> c = type;
    while (c.getSimpleName().isEmpty() && c.getSuperclass() != null) {
      c = c.getSuperclass();
    }
    return c.getSimpleName();
  }

  /** Whether requests may still be served: the socket is open and no drain has begun. */
  private boolean isOpen() {
    SocketImpl s = socket;
    return (s == null || s.isOpen()) && accepting();
  }

  private void checkOpen(String method) {
    SocketImpl s = socket;
    if (s != null && !s.isOpen()) {
      throw new IllegalStateException(
          method + "() called after serverClose(): the server's socket is closed");
    }
    if (!accepting()) {
      throw new IllegalStateException(
          method + "() called after drain(): the server takes no more requests");
    }
  }

  private static Optional<Duration> min(Optional<Duration> a, Optional<Duration> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return Optional.of(a.get().compareTo(b.get()) <= 0 ? a.get() : b.get());
  }

  static long saturatedNanos(Duration d) {
    return d.compareTo(FOREVER) >= 0 ? Long.MAX_VALUE : Math.max(0, d.toNanos());
  }
}
