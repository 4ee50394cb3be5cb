package io.github.socketserver4j;

import io.github.socketserver4j.spi.HandlerThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies bytes both ways between a request and a {@code java.net.Socket} until either side ends:
 * the Java form of the {@code select()} loop of a Python proxy (a SOCKS5 server, a port
 * forwarder), which Java's blocking sockets cannot write as one loop.
 *
 * <pre>
 * # Python                                       // Java
 * while True:                                    Relay.run(connection(), remote);
 *     r, w, e = select.select([client, remote], [], [])
 *     if client in r:
 *         data = client.recv(4096)
 *         if remote.send(data) &lt;= 0: break
 *     if remote in r:
 *         data = remote.recv(4096)
 *         if client.send(data) &lt;= 0: break
 * </pre>
 *
 * <p>One direction runs on the calling thread, the other on a thread of its own (virtual where
 * the JVM has them). When either side's read ends (Python's {@code recv} returning {@code b''}),
 * the relay stops the other direction, as the Python loop breaks: it shuts down the input of the
 * other read ({@link StreamRequest#shutdownInput()}, {@link Socket#shutdownInput()}), which ends
 * that read at once without closing anything. Closing stays with the caller: the handler closes
 * {@code remote}, the server closes the request. An {@code IOException} in either direction ends
 * the relay too and is thrown, after the other direction has stopped.
 *
 * <p>{@code select}'s timeout, {@code select([client, remote], [], [], t)}, becomes {@code
 * idleTimeout}: the relay also ends when no byte has moved either way for that long. A
 * socketserver4j addition; see docs/porting.md, "{@code select()}".
 */
public final class Relay {
  private static final int BUFFER = 64 * 1024;

  private Relay() {}

  /**
   * What a relay moved.
   *
   * @param toRemote bytes copied from the request to the remote socket
   * @param toClient bytes copied from the remote socket to the request
   * @param idle whether it ended because nothing moved for the idle timeout
   */
  public record Result(long toRemote, long toClient, boolean idle) {}

  /**
   * Relays until either side ends, without an idle timeout.
   *
   * @param client the request, usually the handler's {@code connection()}
   * @param remote a connected socket
   * @return the bytes moved each way
   * @throws IOException the first read or write failure of either direction
   * @throws InterruptedException if the calling thread is interrupted while it waits for the
   *     other direction to stop
   */
  public static Result run(StreamRequest client, Socket remote)
      throws IOException, InterruptedException {
    return run(client, remote, Optional.empty());
  }

  /**
   * Relays until either side ends or nothing has moved for {@code idleTimeout}.
   *
   * @param client the request
   * @param remote a connected socket
   * @param idleTimeout {@code select}'s timeout, or empty for none
   * @return the bytes moved each way, and whether the idle timeout ended it
   * @throws IOException the first read or write failure of either direction
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  public static Result run(StreamRequest client, Socket remote, Optional<Duration> idleTimeout)
      throws IOException, InterruptedException {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    AtomicLong lastMove = new AtomicLong(System.nanoTime());
    AtomicReference<IOException> failure = new AtomicReference<>();
    boolean[] idle = new boolean[2];
    long[] moved = new long[2];
    Optional<Duration> clientTimeout = client.timeout();
    int remoteTimeout = remote.getSoTimeout();
    idleTimeout.ifPresent(t -> {
      client.setTimeout(t);
      try {
        remote.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, t.toMillis())));
      } catch (IOException e) {
        failure.compareAndSet(null, e);
      }
    });
    InputStream fromClient = client.openInputStream();
    InputStream fromRemote = remote.getInputStream();
    OutputStream toRemote = remote.getOutputStream();
    OutputStream toClient = client.openOutputStream();
    Thread up = HandlerThreads.newThread("relay to " + remote.getRemoteSocketAddress(), true, () -> {
      moved[0] = copy(fromClient, toRemote, lastMove, idleTimeout, failure, idle, 0);
      stop(remote::shutdownInput);
    });
    up.start();
    try {
      moved[1] = copy(fromRemote, toClient, lastMove, idleTimeout, failure, idle, 1);
    } finally {
      stop(client::shutdownInput);
      up.join();
      if (idleTimeout.isPresent()) {
        clientTimeout.ifPresentOrElse(client::setTimeout, client::clearTimeout);
        stop(() -> remote.setSoTimeout(remoteTimeout));
      }
    }
    IOException e = failure.get();
    if (e != null) {
      throw e;
    }
    return new Result(moved[0], moved[1], idle[0] || idle[1]);
  }

  @FunctionalInterface
  private interface Step {
    void run() throws IOException;
  }

  /** Ends the other direction's read; it may have ended already (then this may fail, harmlessly). */
  private static void stop(Step step) {
    try {
      step.run();
    } catch (IOException | RuntimeException e) {
      // Already closed or shut down: the other direction has stopped.
    }
  }

  private static long copy(InputStream in, OutputStream out, AtomicLong lastMove,
      Optional<Duration> idleTimeout, AtomicReference<IOException> failure, boolean[] idle,
      int which) {
    byte[] buffer = new byte[BUFFER];
    long total = 0;
    while (failure.get() == null) {
      int n;
      try {
        n = in.read(buffer);
      } catch (SocketTimeoutException e) {
        long quiet = System.nanoTime() - lastMove.get();
        if (quiet >= idleTimeout.orElseThrow().toNanos()) {
          idle[which] = true;
          return total;
        }
        continue; // the other direction moved meanwhile
      } catch (IOException e) {
        if (failure.get() == null && !stopped(e)) {
          failure.compareAndSet(null, e);
        }
        return total;
      }
      if (n < 0) {
        return total; // recv returned b'': the Python loop breaks
      }
      try {
        out.write(buffer, 0, n);
      } catch (IOException e) {
        failure.compareAndSet(null, e);
        return total;
      }
      total += n;
      lastMove.set(System.nanoTime());
    }
    return total;
  }

  /** A read ended by the other direction's stop, not a failure of the connection. */
  private static boolean stopped(IOException e) {
    return String.valueOf(e.getMessage()).contains("Socket input is shutdown");
  }
}
