package io.github.socketserver4j;

import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Makes a server handle each request in a new thread: CPython's {@code ThreadingMixIn}.
 *
 * <p>Where Python lists the mix-in first among the bases, a Java server implements this
 * interface; nothing else is needed:
 *
 * <pre>{@code
 * // Python: class ThreadingHTTPServer(ThreadingMixIn, HTTPServer): daemon_threads = True
 * class ThreadingHTTPServer extends HTTPServer implements ThreadingMixIn {
 *   @Override public boolean daemonThreads() { return true; }
 * }
 * }</pre>
 *
 * <p>{@link BaseServer#processRequest} sees the interface and starts a thread per request (a
 * virtual thread on Java 21 and later, a platform thread before), named after the server class,
 * its address and the request number; {@link BaseServer#serverClose()} joins the recorded threads.
 * These are the two hooks CPython's mix-in overrides, so a subclass that overrides them and calls
 * {@code super} keeps the threading, as Python's method resolution order would.
 *
 * <p>To run requests on a pool of your own instead, return it from {@link #requestExecutor()};
 * {@code serverClose()}, {@code blockOnClose()} and {@link BaseServer#drain} still cover them. Do
 * not override {@code processRequest} to submit to a pool: the server would not know the requests
 * are running.
 *
 * <p>The server classes already implement the abstract methods below; a class implementing this
 * interface must extend {@link BaseServer}.
 */
public interface ThreadingMixIn {

  /**
   * Whether request threads are daemon threads, CPython's {@code daemon_threads}. Daemon threads
   * are not recorded, so {@link BaseServer#serverClose()} does not wait for them.
   *
   * <p>Virtual threads are always daemon threads to the JVM (it exits without waiting for them);
   * this flag then only decides whether {@code serverClose()} waits.
   *
   * @implSpec Returns false, as CPython. May be overridden.
   * @return whether not to wait for request threads on close
   */
  default boolean daemonThreads() {
    return false;
  }

  /**
   * Whether {@link BaseServer#serverClose()} waits for the request threads, CPython's {@code
   * block_on_close} (bpo-33540). When false, threads are not recorded at all.
   *
   * @implSpec Returns true, as CPython. May be overridden.
   * @return whether to join request threads on close
   */
  default boolean blockOnClose() {
    return true;
  }

  /**
   * Where requests run: a socketserver4j addition (CPython always starts a thread). Read once, at
   * the first request, on the serving thread; the constructor does not call it, so it may return a
   * field the subclass constructor sets.
   *
   * <p>With an executor, each request is one task that runs {@link #processRequestThread} on it.
   * {@link #daemonThreads()} then does not make threads (the pool does) but still decides, with
   * {@link #blockOnClose()}, whether {@code serverClose()} waits for the request: a task is
   * recorded as CPython records a thread, and {@code serverClose()} waits until it has run,
   * including a task still queued. {@link BaseServer#drain} waits for and cuts requests on the
   * executor as on threads. If the executor rejects a task ({@link
   * java.util.concurrent.RejectedExecutionException}), the serving thread passes that to {@code
   * handleError} and shuts the request down, as CPython does when {@code Thread.start} fails.
   *
   * <p>The executor stays the application's: the server never shuts it down. Shut it down after
   * {@code serverClose()}; a task it drops unrun (its {@code shutdownNow()}) leaves the request
   * open and {@code serverClose()} waiting for it.
   *
   * @implSpec Returns empty: a new thread per request (virtual where the JVM has them, else a
   *     platform thread whose daemon flag is {@code daemonThreads()}), as CPython. Override to
   *     return a pool, for example {@code Optional.of(pool)} of an {@code ExecutorService} the
   *     server's owner creates and shuts down.
   * @return the executor to run requests on, or empty for a thread per request
   */
  default Optional<Executor> requestExecutor() {
    return Optional.empty();
  }

  /**
   * The body of a request thread, CPython's {@code process_request_thread()}.
   *
   * @implSpec Calls {@code finishRequest}; passes an {@link Exception} to {@code handleError}, and
   *     an {@link AssertionError} or {@link StackOverflowError} too (Python's {@code
   *     AssertionError} and {@code RecursionError} are {@code Exception}s); always calls {@code
   *     shutdownRequest}. Any other {@link Error} (such as {@link ServerExit}) then ends the
   *     thread through its uncaught-exception handler, as Python hands {@code SystemExit} to
   *     {@code threading.excepthook}; the server keeps serving. May be overridden.
   * @param request the request
   * @param clientAddress the client's address
   */
  default void processRequestThread(Request request, SocketAddress clientAddress) {
    try {
      finishRequest(request, clientAddress);
    } catch (Exception | AssertionError | StackOverflowError e) {
      handleError(request, clientAddress, e);
    } finally {
      shutdownRequest(request);
    }
  }

  /**
   * Implemented by {@link BaseServer#finishRequest}.
   *
   * @param request the request
   * @param clientAddress the client's address
   * @throws Exception anything the handler throws
   */
  void finishRequest(Request request, SocketAddress clientAddress) throws Exception;

  /**
   * Implemented by {@link BaseServer#handleError(Request, SocketAddress, Throwable)}.
   *
   * @param request the request
   * @param clientAddress the client's address
   * @param exception the exception being handled
   */
  void handleError(Request request, SocketAddress clientAddress, Throwable exception);

  /**
   * Implemented by {@link BaseServer#shutdownRequest}.
   *
   * @param request the request
   */
  void shutdownRequest(Request request);
}
