package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.socketserver4j.DatagramRequestHandler;
import io.github.socketserver4j.ServerInternals;
import io.github.socketserver4j.UDPServer;
import io.github.socketserver4j.testing.DatagramIo;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.channel.Channel;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 2: a datagram reply can reach an unrelated socket. Netty closes a channel's
 * descriptor on its event loop whenever it decides to (here: {@code Channel.close()}, as a
 * group's shutdown or an error would), and the next socket the process opens takes the freed
 * number. A reply sent below Netty at that moment must still leave through the server's own
 * socket, or fail; it must never leave through the new socket.
 *
 * <p>Each trial: three threads send 60,000-byte replies as fast as they can (the copy into the
 * send buffer widens the window between any check and the {@code sendto}); a grabber thread fills
 * every free descriptor number below the server's, then opens and closes UDP sockets in a tight
 * loop so that it takes the server's number within microseconds of its release; the test closes
 * the channel. Then no grabbed socket may have sent anything (an unbound UDP socket gets a port
 * when something is sent through it), and every datagram the peer received must come from the
 * server's address. Before the fix (the path sent on Netty's own number after checking it was
 * open), 49 of 150 trials sent through the grabbed socket.
 */
class DatagramDescriptorReuseTest {
  private static final int TRIALS = Integer.getInteger("socketserver4j.reuse.trials", 150);
  private static final int SENDERS = 3;
  private static final byte[] PAYLOAD = new byte[60_000];

  @Test
  @DisplayName("replies sent while Netty closes the channel never leave through a socket that took its descriptor number")
  void repliesNeverLeaveThroughReusedDescriptor() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "the path below Netty needs epoll");
    int grabbedTotal = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      Trial t = new Trial();
      t.run();
      assertTrue(t.foreign.isEmpty(), "trial " + trial + ": " + t.foreign);
      grabbedTotal += t.grabbedNumber ? 1 : 0;
    }
    // The window is only tested if the grabber took the freed number in most trials.
    assertTrue(grabbedTotal >= TRIALS / 2, "the freed number was taken in " + grabbedTotal);
  }

  private static final class Trial {
    final List<String> foreign = new CopyOnWriteArrayList<>();
    boolean grabbedNumber;

    void run() throws Exception {
      try (DatagramChannel peer = DatagramChannel.open()) {
        peer.bind(new InetSocketAddress("127.0.0.1", 0));
        peer.configureBlocking(false);
        UDPServer server = directOnEpoll();
        try (Serving serving = Serving.start(server)) {
          var impl = (NettyDatagramSocket) ServerInternals.impl(server);
          Channel channel = impl.channel;
          int number = impl.fileno();
          SocketAddress serverAddress = server.serverAddress();
          SocketAddress to = peer.getLocalAddress();
          AtomicBoolean stop = new AtomicBoolean();
          AtomicInteger sent = new AtomicInteger();
          List<Thread> threads = new ArrayList<>();
          for (int i = 0; i < SENDERS; i++) {
            threads.add(start("sender-" + i, () -> send(impl, to, stop, sent)));
          }
          Grabber grabber = new Grabber(number);
          threads.add(start("grabber", grabber));
          assertTrue(grabber.filled.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
          TestRules.awaitTrue(() -> sent.get() >= SENDERS, "the senders sent");
          channel.close();
          assertTrue(channel.closeFuture().await(TestRules.waitBound().toMillis()));
          grabber.closed = true;
          assertTrue(grabber.done.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
          stop.set(true);
          for (Thread thread : threads) {
            thread.join(TestRules.waitBound().toMillis());
          }
          grabbedNumber = grabber.grabbedNumber;
          for (Socket s : grabber.held) {
            InetSocketAddress local = s.localAddress();
            if (local != null && local.getPort() != 0) {
              foreign.add("descriptor " + s.intValue() + " sent from " + local);
            }
            s.close();
          }
          ByteBuffer buf = ByteBuffer.allocate(65536);
          for (SocketAddress from; (from = peer.receive(buf)) != null; buf.clear()) {
            if (!from.equals(serverAddress)) {
              foreign.add("the peer received a datagram from " + from);
            }
          }
        }
      }
    }
  }

  /** Sends replies through the server's socket until stopped; failures after the close are fine. */
  private static void send(
      NettyDatagramSocket impl, SocketAddress to, AtomicBoolean stop, AtomicInteger sent) {
    while (!stop.get()) {
      try {
        impl.sendTo(PAYLOAD, to);
        sent.incrementAndGet();
      } catch (IOException e) {
        // The channel is closed: Netty's path fails the send. That is the point of it.
      }
    }
  }

  /**
   * Fills the free descriptor numbers below {@code number}, then opens and closes UDP sockets
   * until one gets {@code number}, and keeps it (at most for the wait bound).
   */
  private static final class Grabber implements Runnable {
    final int number;
    final List<Socket> held = new ArrayList<>();
    final CountDownLatch filled = new CountDownLatch(1);
    final CountDownLatch done = new CountDownLatch(1);
    volatile boolean grabbedNumber;
    /** Set once the channel has closed: a higher number then means another thread took it. */
    volatile boolean closed;

    Grabber(int number) {
      this.number = number;
    }

    @Override
    public void run() {
      try {
        while (true) {
          Socket s = Socket.newSocketDgram();
          if (s.intValue() < number) {
            held.add(s);
          } else {
            s.close();
            break;
          }
        }
        filled.countDown();
        long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
        while (System.nanoTime() < deadline) {
          boolean freed = closed; // read before the socket is made: the number was free then
          Socket s = Socket.newSocketDgram();
          if (s.intValue() == number) {
            held.add(s);
            grabbedNumber = true;
            return;
          }
          if (s.intValue() < number) {
            held.add(s); // a number freed meanwhile by someone else
          } else {
            s.close();
            if (freed) {
              return; // the number was free, and another thread of the JVM took it first
            }
          }
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      } finally {
        filled.countDown();
        done.countDown();
      }
    }
  }

  /** A UDP server on epoll with datagram I/O below Netty, whatever the suite's setting. */
  private static UDPServer directOnEpoll() throws Exception {
    return DatagramIo.with(
        "direct",
        () ->
            Transports.with(
                "epoll",
                () ->
                    new UDPServer(
                        new InetSocketAddress("127.0.0.1", 0), DatagramRequestHandler::new)));
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  @DisplayName("the path below Netty works on a descriptor of its own, which it closes when the channel closes")
  void ownDescriptorClosedWithChannel() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "the path below Netty needs epoll");
    UDPServer server = directOnEpoll();
    try (Serving serving = Serving.start(server)) {
      var impl = (NettyDatagramSocket) ServerInternals.impl(server);
      DatagramDirectPath path = impl.directPath();
      assertTrue(impl.usesDirectPath());
      assertTrue(path.descriptor() != impl.fileno(), path.descriptor() + " " + impl.fileno());
      impl.channel.close().await(TestRules.waitBound().toMillis());
      TestRules.awaitTrue(path::isClosed, "the path closed with the channel");
      assertEquals(false, impl.usesDirectPath());
    }
  }
}
