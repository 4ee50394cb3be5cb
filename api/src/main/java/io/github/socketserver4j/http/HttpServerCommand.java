package io.github.socketserver4j.http;

import io.github.socketserver4j.AddressFamily;
import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.DrainOnSignal;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.SocketOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code python -m http.server} command: serves a directory with {@link
 * SimpleHTTPRequestHandler} on a dual-stack {@link ThreadingHTTPServer} (or {@link
 * ThreadingHTTPSServer} with {@code --tls-cert}), as CPython's {@code http.server.test()} and its
 * {@code DualStackServer}.
 *
 * <pre>
 * http-server [-h] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [--tls-cert PATH] [--tls-key PATH]
 *             [--tls-password-file PATH] [port]
 * </pre>
 *
 * <p>It prints {@code Serving HTTP on HOST port PORT (http://HOST:PORT/) ...}, logs each request
 * to standard error, and on Ctrl-C prints {@code Keyboard interrupt received, exiting.} after an
 * empty line and exits with status 0. Usage errors exit with status 2, as {@code argparse}.
 */
public final class HttpServerCommand {
  private HttpServerCommand() {}

  /**
   * Runs the command.
   *
   * @param args the command-line arguments, as {@code python -m http.server} takes them
   * @throws IOException if the server cannot be created (the address is in use, say)
   */
  public static void main(String[] args) throws IOException {
    CommandLine c;
    try {
      c = CommandLine.parse(args);
    } catch (CommandLine.HelpRequested e) {
      System.out.print(CommandLine.HELP);
      System.out.flush();
      Runtime.getRuntime().halt(0);
      return;
    } catch (CommandLine.UsageError e) {
      System.err.print(CommandLine.USAGE + CommandLine.PROG + ": error: " + e.getMessage() + "\n");
      System.err.flush();
      Runtime.getRuntime().halt(2);
      return;
    }
    BaseServer server = open(c);
    serve(server, c.tlsCert != null, System.out);
  }

  /**
   * Creates the command's server: CPython's {@code _get_best_family(bind, port)} chooses the
   * family, {@code DualStackServer} clears {@code IPV6_V6ONLY} and passes the directory and the
   * protocol to each handler.
   */
  static BaseServer open(CommandLine c) throws IOException {
    InetAddress host =
        c.bind == null ? InetAddress.getByName("0.0.0.0") : InetAddress.getAllByName(c.bind)[0];
    AddressFamily family = host instanceof Inet6Address ? AddressFamily.AF_INET6 : AddressFamily.AF_INET;
    InetSocketAddress address = new InetSocketAddress(host, c.port);
    String directory = c.directory;
    String protocol = c.protocol;
    RequestHandlerFactory handler =
        () ->
            new SimpleHTTPRequestHandler(directory) {
              @Override
              public String protocolVersion() {
                return protocol;
              }
            };
    if (c.tlsCert == null) {
      return new ThreadingHTTPServer(address, handler) {
        @Override
        public AddressFamily addressFamily() {
          return family;
        }

        @Override
        public void serverBind() throws IOException {
          dualStack(this);
          super.serverBind();
        }
      };
    }
    Path key = c.tlsKey == null ? null : Path.of(c.tlsKey);
    return new ThreadingHTTPSServer(
        address, handler, true, Path.of(c.tlsCert), key, c.tlsPassword, null) {
      @Override
      public AddressFamily addressFamily() {
        return family;
      }

      @Override
      public void serverBind() throws IOException {
        dualStack(this);
        super.serverBind();
      }
    };
  }

  /** {@code DualStackServer.server_bind}: IPV6_V6ONLY off, errors (an IPv4 socket) ignored. */
  private static void dualStack(HTTPServer server) {
    if (server.addressFamily() == AddressFamily.AF_INET6) {
      try {
        server.socket().setOption(SocketOptions.IPV6_V6ONLY, false);
      } catch (RuntimeException e) {
        // contextlib.suppress(Exception), as CPython
      }
    }
  }

  /** CPython's {@code test()} after the server exists: print the line, serve until Ctrl-C. */
  static void serve(BaseServer server, boolean tls, PrintStream out) {
    InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
    String host = HostText.of(bound);
    String urlHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    String scheme = tls ? "HTTPS" : "HTTP";
    out.print("Serving " + scheme + " on " + host + " port " + bound.getPort() + " ("
        + scheme.toLowerCase(java.util.Locale.ROOT) + "://" + urlHost + ":" + bound.getPort()
        + "/) ...\n");
    out.flush();
    // Ctrl-C (and SIGTERM) end serve_forever at once, as KeyboardInterrupt does: a zero deadline
    // cuts the requests still running, which CPython's daemon request threads do not outlive.
    if (DrainOnSignal.serveForever(server, Duration.ZERO).isPresent()) {
      out.print("\nKeyboard interrupt received, exiting.\n");
      out.flush();
      Runtime.getRuntime().exit(0); // sys.exit(0)
    }
  }
}
