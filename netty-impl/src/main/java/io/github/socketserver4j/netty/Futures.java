package io.github.socketserver4j.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.concurrent.locks.LockSupport;

/**
 * The one way this transport waits for a Netty future, from a thread that is not an event loop
 * (the serving thread, a request thread): woken when the future completes, never polled, and
 * without Netty's own {@code sync()}/{@code await()}, whose monitor pins a virtual thread on JDK
 * 21 to 23.
 */
final class Futures {
  private Futures() {}

  /**
   * Waits until {@code future} is done and returns its cause, or null on success. Not
   * interruptible: an interrupt is kept in the thread's status, not acted on.
   *
   * <p>A listener wakes the waiter. Netty runs listeners on the future's event loop, and drops the
   * notification when that loop no longer takes tasks: a listener added to a future that completed
   * just before its loop shut down (a request thread's reply racing {@code serverClose()}) never
   * runs. So the waiter also listens to the loop's termination, whose listeners run on Netty's
   * global executor, which never ends. Once the loop has terminated, a future still pending can
   * only be completed by another thread, and a completing thread wakes the future's monitor waiters
   * itself, without the loop: the waiter then waits on that monitor (this rare path pins a virtual
   * thread on JDK 21 to 23, for as long as that completion takes).
   *
   * @param future a future of a channel; must not be waited for on its own event loop
   * @return the failure, or null
   */
  static Throwable await(ChannelFuture future) {
    if (future.isDone()) {
      return future.cause();
    }
    Thread waiter = Thread.currentThread();
    GenericFutureListener<Future<Object>> wake = f -> LockSupport.unpark(waiter);
    future.addListener(wake);
    Future<?> loopEnded = null;
    boolean watching = false;
    boolean interrupted = false;
    try {
      while (!future.isDone()) {
        if (!watching && future.channel().isRegistered()) {
          watching = true;
          loopEnded = terminationOf(future.channel());
          if (loopEnded != null) {
            loopEnded.addListener(wake);
          }
        }
        if (loopEnded != null && loopEnded.isDone()) {
          future.awaitUninterruptibly(); // see above: the completing thread notifies the monitor
          break;
        }
        LockSupport.park(future);
        interrupted |= Thread.interrupted();
      }
    } finally {
      future.removeListener(wake);
      if (loopEnded != null) {
        loopEnded.removeListener(wake);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return future.cause();
  }

  /** The termination future of the channel's loop; null for a loop that never ends. */
  private static Future<?> terminationOf(Channel channel) {
    try {
      return channel.eventLoop().terminationFuture();
    } catch (UnsupportedOperationException e) {
      return null; // EmbeddedEventLoop: it runs on the caller's thread and has no termination
    }
  }
}
