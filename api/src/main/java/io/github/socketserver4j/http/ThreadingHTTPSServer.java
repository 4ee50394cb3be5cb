package io.github.socketserver4j.http;

import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.ThreadingMixIn;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * An {@link HTTPSServer} that serves each connection in its own thread: CPython 3.14's {@code
 * ThreadingHTTPSServer(ThreadingMixIn, HTTPSServer)}, with {@code daemon_threads = True}.
 */
public class ThreadingHTTPSServer extends HTTPSServer implements ThreadingMixIn {

  /**
   * Creates the server; see {@link HTTPSServer#HTTPSServer(SocketAddress, RequestHandlerFactory,
   * boolean, Path, Path, String, List)}.
   *
   * @param serverAddress where to listen
   * @param requestHandlerFactory makes one handler per connection
   * @param bindAndActivate whether to bind and activate now
   * @param certfile a PEM file with the certificate chain (and the key, without {@code keyfile})
   * @param keyfile a PEM file with the private key, or null
   * @param password the private key's password, or null
   * @param alpnProtocols the ALPN protocols to offer, or null for {@code ["http/1.1"]}
   * @throws IOException if the socket cannot be bound or the TLS context cannot be created
   */
  public ThreadingHTTPSServer(
      SocketAddress serverAddress,
      RequestHandlerFactory requestHandlerFactory,
      boolean bindAndActivate,
      Path certfile,
      Path keyfile,
      String password,
      List<String> alpnProtocols)
      throws IOException {
    super(
        serverAddress,
        requestHandlerFactory,
        bindAndActivate,
        certfile,
        keyfile,
        password,
        alpnProtocols);
  }

  /**
   * Whether request threads are daemon threads, CPython's {@code daemon_threads}.
   *
   * @implSpec Returns true. May be overridden.
   */
  @Override
  public boolean daemonThreads() {
    return true;
  }
}
