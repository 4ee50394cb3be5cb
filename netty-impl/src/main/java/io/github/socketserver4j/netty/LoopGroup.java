package io.github.socketserver4j.netty;

import io.github.socketserver4j.spi.SocketSpec;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The event loops a server runs on. A server's own loops are shut down when the server's socket
 * and the last connection it accepted are closed: a connection outlives {@code server_close()} in
 * CPython, so its loop must too. Threads are daemon threads, so an unclosed server does not keep
 * the JVM alive (Python has no I/O threads to keep a process alive).
 *
 * <p>A shared group (the application's, given to {@link NettyOptions}) is counted the same way,
 * so late connections of a closed server are still refused, but it is never shut down here.
 */
final class LoopGroup {
  private static final AtomicInteger IDS = new AtomicInteger();

  private final EventLoopGroup group;
  private final boolean owned;
  private final AtomicInteger refs = new AtomicInteger(1);

  /**
   * The loops of a socket being bound: the application's group from the settings, or a group of
   * its own with {@link NettyOptions.Builder#ioThreads} threads (else {@code
   * socketserver4j.netty.ioThreads}, else one, or one per core for a threading server).
   */
  static LoopGroup forSocket(NettyOptions config, Transport transport, SocketSpec spec) {
    if (config.group != null) {
      return new LoopGroup(config.group);
    }
    int threads = config.ioThreads;
    if (threads <= 0) {
      Integer forced = Integer.getInteger("socketserver4j.netty.ioThreads");
      threads =
          forced != null && forced > 0
              ? forced
              : spec.concurrent() ? Math.max(1, Runtime.getRuntime().availableProcessors()) : 1;
    }
    String name = "socketserver4j-" + spec.ownerName() + "-" + IDS.incrementAndGet() + "-io";
    return new LoopGroup(transport, threads, name);
  }

  LoopGroup(Transport transport, int threads, String name) {
    this.group =
        new MultiThreadIoEventLoopGroup(
            threads, new DefaultThreadFactory(name, true), transport.ioHandlerFactory());
    this.owned = true;
  }

  /** The application's group: used, never shut down. */
  LoopGroup(EventLoopGroup shared) {
    this.group = shared;
    this.owned = false;
  }

  EventLoopGroup group() {
    return group;
  }

  /** Takes a reference for a new connection; false once the group is shutting down. */
  boolean retain() {
    while (true) {
      int n = refs.get();
      if (n == 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one shuts the loops down at once (no quiet period). */
  void release() {
    if (refs.decrementAndGet() == 0 && owned) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }

  /** Waits up to the timeout for the loops to end, if they are shutting down. */
  void awaitTermination(long millis) throws InterruptedException {
    if (owned && group.isShuttingDown()) {
      group.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }
  }
}
