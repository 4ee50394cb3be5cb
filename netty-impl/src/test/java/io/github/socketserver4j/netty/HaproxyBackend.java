package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;

import io.github.socketserver4j.Request;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A socketserver4j server behind HAProxy, as an operator runs one: a {@code ThreadingTCPServer}
 * with Netty's {@code HAProxyMessageDecoder} (and optionally an {@code SslHandler}) in the pipeline
 * hook. It answers each line with {@code "NAME CLIENT LINE"}, CLIENT being the request's client
 * address (the PROXY header's source), and records what the server saw.
 */
final class HaproxyBackend implements AutoCloseable {
  /** What {@code verifyRequest} saw of one connection. */
  record Seen(InetSocketAddress client, InetSocketAddress peer) {
    /** Whether the PROXY header named another client than the TCP peer (not a LOCAL header). */
    boolean proxied() {
      return !client.equals(peer);
    }
  }

  final String name;
  /** Connections the pipeline hook initialised: every accepted connection, checks included. */
  final AtomicInteger accepted = new AtomicInteger();
  /** Requests whose handler is between its first line and its end. */
  final AtomicInteger running = new AtomicInteger();
  /** Lines answered. */
  final AtomicInteger answered = new AtomicInteger();
  final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  final TCPServer server;
  private final Serving serving;

  HaproxyBackend(String name, SslContext tls) throws IOException {
    this.name = name;
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(
                ch -> {
                  accepted.incrementAndGet();
                  ch.pipeline().addLast(new HAProxyMessageDecoder());
                  if (tls != null) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                  }
                })
            .build();
    server =
        new ThreadingTCPServer(anyLoopbackPort(), Tell::new) {
          @Override
          protected SocketProvider socketProvider() {
            return netty;
          }

          @Override
          public int requestQueueSize() {
            // CPython's 5 makes a burst from the balancer wait for SYN retransmits (1 s, 3 s).
            return 128;
          }

          @Override
          public boolean verifyRequest(Request request, SocketAddress clientAddress) {
            seen.add(
                new Seen(
                    (InetSocketAddress) clientAddress,
                    (InetSocketAddress) ((StreamRequest) request).remoteAddress()));
            return true;
          }

          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            errors.add(clientAddress + ": " + currentException().orElseThrow());
            super.handleError(request, clientAddress); // logs at ERROR, as an operator sees it
          }
        };
    serving = Serving.start(server);
  }

  /** The port HAProxy's {@code server} line names. */
  int port() {
    return ((InetSocketAddress) server.serverAddress()).getPort();
  }

  /** The connections whose PROXY header carried a client (not HAProxy's LOCAL health checks). */
  List<Seen> proxied() {
    synchronized (seen) {
      return seen.stream().filter(Seen::proxied).toList();
    }
  }

  /** Answers every line with the server's name and the client address, until end of stream. */
  final class Tell extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      boolean counted = false;
      try {
        for (byte[] line; (line = rfile().readLine()).length > 0; ) {
          if (!counted) {
            running.incrementAndGet();
            counted = true;
          }
          InetSocketAddress client = (InetSocketAddress) clientAddress();
          String reply =
              name + " " + client.getAddress().getHostAddress() + ":" + client.getPort() + " "
                  + new String(line, US_ASCII);
          wfile().write(reply.getBytes(US_ASCII));
          answered.incrementAndGet();
        }
      } finally {
        if (counted) {
          running.decrementAndGet();
        }
      }
    }
  }

  @Override
  public void close() {
    serving.close();
  }
}
