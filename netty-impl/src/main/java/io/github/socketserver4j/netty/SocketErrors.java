package io.github.socketserver4j.netty;

import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;

/**
 * What a failure of a connection's socket means and how users read it: the one place that looks
 * into the exceptions the transports raise.
 *
 * <p>Whether a failure came from the socket itself, and so ended the connection in both
 * directions, is decided from what each transport gives, never from message text: Netty's epoll
 * transport raises {@link Errors.NativeIoException} with the {@code errno} of the failed system
 * call ({@link Errors.NativeIoException#expectedErr()}); the JDK, under Netty's NIO transport,
 * raises {@link SocketException} when a read finds the connection reset ({@code ECONNRESET} or
 * {@code EPIPE}; other read failures are plain {@code IOException}s). Any other exception that
 * reaches the bridge comes from a handler in front of it (TLS, a decoder) and fails reading only.
 *
 * <p>Messages name the operation that failed, as users know it ({@code read} or {@code write}),
 * and the system error as CPython prints it ({@code [Errno 104] Connection reset by peer}) where
 * the transport knows the number; never Netty's internal wording ({@code recvAddress(..) failed
 * with error(-104)}).
 */
final class SocketErrors {
  /** The operations a failure is reported for. */
  static final String READ = "read";

  static final String WRITE = "write";

  private static final String EPOLL_WORDING = "(..) failed with error(";

  /**
   * The base class of Netty's pipeline timeouts ({@code ReadTimeoutException} of {@code
   * ReadTimeoutHandler}, {@code WriteTimeoutException}), or null: {@code netty-handler} is
   * optional.
   */
  private static final Class<?> PIPELINE_TIMEOUT = load("io.netty.handler.timeout.TimeoutException");

  private SocketErrors() {}

  /**
   * Whether {@code cause}, raised while reading, came from the socket, so the connection is gone
   * both ways (a reset, a keepalive timeout). False for failures of handlers in the pipeline.
   */
  static boolean endsConnection(Throwable cause) {
    return cause instanceof Errors.NativeIoException || cause instanceof SocketException;
  }

  /**
   * The exception users see for {@code operation} having failed with {@code cause}; its message
   * is "{@code read failed: [Errno 104] Connection reset by peer}", its cause the transport's.
   */
  static SocketException failed(String operation, Throwable cause) {
    Throwable root = root(cause);
    SocketException e = new SocketException(operation + " failed: " + describe(root));
    e.initCause(root);
    return e;
  }

  /**
   * The exception users see for a read that a handler in the pipeline failed with {@code cause}.
   * A pipeline timeout ({@code ReadTimeoutHandler}, which then closes the channel) is a {@link
   * SocketTimeoutException}, what the handler's own {@code timeout()} raises, as CPython's {@code
   * socket.timeout}: a handler that catches one catches both. Anything else is {@link
   * #failed(String, Throwable) failed(READ, cause)}.
   */
  static IOException readFailed(Throwable cause) {
    Throwable root = root(cause);
    if (PIPELINE_TIMEOUT != null && PIPELINE_TIMEOUT.isInstance(root)) {
      SocketTimeoutException e =
          new SocketTimeoutException(
              "timed out: the connection was closed by "
                  + root.getClass().getSimpleName().replaceFirst("Exception$", "Handler")
                  + " in the pipeline");
      e.initCause(root);
      return e;
    }
    return failed(READ, cause);
  }

  /** A copy of {@code failure} for a later call: same message and cause, this call's stack. */
  static SocketException again(SocketException failure) {
    SocketException e = new SocketException(failure.getMessage());
    e.initCause(failure.getCause());
    return e;
  }

  /** A copy of {@code failure} for a later call, of the same kind: see {@link #again}. */
  static IOException again(IOException failure) {
    if (failure instanceof SocketException) {
      return again((SocketException) failure);
    }
    IOException e =
        failure instanceof SocketTimeoutException
            ? new SocketTimeoutException(failure.getMessage())
            : new IOException(failure.getMessage());
    e.initCause(failure.getCause());
    return e;
  }

  /**
   * The failure behind {@code cause}: Netty fails the writes queued behind a failed one, and every
   * write after it, with a {@link ClosedChannelException} whose cause is the real failure.
   */
  static Throwable root(Throwable cause) {
    Throwable t = cause;
    while (t instanceof ClosedChannelException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static Class<?> load(String className) {
    try {
      return Class.forName(className, false, SocketErrors.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  private static String describe(Throwable root) {
    if (root instanceof Errors.NativeIoException) {
      int errno = -((Errors.NativeIoException) root).expectedErr();
      String message = String.valueOf(root.getMessage());
      int text = message.indexOf("): ");
      // Netty's message ends with strerror(errno): keep that, drop the call it names.
      return "[Errno " + errno + "] "
          + (message.contains(EPOLL_WORDING) && text >= 0 ? message.substring(text + 3) : message);
    }
    if (root instanceof ClosedChannelException) {
      return "the connection was closed";
    }
    if (root instanceof IOException && root.getMessage() != null) {
      return root.getMessage(); // the JDK's strerror text: "Broken pipe", "Connection reset"
    }
    return root.toString();
  }
}
