package io.github.socketserver4j.bench;

import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.DatagramRequest;
import io.github.socketserver4j.UDPServer;
import io.github.socketserver4j.spi.SocketImpl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The datagram request path of a UDPServer with the benchmark's echo handler ({@code
 * wfile.write(rfile.read())}), 64-byte datagrams.
 *
 * <ul>
 *   <li>{@code handler}: the API layer alone, {@code finishRequest} on a received {@link
 *       DatagramRequest} with a socket whose {@code sendTo} only consumes the reply: the copies and
 *       objects of setup, handle and finish.
 *   <li>{@code roundTrip}: the whole path over loopback UDP, on this thread: a client sends, {@code
 *       handleRequest()} polls, receives, runs the handler and sends the reply through Netty, and
 *       the client receives it.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class DatagramPathBenchmark {
  private final byte[] packet = new byte[64];
  private UDPServer server;
  private DatagramChannel client;
  private SocketAddress from;
  private final ByteBuffer reply = ByteBuffer.allocate(256);
  private ByteBuffer out;

  /** Consumes replies: the handler's {@code finish} sends here. */
  static final class SinkSocket implements SocketImpl {
    Blackhole blackhole;

    @Override
    public void sendTo(byte[] data, SocketAddress address) {
      blackhole.consume(data);
    }

    @Override
    public void bind(SocketAddress a, boolean r, boolean p, int b) {}

    @Override
    public void listen(int backlog) {}

    @Override
    public boolean poll(Duration timeout) {
      return false;
    }

    @Override
    public void wakeup() {}

    @Override
    public ClientRequest accept() throws IOException {
      throw new IOException("not a stream socket");
    }

    @Override
    public ClientRequest receive(int maxPacketSize) throws IOException {
      throw new IOException("not used");
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) {}

    @Override
    public Optional<SocketAddress> localAddress() {
      return Optional.empty();
    }

    @Override
    public int fileno() {
      return -1;
    }

    @Override
    public Optional<Duration> timeout() {
      return Optional.empty();
    }

    @Override
    public void setTimeout(Duration timeout) {}

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  private final SinkSocket sink = new SinkSocket();

  @Setup(Level.Trial)
  public void setUp(Blackhole blackhole) throws IOException {
    Arrays.fill(packet, (byte) 'd');
    sink.blackhole = blackhole;
    server =
        new UDPServer(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            EchoServers.DatagramEcho::new);
    client = DatagramChannel.open();
    client.connect(server.serverAddress());
    from = client.getLocalAddress();
    out = ByteBuffer.wrap(packet);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    client.close();
    server.serverClose();
  }

  /** setup, handle and finish of the echo handler on one received datagram. */
  @Benchmark
  public void handler() throws Exception {
    server.finishRequest(new DatagramRequest(packet, sink), from);
  }

  /** One datagram through a real UDPServer and back. */
  @Benchmark
  public int roundTrip() throws IOException {
    out.clear();
    client.write(out);
    server.handleRequest();
    reply.clear();
    return client.read(reply);
  }
}
