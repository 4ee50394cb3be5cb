package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.TestRules;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link OnDemandSocket#await}: a request thread of a ThreadingUDPServer sends its reply, the write
 * completes, the server is closed and its event loop terminates, and only then does the thread
 * wait for the write. Netty runs a listener added to a done future on the future's event loop,
 * and drops it when that loop has terminated, so a wait built on the listener alone never ended:
 * the request thread hung, and {@code serverClose()}, which joins request threads, hung with it
 * (seen as a 120 s timeout of {@code SocketTypesTest#threadingUdpServer} under load).
 */
class AwaitTest {

  private static Throwable awaitBounded(DefaultChannelPromise promise) throws Exception {
    CompletableFuture<Throwable> result = new CompletableFuture<>();
    Thread t = new Thread(() -> result.complete(OnDemandSocket.await(promise)), "await-test");
    t.setDaemon(true);
    t.start();
    return result.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
  }

  private static EventLoop terminated(EventLoopGroup group) throws InterruptedException {
    EventLoop loop = group.next();
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    assertTrue(loop.isTerminated());
    return loop;
  }

  @Test
  @DisplayName("a write that succeeded before its event loop terminated: await returns at once")
  void succeededOnTerminatedLoop() throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel();
    try {
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      EventLoop loop = group.next();
      DefaultChannelPromise promise = new DefaultChannelPromise(channel, loop);
      promise.setSuccess();
      terminated(group);
      assertNull(awaitBounded(promise));
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  @Test
  @DisplayName("a write that failed before its event loop terminated: await returns the failure")
  void failedOnTerminatedLoop() throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel();
    try {
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      EventLoop loop = group.next();
      DefaultChannelPromise promise = new DefaultChannelPromise(channel, loop);
      IOException failure = new IOException("sendto failed");
      promise.setFailure(failure);
      terminated(group);
      assertSame(failure, awaitBounded(promise));
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  @Test
  @DisplayName("a write still pending: await returns when the event loop completes it")
  void pendingCompletedByItsLoop() throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      EventLoop loop = group.next();
      DefaultChannelPromise promise = new DefaultChannelPromise(channel, loop);
      CompletableFuture<Throwable> result = new CompletableFuture<>();
      Thread t = new Thread(() -> result.complete(OnDemandSocket.await(promise)), "await-test");
      t.setDaemon(true);
      t.start();
      loop.execute(promise::setSuccess);
      assertNull(result.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
      channel.finishAndReleaseAll();
    }
  }
}
