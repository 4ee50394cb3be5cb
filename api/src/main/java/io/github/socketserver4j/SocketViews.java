package io.github.socketserver4j;

import io.github.socketserver4j.spi.SocketImpl;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The views user code gets of a server's {@link SocketImpl}: they pass on only the calls of {@link
 * SocketView} and {@link DatagramSocketView}, so a handler never holds the SPI object and cannot
 * poll, accept or close through it.
 */
final class SocketViews {
  private SocketViews() {}

  /** The view of {@code impl}: a {@link DatagramSocketView} for datagram sockets. */
  static SocketView of(SocketImpl impl, SocketType type) {
    return type == SocketType.SOCK_DGRAM ? new Datagram(impl) : new Stream(impl);
  }

  private static class Stream implements SocketView {
    final SocketImpl impl;

    Stream(SocketImpl impl) {
      this.impl = Objects.requireNonNull(impl, "impl");
    }

    @Override
    public Optional<SocketAddress> localAddress() {
      return impl.localAddress();
    }

    @Override
    public int fileno() {
      return impl.fileno();
    }

    @Override
    public Optional<Duration> timeout() {
      return impl.timeout();
    }

    @Override
    public void setTimeout(Duration timeout) {
      impl.setTimeout(Objects.requireNonNull(timeout, "timeout"));
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) {
      impl.setOption(option, value);
    }

    @Override
    public boolean isOpen() {
      return impl.isOpen();
    }

    @Override
    public String transportName() {
      return impl.transportName();
    }

    @Override
    public String toString() {
      return "socket " + impl.localAddress().map(PythonReprs::address).orElse("(unbound)");
    }
  }

  private static final class Datagram extends Stream implements DatagramSocketView {
    Datagram(SocketImpl impl) {
      super(impl);
    }

    @Override
    public void sendTo(byte[] data, SocketAddress address) throws IOException {
      impl.sendTo(Objects.requireNonNull(data, "data"), Objects.requireNonNull(address, "address"));
    }
  }
}
