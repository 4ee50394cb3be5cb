package io.github.socketserver4j;

/**
 * What CPython's {@code ForkingMixIn} gives a server, without forking: the JVM cannot fork, so
 * each request runs in its own thread, <b>in this process, with no process isolation</b> — a
 * handler that crashes the JVM, leaks memory or changes global state affects every request.
 *
 * <p>What Python programs rely on from {@code ForkingMixIn} is kept:
 *
 * <ul>
 *   <li>a bound on concurrent requests, {@link #maxChildren()} (40): once that many are running,
 *       the serving loop's {@link BaseServer#serviceActions()} waits until one ends before it
 *       accepts another, as CPython's {@code collect_children} blocks in {@code waitpid};
 *       {@code ThreadingMixIn} has no such bound;
 *   <li>finished "children" are reaped in {@code serviceActions()} and {@link
 *       BaseServer#handleTimeout()};
 *   <li>{@link BaseServer#timeout()} is 300 s, so {@code handleRequest()} times out after five
 *       minutes, as CPython's {@code ForkingMixIn.timeout = 300};
 *   <li>{@link BaseServer#serverClose()} waits for the running requests when {@link
 *       #blockOnClose()} is true (bpo-31151).
 * </ul>
 *
 * <p>What cannot be kept: the parent's {@code close_request} after the fork does not happen (the
 * connection is not duplicated, so the request thread alone shuts it down), and an {@link Error}
 * such as {@link ServerExit} in a request ends only that request, silently, as a child's {@code
 * os._exit(1)} does ({@link AssertionError} and {@link StackOverflowError} go to {@code
 * handleError}, as Python's {@code AssertionError} and {@code RecursionError} do). Use it by implementing the interface, as with {@link ThreadingMixIn}, or use
 * {@code ForkingTCPServer} and its siblings. The server classes already implement the abstract
 * methods below; a class implementing this interface must extend {@link BaseServer}.
 */
public interface ForkingMixIn {

  /**
   * The most requests running at once, CPython's {@code max_children}.
   *
   * @implSpec Returns 40, as CPython. May be overridden.
   * @return the bound
   */
  default int maxChildren() {
    return 40;
  }

  /**
   * Whether {@link BaseServer#serverClose()} waits for running requests, CPython's {@code
   * block_on_close}.
   *
   * @implSpec Returns true, as CPython. May be overridden.
   * @return whether to wait on close
   */
  default boolean blockOnClose() {
    return true;
  }

  /**
   * Returns how many requests are running, CPython's {@code len(active_children)}: {@link
   * #activeRequests()}. Not an override point: the server does not call it.
   *
   * @return the number of running requests
   */
  default int activeChildren() {
    return activeRequests();
  }

  /**
   * Reaps finished requests and, while {@link #maxChildren()} are running, waits for one to end:
   * CPython's {@code collect_children(blocking=...)}. Called by {@code serviceActions()}, {@code
   * handleTimeout()} and ({@code blocking} = {@link #blockOnClose()}) {@code serverClose()}. Ended
   * requests need no reaping here; the wait is what bounds the running requests. If the waiting
   * thread is interrupted, it returns early with its interrupt status set.
   *
   * @implSpec Waits with {@link #awaitRequests} until fewer than {@code maxChildren()} (at least
   *     one) run, or with {@code blocking} until none does. May be overridden; call {@code super}
   *     to keep the bound.
   * @param blocking whether to wait for every running request
   */
  default void collectChildren(boolean blocking) {
    try {
      awaitRequests(blocking ? 0 : Math.max(1, maxChildren()) - 1, BaseServer.FOREVER);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Implemented by {@link BaseServer#activeRequests()}.
   *
   * @return the number of requests being processed
   */
  int activeRequests();

  /**
   * Implemented by {@link BaseServer#awaitRequests(int, java.time.Duration)}.
   *
   * @param atMost how many requests may still run
   * @param timeout how long to wait at most
   * @return whether at most {@code atMost} requests were running when it returned
   * @throws InterruptedException if the waiting thread is interrupted
   */
  boolean awaitRequests(int atMost, java.time.Duration timeout) throws InterruptedException;
}
