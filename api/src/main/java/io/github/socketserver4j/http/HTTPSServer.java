package io.github.socketserver4j.http;

import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.spi.ServerTls;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.spi.SocketSpec;
import io.github.socketserver4j.spi.SocketImpl;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * An {@link HTTPServer} over TLS: CPython 3.14's {@code http.server.HTTPSServer(server_address,
 * RequestHandlerClass, bind_and_activate=True, *, certfile, keyfile=None, password=None,
 * alpn_protocols=None)}.
 *
 * <pre>{@code
 * try (var server = new HTTPSServer(new InetSocketAddress("127.0.0.1", 8443),
 *     SimpleHTTPRequestHandler::new, true, Path.of("cert.pem"), Path.of("key.pem"), null, null)) {
 *   server.serveForever();
 * }
 * }</pre>
 *
 * <p>As in CPython, {@link #serverActivate()} creates the context ({@link #createContext()}) from
 * the PEM files, so a missing file or a wrong password fails the constructor (which then closes
 * the socket). The handshake of each connection happens on the transport's I/O threads before
 * {@code getRequest()} returns it, as CPython's {@code accept()} does it; a client that fails it
 * never reaches a handler. TLS comes from the transport through {@link SocketSpec#tls()}: the
 * Netty transport needs {@code io.netty:netty-handler} on the class path.
 */
public class HTTPSServer extends HTTPServer {
  private final Path certfile;
  private final Path keyfile;
  private final String password;
  private final List<String> alpnProtocols;
  private volatile SSLContext context;

  /**
   * Creates, binds and activates the server with the certificate chain and key of {@code
   * certfile}.
   *
   * @param serverAddress where to listen
   * @param requestHandlerFactory makes one handler per connection
   * @param certfile a PEM file with the certificate chain and, here, the private key
   * @throws IOException if the socket cannot be bound or the TLS context cannot be created
   */
  public HTTPSServer(
      SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory, Path certfile)
      throws IOException {
    this(serverAddress, requestHandlerFactory, true, certfile, null, null, null);
  }

  /**
   * Creates the server, CPython's {@code HTTPSServer(...)} with all its arguments.
   *
   * @param serverAddress where to listen
   * @param requestHandlerFactory makes one handler per connection
   * @param bindAndActivate whether to bind and activate now
   * @param certfile a PEM file with the certificate chain (and the key, without {@code keyfile})
   * @param keyfile a PEM file with the private key, or null
   * @param password the private key's password, or null
   * @param alpnProtocols the ALPN protocols to offer, or null for CPython's {@code ["http/1.1"]}
   * @throws IOException if the socket cannot be bound or the TLS context cannot be created
   */
  @SuppressWarnings("this-escape")
  public HTTPSServer(
      SocketAddress serverAddress,
      RequestHandlerFactory requestHandlerFactory,
      boolean bindAndActivate,
      Path certfile,
      Path keyfile,
      String password,
      List<String> alpnProtocols)
      throws IOException {
    // CPython sets these before TCPServer.__init__ binds; Java cannot, so bind after.
    super(serverAddress, requestHandlerFactory, false);
    this.certfile = Objects.requireNonNull(certfile, "certfile");
    this.keyfile = keyfile;
    this.password = password;
    this.alpnProtocols = alpnProtocols == null ? List.of("http/1.1") : List.copyOf(alpnProtocols);
    if (bindAndActivate) {
      try {
        serverBind();
        serverActivate();
      } catch (IOException | RuntimeException | Error e) {
        try {
          serverClose();
        } catch (RuntimeException | Error suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  /**
   * Asks the transport for TLS on every accepted connection. Not a CPython method.
   *
   * @implSpec Returns the class path's provider with {@link SocketSpec#tls()} set to this
   *     server's context, which {@link #serverActivate()} creates.
   */
  @Override
  protected SocketProvider socketProvider() {
    return new TlsProvider(super.socketProvider(), new ContextOfServer(this));
  }

  /**
   * Listens, then creates the TLS context: CPython's {@code HTTPSServer.server_activate()}, which
   * wraps the socket there.
   *
   * @throws IOException if the context cannot be created
   */
  @Override
  public void serverActivate() throws IOException {
    super.serverActivate();
    context = createContext();
  }

  /**
   * Creates the context, CPython's {@code _create_context()}: a server context with the
   * certificate chain and key of {@link #certfile()} and {@link #keyfile()}.
   *
   * @implSpec Loads the PEM files; May be overridden, for example to return a context from a
   *     {@code KeyStore}.
   * @return the context
   * @throws IOException if a file is missing or invalid, or the password is wrong
   */
  protected SSLContext createContext() throws IOException {
    return PemKeys.serverContext(certfile, keyfile, password);
  }

  /**
   * Returns the certificate file, CPython's {@code certfile}.
   *
   * @return the file
   */
  public Path certfile() {
    return certfile;
  }

  /**
   * Returns the key file, CPython's {@code keyfile}.
   *
   * @return the file, or null when the key is in {@link #certfile()}
   */
  public Path keyfile() {
    return keyfile;
  }

  /**
   * Returns the ALPN protocols offered, CPython's {@code alpn_protocols}.
   *
   * @return the protocols
   */
  public List<String> alpnProtocols() {
    return alpnProtocols;
  }

  /** The TLS request: reads the server's context when the transport first needs it. */
  private static final class ContextOfServer implements ServerTls {
    private final HTTPSServer server;

    ContextOfServer(HTTPSServer server) {
      this.server = server;
    }

    @Override
    public SSLContext context() {
      SSLContext c = server.context;
      if (c == null) {
        throw new IllegalStateException("HTTPSServer.serverActivate() has not created the context");
      }
      return c;
    }

    @Override
    public List<String> applicationProtocols() {
      return server.alpnProtocols;
    }
  }

  /** The provider of the class path, asked for TLS sockets. */
  private static final class TlsProvider extends SocketProvider {
    private final SocketProvider delegate;
    private final ServerTls tls;

    TlsProvider(SocketProvider delegate, ServerTls tls) {
      this.delegate = delegate;
      this.tls = tls;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public SocketImpl openSocket(SocketSpec spec) throws IOException {
      return delegate.openSocket(spec.withTls(tls));
    }
  }
}
