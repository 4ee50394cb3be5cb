package io.github.socketserver4j.http;

import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.ThreadingMixIn;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * An {@link HTTPServer} that serves each connection in its own thread (a virtual thread where the
 * JVM has them): CPython's {@code ThreadingHTTPServer(ThreadingMixIn, HTTPServer)}, with {@code
 * daemon_threads = True}, so {@link #serverClose()} does not wait for running handlers. This is
 * the server of the {@code http.server} command ({@link HttpServerCommand}).
 */
public class ThreadingHTTPServer extends HTTPServer implements ThreadingMixIn {

  /**
   * Creates, binds and activates the server; see {@link HTTPServer#HTTPServer(SocketAddress,
   * RequestHandlerFactory)}.
   *
   * @param serverAddress where to listen
   * @param requestHandlerFactory makes one handler per connection
   * @throws IOException if the socket cannot be created or bound
   */
  public ThreadingHTTPServer(
      SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory) throws IOException {
    super(serverAddress, requestHandlerFactory);
  }

  /**
   * Creates the server; see {@link HTTPServer#HTTPServer(SocketAddress, RequestHandlerFactory,
   * boolean)}.
   *
   * @param serverAddress where to listen
   * @param requestHandlerFactory makes one handler per connection
   * @param bindAndActivate whether to bind and listen now
   * @throws IOException if the socket cannot be created or bound
   */
  public ThreadingHTTPServer(
      SocketAddress serverAddress,
      RequestHandlerFactory requestHandlerFactory,
      boolean bindAndActivate)
      throws IOException {
    super(serverAddress, requestHandlerFactory, bindAndActivate);
  }

  /**
   * Whether request threads are daemon threads, CPython's {@code daemon_threads}.
   *
   * @implSpec Returns true, as CPython's {@code ThreadingHTTPServer}. May be overridden.
   */
  @Override
  public boolean daemonThreads() {
    return true;
  }
}
