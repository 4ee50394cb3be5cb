package io.github.socketserver4j.examples;

import io.github.socketserver4j.DrainResult;
import io.github.socketserver4j.RunningServer;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * A server started without blocking: {@link io.github.socketserver4j.TCPServer#start()} serves on
 * a thread the library owns and returns a {@link RunningServer}, a socketserver4j addition for
 * code that cannot sit in {@code serveForever()} (a framework's start method, a test, several
 * servers in one program). CPython's form is {@code
 * threading.Thread(target=server.serve_forever).start()}.
 */
public final class StartedServer {

  private StartedServer() {}

  /** Echoes lines until the client closes its side. */
  static class Echo extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
    }
  }

  /**
   * Starts an echo server and returns at once.
   *
   * @param address where to listen; port 0 lets the system choose
   * @return the running server: its address, transport and close
   * @throws IOException if the server cannot bind
   */
  public static RunningServer start(SocketAddress address) throws IOException {
    // tag::start[]
    ThreadingTCPServer server = new ThreadingTCPServer(address, Echo::new);
    RunningServer running = server.start(); // serves on its own (non-daemon) thread
    System.out.printf(
        "serving on %s over %s%n", running.serverAddress(), running.transportName());
    running.closeFuture().whenComplete((ok, failure) -> System.out.println("closed"));
    // end::start[]
    return running;
  }

  /**
   * Closes a running server gracefully, as a service does on its stop command.
   *
   * @param running a server started by {@link #start}
   * @param deadline how long running requests may take to finish
   * @return what the drain did, or empty if the server had been closed another way
   */
  public static Optional<DrainResult> stop(RunningServer running, Duration deadline) {
    // tag::stop[]
    Optional<DrainResult> result = running.close(deadline); // drain, then serverClose
    result.ifPresent(r -> System.out.printf(
        "%d requests finished, %d were cut at the deadline%n", r.finished(), r.cut()));
    // end::stop[]
    return result;
  }

  /**
   * Starts on 127.0.0.1 and returns from {@code main}: the serving thread keeps the JVM alive
   * until the server is closed (here by a shutdown hook, on Ctrl-C or SIGTERM).
   *
   * @param args an optional port
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    RunningServer running = start(new InetSocketAddress("127.0.0.1", port));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(running, Duration.ofSeconds(5))));
    System.out.println("main returned"); // the serving thread keeps the JVM running
  }
}
