package io.github.socketserver4j.memory;

import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.SocketType;
import io.github.socketserver4j.spi.ReceivedDatagram;
import io.github.socketserver4j.spi.SocketImpl;
import io.github.socketserver4j.spi.SocketSpec;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A server socket in memory, with the pull model of the SPI: connections (or datagrams) queue
 * here, as in a kernel's backlog or receive buffer, until the server takes exactly one per {@link
 * #accept()} or {@link #receive}.
 */
public final class MemorySocket implements SocketImpl {
  private final SocketSpec spec;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Object> queued = new ArrayDeque<>();
  private final Map<SocketOption<?>, Object> options = new LinkedHashMap<>();
  private boolean closed;
  private boolean stopped;
  private boolean wakeupPending;
  private volatile SocketAddress bound;
  private volatile Duration timeout;
  /** How many times the server called {@link #stopAccepting()}. */
  final AtomicInteger stopAcceptingCalls = new AtomicInteger();

  MemorySocket(SocketSpec spec) {
    this.spec = spec;
  }

  /** What the server asked for when it opened this socket. */
  public SocketSpec spec() {
    return spec;
  }

  /** How many times the server called {@link #stopAccepting()}. */
  public int stopAcceptingCalls() {
    return stopAcceptingCalls.get();
  }

  /** The options set with {@link #setOption}, in order. */
  public Map<SocketOption<?>, Object> options() {
    return options;
  }

  @Override
  public void bind(SocketAddress address, boolean reuseAddress, boolean reusePort, int backlog)
      throws IOException {
    if (!isOpen()) {
      throw new SocketException("Socket is closed");
    }
    if (bound != null) {
      throw new SocketException("Socket is already bound");
    }
    bound = MemoryNetwork.bind(this, address);
  }

  @Override
  public void listen(int backlog) throws IOException {
    if (bound == null) {
      throw new SocketException("Socket is not bound");
    }
  }

  @Override
  public boolean poll(Duration timeout) throws InterruptedException {
    long nanos = timeout.compareTo(Duration.ofDays(365)) > 0 ? Long.MAX_VALUE : timeout.toNanos();
    long deadline = System.nanoTime() + nanos;
    lock.lock();
    try {
      while (true) {
        if (!queued.isEmpty() && !closed && !stopped) {
          return true;
        }
        if (wakeupPending) {
          wakeupPending = false;
          return false;
        }
        if (nanos == Long.MAX_VALUE) {
          changed.await();
        } else {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          changed.awaitNanos(left);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void wakeup() {
    lock.lock();
    try {
      wakeupPending = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ClientRequest accept() throws IOException {
    if (spec.type() != SocketType.SOCK_STREAM) {
      throw new SocketException("Operation not supported: accept() on a datagram socket");
    }
    return (ClientRequest) take();
  }

  @Override
  public ReceivedDatagram receive(int maxPacketSize) throws IOException {
    if (spec.type() != SocketType.SOCK_DGRAM) {
      throw new SocketException("Operation not supported: receive() on a stream socket");
    }
    ReceivedDatagram d = (ReceivedDatagram) take();
    byte[] data = d.data();
    return new ReceivedDatagram(
        data.length > maxPacketSize ? Arrays.copyOf(data, maxPacketSize) : data, d.sender());
  }

  private Object take() throws IOException {
    lock.lock();
    try {
      while (queued.isEmpty() || stopped || closed) {
        if (closed || stopped) {
          throw new SocketException(closed ? "Socket is closed" : "Socket accepts no more");
        }
        try {
          changed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for a request");
        }
      }
      return queued.poll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void sendTo(byte[] data, SocketAddress address) throws IOException {
    if (spec.type() != SocketType.SOCK_DGRAM) {
      throw new SocketException("Operation not supported: sendTo() on a stream socket");
    }
    if (!isOpen()) {
      throw new SocketException("Socket is closed: cannot send to " + address);
    }
    MemoryNetwork.deliverReply(data.clone(), bound, address);
  }

  /** A client connected or sent: queued until the server takes it; refused once not accepting. */
  boolean offer(Object item) {
    lock.lock();
    try {
      if (closed || stopped) {
        return false;
      }
      queued.add(item);
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public <T> void setOption(SocketOption<T> option, T value) {
    if (bound != null) {
      throw new IllegalStateException("set socket options before the socket is bound");
    }
    if (value == null) {
      throw new IllegalArgumentException("invalid value for socket option " + option + ": null");
    }
    options.put(option, value);
  }

  @Override
  public Optional<SocketAddress> localAddress() {
    return Optional.ofNullable(bound);
  }

  @Override
  public int fileno() {
    return -1;
  }

  @Override
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  @Override
  public void setTimeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("Timeout value out of range: " + timeout);
    }
    this.timeout = timeout;
  }

  @Override
  public boolean isOpen() {
    lock.lock();
    try {
      return !closed;
    } finally {
      lock.unlock();
    }
  }

  /** Whether {@link #stopAccepting()} ran. */
  public boolean isAccepting() {
    lock.lock();
    try {
      return !closed && !stopped;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String transportName() {
    return "memory";
  }

  /**
   * The SPI's first drain step: a stream socket closes (the queued connections are aborted); a
   * datagram socket drops what is queued, takes nothing more, and stays open for replies.
   */
  @Override
  public void stopAccepting() {
    stopAcceptingCalls.incrementAndGet();
    if (spec.type() == SocketType.SOCK_STREAM) {
      close();
      return;
    }
    lock.lock();
    try {
      stopped = true;
      queued.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    List<Object> unclaimed;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      unclaimed = new ArrayList<>(queued);
      queued.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (Object item : unclaimed) {
      if (item instanceof ClientRequest) {
        ((MemoryConnection) ((ClientRequest) item).request()).abort();
      }
    }
    MemoryNetwork.unbind(this, bound);
  }

  @Override
  public String toString() {
    return "MemorySocket[" + spec.type() + " " + bound + "]";
  }
}
