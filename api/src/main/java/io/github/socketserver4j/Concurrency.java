package io.github.socketserver4j;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How a server runs its requests: CPython's choice between {@code BaseServer.process_request} on
 * the serving thread, {@code ThreadingMixIn}'s and {@code ForkingMixIn}'s. One object, chosen once
 * when the server is constructed (as CPython's {@code _threads} is a {@code _NoThreads} or a
 * {@code _Threads}): {@link Sync}, {@link Threading} or {@link Forking}. It owns the request
 * threads and the hand-off; {@link BaseServer}'s hooks delegate to it, so an override that calls
 * {@code super} keeps the mix-in's behaviour, as Python's method resolution order would.
 *
 * <p>Construction reads no hook of the server: subclass fields are not set yet while the
 * superclass constructor runs. The policies read the mix-in's hooks when a request comes.
 */
abstract class Concurrency {
  final BaseServer server;
  final InFlight inFlight;
  private final AtomicLong requests = new AtomicLong();

  Concurrency(BaseServer server, InFlight inFlight) {
    this.server = server;
    this.inFlight = inFlight;
  }

  /**
   * The policy of {@code server}, by the mix-in it implements. A class that implements both gets
   * {@code ThreadingMixIn}'s.
   */
  static Concurrency of(BaseServer server, InFlight inFlight) {
    if (server instanceof ThreadingMixIn) {
      return new Threading(server, (ThreadingMixIn) server, inFlight);
    }
    if (server instanceof ForkingMixIn) {
      return new Forking(server, (ForkingMixIn) server, inFlight);
    }
    return new Sync(server, inFlight);
  }

  /**
   * CPython's {@code process_request}: runs the request, or hands it to another thread and
   * returns. A request handed off is marked with {@link InFlight#handOff} once its thread runs,
   * and that thread ends it with {@link InFlight#end}; if the hand-off fails, this throws and the
   * caller ends the request.
   */
  abstract void process(Request request, SocketAddress clientAddress) throws Exception;

  /** The default of {@link BaseServer#timeout()}. */
  Optional<Duration> timeout() {
    return Optional.empty();
  }

  /** What {@link BaseServer#serviceActions()} does by default. */
  void serviceActions() {}

  /** What {@link BaseServer#handleTimeout()} does by default. */
  void handleTimeout() {}

  /** What {@link BaseServer#serverClose()} does by default: wait as CPython's mix-in does. */
  void serverClose() {}

  /** Whether requests run on several threads at once, for the transport's I/O threads. */
  boolean concurrent() {
    return false;
  }

  /**
   * The drain's last wait: joins the request threads recorded for {@code serverClose()} until
   * {@code deadline} ({@link System#nanoTime()}), then forgets those still running, so that no
   * later {@code serverClose()} waits for them without a deadline.
   */
  void joinThreads(long deadline) {}

  /** CPython's {@code len(_threads)}: the runs recorded for {@code serverClose()}. */
  int recorded() {
    return 0;
  }

  /** The next request thread's name: the server's class and address, and the request number. */
  final String nextThreadName() {
    return server.threadName() + " request " + requests.incrementAndGet();
  }
}
