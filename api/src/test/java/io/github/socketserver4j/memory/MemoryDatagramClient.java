package io.github.socketserver4j.memory;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A datagram client of the in-memory network, made by {@link MemoryNetwork#datagramClient()}. */
public final class MemoryDatagramClient implements AutoCloseable {
  private final SocketAddress address;
  private final LinkedBlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();

  MemoryDatagramClient(SocketAddress address) {
    this.address = address;
  }

  public SocketAddress address() {
    return address;
  }

  /** Sends one datagram; returns whether a server queued it (UDP would not say). */
  public boolean send(SocketAddress server, String text) {
    return MemoryNetwork.deliver(text.getBytes(StandardCharsets.US_ASCII), address, server);
  }

  /** The next reply, or null if none came within {@code bound}. */
  public String receive(Duration bound) throws InterruptedException {
    byte[] data = replies.poll(bound.toMillis(), TimeUnit.MILLISECONDS);
    return data == null ? null : new String(data, StandardCharsets.US_ASCII);
  }

  void received(byte[] data) {
    replies.add(data);
  }

  @Override
  public void close() {
    MemoryNetwork.forget(this);
  }
}
