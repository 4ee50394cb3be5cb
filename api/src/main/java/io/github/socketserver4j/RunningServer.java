package io.github.socketserver4j;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server serving on a thread the library owns: what {@link TCPServer#start()} returns, for code
 * that must not block in {@link BaseServer#serveForever()} (a framework's start method, a test, an
 * application that runs several servers). A socketserver4j addition; CPython's equivalent is
 * {@code threading.Thread(target=server.serve_forever).start()}. It plays the part of
 * reactor-netty's {@code DisposableServer} ({@code bindNow()}, {@code disposeNow(Duration)}, {@code
 * onDispose()}) and of Vert.x's {@code listen()}/{@code close()}.
 *
 * <pre>{@code
 * ThreadingTCPServer server = new ThreadingTCPServer(new InetSocketAddress("127.0.0.1", 0), Echo::new);
 * RunningServer running = server.start();              // serves on "socketserver4j ... serveForever"
 * connectTo(running.serverAddress());                  // the bound address: port 0 resolved
 * running.closeFuture().thenRun(() -> log("closed"));  // completes when the server is closed
 * DrainResult r = running.close(Duration.ofSeconds(10)).orElseThrow(); // drain, then serverClose
 * }</pre>
 *
 * <h2>Life of a started server</h2>
 *
 * <p>A started server serves once, from {@code start()} until it is closed; then its thread ends
 * and {@link #closeFuture()} completes. Every way of stopping it closes it:
 *
 * <ul>
 *   <li>{@link #close(Duration)}: {@link BaseServer#drain} with the deadline (stop accepting,
 *       await the running requests, cut the late ones, {@code serverClose()}).
 *   <li>{@link BaseServer#shutdown()} or {@link BaseServer#requestShutdown()} (from a handler, for
 *       example): the loop stops after the current request, and the serving thread then calls
 *       {@link TCPServer#serverClose()}, which waits for request threads as CPython's does.
 *   <li>{@link TCPServer#serverClose()} or {@code close()} called directly (try-with-resources on
 *       the server): the loop stops too, so the thread does not outlive the socket. (A CPython
 *       {@code serve_forever} whose socket is closed under it keeps looping.)
 *   <li>{@link BaseServer#drain} called directly: as {@code close(Duration)}.
 *   <li>An exception or {@link Error} escaping {@code serveForever} (an {@code Error} such as
 *       {@link ServerExit} from a synchronous handler, an exception from {@code verifyRequest} or
 *       {@code handleError}): the serving thread closes the server and the close future completes
 *       exceptionally with it. It is also logged, at ERROR, through the logger {@code
 *       io.github.socketserver4j.RunningServer}; a {@code ServerExit} at INFO only, as Python's
 *       threads end silently on {@code SystemExit}.
 * </ul>
 *
 * <h2>The serving thread</h2>
 *
 * <p>A platform thread named {@code "socketserver4j <class> <address> serveForever"}, for example
 * {@code "socketserver4j ThreadingTCPServer 127.0.0.1:8000 serveForever"}. It is <b>not a daemon
 * thread</b>: as with Vert.x's event loops, and as with Python's {@code threading.Thread}, a
 * started server keeps the JVM alive until it is closed, so a {@code main} method may start its
 * servers and return. A synchronous server runs its handlers on this thread; a {@link
 * ThreadingMixIn} server runs them on its request threads as usual.
 *
 * <p>Thread safety: every method may be called from any thread; {@code close(Duration)} not from
 * the serving thread itself (a synchronous server's handler), where it would wait for itself:
 * call {@link BaseServer#requestShutdown()} there.
 */
public final class RunningServer {
  private static final Logger LOG = LoggerFactory.getLogger(RunningServer.class);

  /** How long {@link #close(Duration)} waits for the serving thread after the drain. */
  private static final long THREAD_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final TCPServer server;
  private final Thread thread;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  // Guarded by this.
  /** Someone began closing the server: close(Duration), serverClose(), or the serving thread. */
  private boolean closeClaimed;
  /** The drain of the first close(Duration), or null. */
  private CompletableFuture<DrainResult> drain;
  /** The serving thread has done everything it does: the loop ended, the server closed. */
  private boolean loopEnded;
  /** serverClose() has returned (or thrown). */
  private boolean serverClosed;
  /** What ended serveForever, if it did not return. */
  private Throwable failure;

  RunningServer(TCPServer server) {
    this.server = server;
    this.thread = new Thread(this::serve, server.threadName() + " serveForever");
    this.thread.setDaemon(false);
  }

  /** Starts serving: called once by {@link TCPServer#start()}, after its checks. */
  void begin() {
    server.startOn(thread);
    thread.start();
  }

  /**
   * Returns the server being served.
   *
   * @return the server
   */
  public TCPServer server() {
    return server;
  }

  /**
   * Returns the address the server is bound to, its {@link BaseServer#serverAddress()}: with port
   * 0 given to the constructor, the port the system chose; for a Unix server, its path.
   *
   * @return the bound address
   */
  public SocketAddress serverAddress() {
    return server.serverAddress();
  }

  /**
   * Returns the name of the transport under the server's socket, {@link
   * SocketView#transportName()}: with the Netty provider {@code "epoll"} or {@code "nio"}.
   *
   * @return the transport's name
   */
  public String transportName() {
    return server.socket().transportName();
  }

  /**
   * Returns a future that completes when the server is closed and its serving thread has ended
   * its work (as Netty's {@code Channel.closeFuture()}): normally after {@link #close(Duration)},
   * {@code shutdown()} or {@code serverClose()}; exceptionally, with the exception or error, when
   * one escaped {@code serveForever}.
   *
   * <p>Each call returns a new future that completes with the server's; completing or cancelling
   * it does not affect the server. Dependent actions run on the thread that completes it (the
   * serving thread, or the thread that closed the server) unless an {@code *Async} method is used.
   *
   * @return a future of the server's close
   */
  public CompletableFuture<Void> closeFuture() {
    return closed.copy();
  }

  /**
   * Closes the server gracefully with a deadline and waits until it is closed: {@link
   * BaseServer#drain drain(deadline)} (stop accepting, let running requests finish until the
   * deadline, cut the rest, {@code serverClose()}), then a wait of at most 5 s for the serving
   * thread to end (a synchronous server's handler that ignores the cut keeps it). What
   * reactor-netty's {@code disposeNow(Duration)} does.
   *
   * <p>Calling it again, or from several threads, drains once: the later calls wait for that drain
   * and return its result. If the server had already been closed some other way (see the class
   * documentation) it drains nothing and returns empty at once. To close without blocking, run it
   * on another thread, for example {@code CompletableFuture.supplyAsync(() ->
   * running.close(deadline))}.
   *
   * @param deadline how long running requests may take to finish
   * @return what the drain did, or empty if the server was already closed another way
   * @throws IllegalStateException if called on the serving thread (from a synchronous server's
   *     handler), where it would wait for itself; call {@link BaseServer#requestShutdown()} there
   */
  public Optional<DrainResult> close(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    if (Thread.currentThread() == thread) {
      throw new IllegalStateException(
          "close(Duration) was called on the serving thread \"" + thread.getName()
              + "\" (a synchronous server's handler) and would wait for itself;"
              + " call server.requestShutdown() there");
    }
    CompletableFuture<DrainResult> ours = null;
    CompletableFuture<DrainResult> first;
    synchronized (this) {
      if (drain == null) {
        if (closeClaimed) {
          return Optional.empty();
        }
        closeClaimed = true;
        drain = ours = new CompletableFuture<>();
      }
      first = drain;
    }
    if (ours != null) {
      try {
        ours.complete(server.drain(deadline));
      } catch (RuntimeException | Error e) {
        ours.completeExceptionally(e);
        throw e;
      } finally {
        serverClosed(); // also when an override of serverClose() does not call super
      }
    }
    DrainResult result;
    try {
      result = first.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException
          ? (RuntimeException) e.getCause()
          : new IllegalStateException("the drain of the first close(Duration) failed", e.getCause());
    }
    awaitThread();
    return Optional.of(result);
  }

  /** Called by {@link TCPServer#serverClose()} before it closes the socket: ends the loop. */
  void serverClosing() {
    synchronized (this) {
      closeClaimed = true;
      if (loopEnded || Thread.currentThread() == thread) {
        return; // the loop has ended: the serving thread is closing the server itself
      }
    }
    server.requestShutdown();
  }

  /** Called when {@link TCPServer#serverClose()} has returned or thrown. */
  void serverClosed() {
    synchronized (this) {
      serverClosed = true;
    }
    completeIfDone();
  }

  /** The serving thread's work: serve, then close the server unless someone else closes it. */
  private void serve() {
    Throwable failed = null;
    try {
      server.serveForever();
    } catch (Throwable t) {
      failed = t;
      report(t);
    }
    boolean closeHere;
    synchronized (this) {
      // A drain (close(Duration), or drain() called directly) or serverClose() closes it itself.
      closeHere = !closeClaimed && server.accepting();
      closeClaimed = true;
    }
    if (closeHere) {
      try {
        server.serverClose();
      } catch (Throwable t) {
        LOG.error("serverClose() of {} failed", describe(), t);
        if (failed == null) {
          failed = t;
        } else {
          failed.addSuppressed(t);
        }
      }
    }
    synchronized (this) {
      loopEnded = true;
      failure = failed;
      serverClosed |= closeHere;
    }
    completeIfDone();
  }

  private void completeIfDone() {
    Throwable failed;
    synchronized (this) {
      if (!loopEnded || !serverClosed) {
        return;
      }
      failed = failure;
    }
    if (failed == null) {
      closed.complete(null);
    } else {
      closed.completeExceptionally(failed);
    }
  }

  /** Waits at most {@link #THREAD_GRACE_NANOS} for the serving thread to end its work. */
  private void awaitThread() {
    try {
      closed.get(THREAD_GRACE_NANOS, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      // Reported when it happened; the close future carries it.
    } catch (TimeoutException e) {
      LOG.warn("the serving thread of {} is still busy after the drain; not waiting for it",
          describe());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void report(Throwable t) {
    if (t instanceof ServerExit) {
      LOG.info("{} stopped: {}", describe(), t.toString());
    } else {
      LOG.error("serveForever() of {} ended by an exception; closing the server", describe(), t);
    }
  }

  private String describe() {
    return BaseServer.className(server.getClass()) + " on "
        + PythonReprs.address(server.serverAddress());
  }

  @Override
  public String toString() {
    return "RunningServer[" + describe() + ", " + transportName()
        + (closed.isDone() ? ", closed]" : "]");
  }
}
