package io.github.socketserver4j.http;

import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.TCPServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A {@link TCPServer} for HTTP handlers: CPython's {@code http.server.HTTPServer}. It reuses the
 * address ({@code allow_reuse_address = 1}) and, when bound, records {@link #serverName()} and
 * {@link #serverPort()}. It serves one request (one connection) at a time; {@link
 * ThreadingHTTPServer} serves each in its own thread.
 *
 * <pre>{@code
 * try (HTTPServer server = new HTTPServer(new InetSocketAddress("127.0.0.1", 8000),
 *     SimpleHTTPRequestHandler::new)) {
 *   server.serveForever();
 * }
 * }</pre>
 */
public class HTTPServer extends TCPServer {
  private volatile String serverName;
  private volatile int serverPort;

  /**
   * Creates, binds and activates the server: CPython's {@code HTTPServer(server_address,
   * RequestHandlerClass)}.
   *
   * @param serverAddress where to listen; port 0 lets the system choose
   * @param requestHandlerFactory makes one handler per connection, for example {@code
   *     SimpleHTTPRequestHandler::new}
   * @throws IOException if the socket cannot be created or bound
   */
  public HTTPServer(SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory)
      throws IOException {
    super(serverAddress, requestHandlerFactory);
  }

  /**
   * Creates the server, CPython's {@code HTTPServer(server_address, RequestHandlerClass,
   * bind_and_activate)}.
   *
   * @param serverAddress where to listen
   * @param requestHandlerFactory makes one handler per connection
   * @param bindAndActivate whether to bind and listen now
   * @throws IOException if the socket cannot be created or bound
   */
  public HTTPServer(
      SocketAddress serverAddress,
      RequestHandlerFactory requestHandlerFactory,
      boolean bindAndActivate)
      throws IOException {
    super(serverAddress, requestHandlerFactory, bindAndActivate);
  }

  /**
   * Whether to set {@code SO_REUSEADDR}, CPython's {@code allow_reuse_address}.
   *
   * @implSpec Returns true, as CPython's {@code HTTPServer} ("seems to make sense in testing
   *     environment"). May be overridden.
   */
  @Override
  public boolean allowReuseAddress() {
    return true;
  }

  /**
   * Binds the socket, then records the host's fully qualified name and the port, CPython's {@code
   * HTTPServer.server_bind()}.
   *
   * @throws IOException if binding fails
   */
  @Override
  public void serverBind() throws IOException {
    super.serverBind();
    SocketAddress bound = serverAddress();
    if (bound instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) bound;
      serverName = getfqdn(HostText.of(inet));
      serverPort = inet.getPort();
    }
  }

  /**
   * Returns the host's name, CPython's {@code server_name}: {@code socket.getfqdn(host)} of the
   * bound address.
   *
   * @return the name; null before {@link #serverBind()}
   */
  public String serverName() {
    return serverName;
  }

  /**
   * Returns the bound port, CPython's {@code server_port}.
   *
   * @return the port; 0 before {@link #serverBind()}
   */
  public int serverPort() {
    return serverPort;
  }

  /**
   * Python's {@code socket.getfqdn(name)}: the wildcard addresses mean this host; the name is
   * replaced by the name the address resolves back to, when there is one.
   */
  static String getfqdn(String name) {
    String host = name.strip();
    try {
      if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
        host = InetAddress.getLocalHost().getHostName();
      }
      InetAddress address = InetAddress.getByName(host);
      String canonical = address.getCanonicalHostName();
      return canonical.equals(address.getHostAddress()) ? host : canonical;
    } catch (IOException | SecurityException e) {
      return host; // gethostbyaddr failed: CPython keeps the name
    }
  }
}
