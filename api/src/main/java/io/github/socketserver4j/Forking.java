package io.github.socketserver4j;

import io.github.socketserver4j.spi.HandlerThreads;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ForkingMixIn}'s policy without a fork: each request runs in its own thread what CPython's
 * child runs, at most {@code maxChildren()} at once (the serving loop's {@code
 * collectChildren} waits), and {@code serverClose()} waits for them when {@code blockOnClose()}.
 * The "children" are the requests being processed, {@link InFlight}.
 */
final class Forking extends Concurrency {
  private static final Logger LOG = LoggerFactory.getLogger(BaseServer.class);

  /** CPython's {@code ForkingMixIn.timeout}, which overrides {@code BaseServer.timeout}. */
  static final Duration TIMEOUT = Duration.ofSeconds(300);

  private final ForkingMixIn mixin;

  Forking(BaseServer server, ForkingMixIn mixin, InFlight inFlight) {
    super(server, inFlight);
    this.mixin = mixin;
  }

  /**
   * CPython's {@code ForkingMixIn.process_request}, the parent's side: starts the "child". The
   * parent's {@code close_request} does not happen: the connection is not duplicated.
   */
  @Override
  void process(Request request, SocketAddress clientAddress) {
    HandlerThreads.newThread(nextThreadName(), false, () -> runChild(request, clientAddress))
        .start();
    inFlight.handOff(request);
  }

  /** CPython's child branch of {@code process_request}. */
  private void runChild(Request request, SocketAddress clientAddress) {
    try {
      server.finishRequest(request, clientAddress);
    } catch (Exception | AssertionError | StackOverflowError e) {
      server.handleError(request, clientAddress, e);
    } catch (Error e) {
      // CPython's child ends with os._exit(1): its SystemExit never reaches the parent.
      LOG.debug("request from {} ended with {}", PythonReprs.address(clientAddress), e.toString());
    } finally {
      try {
        server.shutdownRequest(request);
      } finally {
        inFlight.end(request);
      }
    }
  }

  @Override
  Optional<Duration> timeout() {
    return Optional.of(TIMEOUT);
  }

  /** CPython's {@code ForkingMixIn.service_actions}: reap, and wait at {@code maxChildren()}. */
  @Override
  void serviceActions() {
    mixin.collectChildren(false);
  }

  /** CPython's {@code ForkingMixIn.handle_timeout}. */
  @Override
  void handleTimeout() {
    mixin.collectChildren(false);
  }

  /** CPython's {@code ForkingMixIn.server_close} (bpo-31151). */
  @Override
  void serverClose() {
    mixin.collectChildren(mixin.blockOnClose());
  }

  @Override
  boolean concurrent() {
    return true;
  }
}
