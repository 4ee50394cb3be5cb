package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.TestRules;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Futures#await}, the one wait for Netty futures. Woken, never polled (issue 10, item 7:
 * it used to look at the future every 50 ms, so each idle EventLoopRequestHandler connection cost
 * 20 wake-ups a second), and woken also when Netty drops the listener's notification.
 *
 * <p>The dropped notification: a request thread of a ThreadingUDPServer sends its reply, the write
 * completes, the server is closed and its event loop terminates, and only then does the thread
 * wait for the write. Netty runs a listener added to a done future on the future's event loop,
 * and drops it when that loop has terminated, so a wait built on the listener alone never ended:
 * the request thread hung, and {@code serverClose()}, which joins request threads, hung with it
 * (seen as a 120 s timeout of {@code SocketTypesTest#threadingUdpServer} under load).
 */
class AwaitTest {

  private static Throwable awaitBounded(DefaultChannelPromise promise) throws Exception {
    CompletableFuture<Throwable> result = new CompletableFuture<>();
    Thread t = new Thread(() -> result.complete(Futures.await(promise)), "await-test");
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

  /** A channel registered on {@code loop}, so its promises' executor is that loop. */
  private static Channel registered(EventLoop loop) throws InterruptedException {
    Channel channel = new NioServerSocketChannel();
    loop.register(channel).sync();
    return channel;
  }

  private static Thread startWaiter(
      String name, ChannelFuture future, CompletableFuture<Throwable> result) {
    Thread t = new Thread(() -> result.complete(Futures.await(future)), name);
    t.setDaemon(true);
    t.start();
    TestRules.awaitTrue(
        () -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING,
        name + " parked in await");
    return t;
  }

  @Test
  @DisplayName("a waiter whose notification Netty drops (completed after its loop ended) still returns")
  void notificationDroppedByTerminatedLoop() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    Channel channel = registered(group.next());
    ChannelPromise promise = channel.newPromise();
    CompletableFuture<Throwable> result = new CompletableFuture<>();
    Thread waiter = startWaiter("await-test", promise, result);
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    assertFalse(result.isDone(), "returned before its future completed");
    // Not on the loop, which has ended: Netty cannot run the listener ("Failed to submit a
    // listener notification task") and the waiter must be woken some other way.
    promise.setSuccess();
    assertNull(result.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    waiter.join(TestRules.waitBound().toMillis());
  }

  @Test
  @DisplayName("a waiter on a future that stays pending is not woken: it parks, it does not poll")
  void idleWaiterIsNotWoken() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel channel = registered(group.next());
      ChannelPromise promise = channel.newPromise();
      CompletableFuture<Throwable> result = new CompletableFuture<>();
      startWaiter("await-idle-test", promise, result); // 15 characters: Linux's whole comm
      Path task = taskOf("await-idle-test");
      long before = voluntarySwitches(task);
      // The sleep is the behaviour under test: one idle second, in which a polling wait (every
      // 50 ms) woke 20 times.
      Thread.sleep(1000);
      long woken = voluntarySwitches(task) - before;
      assertTrue(woken <= 2, "the idle waiter woke " + woken + " times in 1 s");
      group.next().execute(promise::setSuccess);
      assertNull(result.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      channel.close().sync();
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }
  }

  /** The /proc directory of this process's thread whose name is {@code comm}. */
  private static Path taskOf(String comm) throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          if (Files.readString(task.resolve("comm")).trim().equals(comm)) {
            return task;
          }
        } catch (IOException ended) {
          // a thread that ended meanwhile
        }
      }
    }
    throw new AssertionError("no thread named " + comm);
  }

  private static long voluntarySwitches(Path task) throws IOException {
    for (String line : Files.readAllLines(task.resolve("status"))) {
      if (line.startsWith("voluntary_ctxt_switches:")) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    throw new AssertionError("no voluntary_ctxt_switches in " + task);
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
      Thread t = new Thread(() -> result.complete(Futures.await(promise)), "await-test");
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
