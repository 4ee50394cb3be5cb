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
 * os._exit(1)} does. Use it by implementing the interface, as with {@link ThreadingMixIn}, or use
 * {@code ForkingTCPServer} and its siblings.
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
   * Returns how many requests are running, CPython's {@code len(active_children)}. Not an
   * override point: the server does not call it.
   *
   * @return the number of running request threads
   */
  default int activeChildren() {
    return ((BaseServer) this).threads.alive();
  }

  /**
   * Reaps finished requests and, while {@link #maxChildren()} are running, waits for one to end:
   * CPython's {@code collect_children(blocking=...)}. Called by {@code serviceActions()}, {@code
   * handleTimeout()} and ({@code blocking} = {@link #blockOnClose()}) {@code serverClose()}.
   *
   * @param blocking whether to wait for every running request
   */
  default void collectChildren(boolean blocking) {
    ((BaseServer) this).threads.collect(maxChildren(), blocking);
  }
}
