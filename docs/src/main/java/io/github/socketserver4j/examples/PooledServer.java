package io.github.socketserver4j.examples;

import io.github.socketserver4j.DrainResult;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A threading server whose requests run on the application's own thread pool: {@link
 * io.github.socketserver4j.ThreadingMixIn#requestExecutor()}, a socketserver4j addition (CPython
 * starts a thread per request). The pool bounds the threads; the server still waits for its
 * requests in {@code serverClose()} and {@code drain()}, as it waits for its own threads.
 *
 * <p>The pool is the application's: it is created before the server and shut down after it.
 */
public class PooledServer extends ThreadingTCPServer {

  /** Echoes lines until the client closes its side. */
  static class Echo extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
    }
  }

  // tag::pooled[]
  private final ExecutorService pool; // the application's: made before, shut down after

  public PooledServer(SocketAddress address, RequestHandlerFactory handlers, ExecutorService pool)
      throws IOException {
    super(address, handlers);
    this.pool = pool; // set after super(): the server reads the hook at its first request
  }

  @Override
  public Optional<Executor> requestExecutor() { // CPython: a new thread per request
    return Optional.of(pool);
  }
  // end::pooled[]

  /**
   * Serves on 127.0.0.1 with four pooled threads for the given seconds, then drains.
   *
   * @param args an optional port, then an optional number of seconds to serve
   * @throws Exception if the server cannot bind or is interrupted
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 10;
    // tag::lifecycle[]
    ExecutorService pool = Executors.newFixedThreadPool(4);
    var server = new PooledServer(new InetSocketAddress("127.0.0.1", port), Echo::new, pool);
    Thread loop = new Thread(server::serveForever, "serve_forever");
    loop.start();
    loop.join(Duration.ofSeconds(seconds).toMillis()); // serve, then:
    DrainResult result = server.drain(Duration.ofSeconds(5)); // covers the pooled requests
    pool.shutdown(); // after the server: the server never shuts the pool down
    pool.awaitTermination(5, TimeUnit.SECONDS);
    // end::lifecycle[]
    System.out.println(result);
  }
}
