package io.github.socketserver4j;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixPaths;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Every server class of the api, made the same way for the reliability tests: each kind builds
 * its class with {@code handleError} reporting the current exception to a consumer, so a test
 * can count the calls on any class.
 */
final class ServerKinds {
  private ServerKinds() {}

  /** The Netty transport's blocking bridge, where handlers block in reads and writes. */
  static final String CHANNEL_STREAM = "io.github.socketserver4j.netty.ChannelStream";

  /** How a server runs its requests. */
  enum Model {
    SYNC,
    THREADING,
    FORKING
  }

  /** The twelve server classes. */
  enum Kind {
    TCP(true, false, Model.SYNC),
    THREADING_TCP(true, false, Model.THREADING),
    FORKING_TCP(true, false, Model.FORKING),
    UNIX_STREAM(true, true, Model.SYNC),
    THREADING_UNIX_STREAM(true, true, Model.THREADING),
    FORKING_UNIX_STREAM(true, true, Model.FORKING),
    UDP(false, false, Model.SYNC),
    THREADING_UDP(false, false, Model.THREADING),
    FORKING_UDP(false, false, Model.FORKING),
    UNIX_DATAGRAM(false, true, Model.SYNC),
    THREADING_UNIX_DATAGRAM(false, true, Model.THREADING),
    FORKING_UNIX_DATAGRAM(false, true, Model.FORKING);

    final boolean stream;
    final boolean unix;
    final Model model;

    Kind(boolean stream, boolean unix, Model model) {
      this.stream = stream;
      this.unix = unix;
      this.model = model;
    }

    /** Whether this kind runs on the transport: Unix datagrams need epoll. */
    boolean runsOn(String transport) {
      return stream || !unix || transport.equals("epoll");
    }

    /** A fresh address for this kind: loopback port 0, or a new path. */
    SocketAddress address(UnixPaths paths) {
      return unix ? paths.next() : Client.anyLoopbackPort();
    }

    /** Creates, binds and activates a server of this kind; {@code onError} sees each handleError. */
    TCPServer create(SocketAddress a, RequestHandlerFactory f, Consumer<Throwable> onError)
        throws IOException {
      switch (this) {
        case TCP:
          return new TCPServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case THREADING_TCP:
          return new ThreadingTCPServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case FORKING_TCP:
          return new ForkingTCPServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case UNIX_STREAM:
          return new UnixStreamServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case THREADING_UNIX_STREAM:
          return new ThreadingUnixStreamServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case FORKING_UNIX_STREAM:
          return new ForkingUnixStreamServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case UDP:
          return new UDPServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case THREADING_UDP:
          return new ThreadingUDPServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case FORKING_UDP:
          return new ForkingUDPServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case UNIX_DATAGRAM:
          return new UnixDatagramServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case THREADING_UNIX_DATAGRAM:
          return new ThreadingUnixDatagramServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        case FORKING_UNIX_DATAGRAM:
          return new ForkingUnixDatagramServer(a, f) {
            @Override
            public void handleError(Request r, SocketAddress c) {
              onError.accept(currentException().orElse(null));
            }
          };
        default:
          throw new AssertionError(this);
      }
    }
  }

  /** The stream kinds crossed with the transports, as JUnit arguments. */
  static List<Arguments> streamKindsAndTransports() {
    return cross(true);
  }

  /** The datagram kinds crossed with the transports each runs on. */
  static List<Arguments> datagramKindsAndTransports() {
    return cross(false);
  }

  private static List<Arguments> cross(boolean stream) {
    List<Arguments> all = new ArrayList<>();
    for (Kind k : Kind.values()) {
      for (String t : Transports.available()) {
        if (k.stream == stream && k.runsOn(t)) {
          all.add(Arguments.of(k, t));
        }
      }
    }
    return all;
  }

  /** Serves {@code server} in a new thread, polling every 20 ms. */
  static Thread serveInBackground(BaseServer server) {
    Thread t = new Thread(() -> server.serveForever(Duration.ofMillis(20)), "serve_forever");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Stops the loop started by {@link #serveInBackground}, then closes the server. */
  static void stop(BaseServer server, Thread loop) throws InterruptedException {
    try {
      server.shutdown();
      loop.join(TestRules.waitBound().toMillis());
      if (loop.isAlive()) {
        throw new AssertionError("serveForever did not return after shutdown()");
      }
    } finally {
      closeWithin(server);
    }
  }

  /**
   * Calls {@code serverClose()}, which may wait for request threads without limit, on a helper
   * thread; if it has not returned within the wait bound, prints every thread's stack and fails.
   */
  static void closeWithin(BaseServer server) throws InterruptedException {
    Thread closer = new Thread(server::serverClose, "server_close");
    closer.setDaemon(true);
    closer.start();
    closer.join(TestRules.waitBound().toMillis());
    if (closer.isAlive()) {
      StringBuilder dump = new StringBuilder("serverClose() did not return; threads:\n");
      Thread.getAllStackTraces()
          .forEach(
              (t, stack) -> {
                dump.append(t).append(' ').append(t.getState()).append('\n');
                for (StackTraceElement e : stack) {
                  dump.append("    at ").append(e).append('\n');
                }
              });
      System.err.println(dump);
      throw new AssertionError("serverClose() did not return within the wait bound (stacks on stderr)");
    }
  }

  /**
   * Waits (bounded) until {@code t} is parked inside {@code method} of {@code owner}: the way to
   * know a handler is blocked in a read or a write without a sleep. {@code owner} is a class
   * name, such as the transport's package-private {@link #CHANNEL_STREAM}.
   */
  static void awaitBlockedIn(Thread t, String owner, String method) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (System.nanoTime() < deadline) {
      Thread.State state = t.getState();
      if ((state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
          && Arrays.stream(t.getStackTrace())
              .anyMatch(
                  f -> f.getClassName().equals(owner) && f.getMethodName().equals(method))) {
        return;
      }
      LockSupport.parkNanos(1_000_000);
    }
    throw new AssertionError(
        t.getName() + " never blocked in " + owner + "." + method + ": "
            + Arrays.toString(t.getStackTrace()));
  }
}
