package io.github.socketserver4j;

import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * {@link ThreadingMixIn}'s policy: each request runs {@link ThreadingMixIn#processRequestThread}
 * in a new thread, or on the executor {@link ThreadingMixIn#requestExecutor()} returns, and
 * {@code serverClose()} waits for the recorded ones (CPython's {@code _Threads.join}).
 */
final class Threading extends Concurrency {
  private final ThreadingMixIn mixin;
  private final RequestThreads threads = new RequestThreads();
  /** {@code requestExecutor()}, read at the first request: the constructor may not call hooks. */
  private volatile Optional<Executor> executor;

  Threading(BaseServer server, ThreadingMixIn mixin, InFlight inFlight) {
    super(server, inFlight);
    this.mixin = mixin;
  }

  /**
   * CPython's {@code ThreadingMixIn.process_request}: reads {@code daemonThreads()} and {@code
   * blockOnClose()} for each request, records the run when the server is to wait for it, and
   * starts it. If the thread cannot start or the executor rejects the task, the exception reaches
   * the caller, which calls {@code handleError} and {@code shutdownRequest}, as in CPython.
   */
  @Override
  void process(Request request, SocketAddress clientAddress) {
    Runnable body =
        () -> {
          try {
            mixin.processRequestThread(request, clientAddress);
          } finally {
            inFlight.end(request);
          }
        };
    boolean daemon = mixin.daemonThreads();
    boolean record = mixin.blockOnClose() && !daemon;
    Optional<Executor> pool = executor();
    if (pool.isPresent()) {
      threads.execute(pool.get(), record, body);
    } else {
      threads.start(nextThreadName(), daemon, record, body);
    }
    inFlight.handOff(request);
  }

  private Optional<Executor> executor() {
    Optional<Executor> e = executor;
    if (e == null) {
      e = java.util.Objects.requireNonNull(mixin.requestExecutor(), "requestExecutor()");
      executor = e;
    }
    return e;
  }

  /** CPython's {@code ThreadingMixIn.server_close}: joins the recorded runs, without a limit. */
  @Override
  void serverClose() {
    threads.join();
  }

  @Override
  boolean concurrent() {
    return true;
  }

  @Override
  void joinThreads(long deadline) {
    threads.join(deadline);
  }

  @Override
  int recorded() {
    return threads.size();
  }
}
