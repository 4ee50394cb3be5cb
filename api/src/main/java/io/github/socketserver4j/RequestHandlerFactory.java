package io.github.socketserver4j;

/**
 * Makes one request handler per request: CPython's {@code RequestHandlerClass}.
 *
 * <p>In CPython the server calls {@code RequestHandlerClass(request, client_address, server)} and
 * the handler does all its work inside that constructor. In Java constructing and running are two
 * steps: {@link BaseServer#finishRequest} asks this factory for a fresh handler, then calls {@link
 * BaseRequestHandler#run}, which stores the three values and runs {@code setup}, {@code handle} and
 * {@code finish} in CPython's order. Handlers therefore need no constructor at all, and a method
 * reference does:
 *
 * <pre>{@code
 * new TCPServer(new InetSocketAddress("127.0.0.1", 0), EchoHandler::new);
 * }</pre>
 *
 * <p>To pass extra arguments, as {@code functools.partial(Handler, directory=...)} does in Python,
 * use a lambda: {@code () -> new FileHandler(directory)}.
 */
@FunctionalInterface
public interface RequestHandlerFactory {
  /**
   * Returns a new, unused handler. Called once per request, on the thread that will run it.
   *
   * @return a handler that has not run yet
   */
  BaseRequestHandler newHandler();
}
