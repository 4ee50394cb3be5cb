package io.github.socketserver4j;

/**
 * Thrown by a handler or hook to stop the server: the analogue of Python's {@code SystemExit}.
 *
 * <p>Like {@code SystemExit}, which derives from {@code BaseException} rather than {@code
 * Exception}, this class derives from {@link Error}, so code that catches {@code Exception} does
 * not swallow it. The server treats it as CPython treats {@code SystemExit}:
 *
 * <ul>
 *   <li>Thrown while a synchronous server handles a request, it skips {@link
 *       BaseServer#handleError}, runs {@link BaseServer#shutdownRequest} and then propagates out of
 *       {@link BaseServer#handleRequest()} or {@link BaseServer#serveForever()}.
 *   <li>Thrown in the request thread of a {@link ThreadingMixIn} server, it skips {@code
 *       handleError}, runs {@code shutdownRequest} and ends that thread through its uncaught
 *       exception handler; the server keeps serving, as in CPython.
 * </ul>
 *
 * <p>To stop a server from a handler without throwing, call {@link BaseServer#requestShutdown()}.
 */
public class ServerExit extends Error {
  private static final long serialVersionUID = 1L;

  /** Creates an exit request with no message. */
  public ServerExit() {
    super("server exit requested");
  }

  /**
   * Creates an exit request with a message that says why.
   *
   * @param message why the server exits
   */
  public ServerExit(String message) {
    super(message);
  }
}
