package io.github.socketserver4j;

import java.io.IOException;

/**
 * Thrown by {@link LineInputStream#readLine(int)} when a line is longer than the connection may
 * hold: longer than a maximum the server set (for the Netty transport, {@code
 * NettyOptions.Builder.maxLineLength}), than the memory the transport lets lines in progress use,
 * or than the largest Java array. CPython has no such limit: its {@code readline()} grows the
 * line until it raises {@code MemoryError}, which {@code handle_error} reports in the same way as
 * this exception.
 *
 * <p>Nothing is consumed: the bytes read so far stay in the connection's receive buffer. A handler
 * that wants {@code http.server}'s behaviour (answer 414 for a request line over 65,536 bytes)
 * reads with {@code readLine(65537)} and checks the length, as {@code http.server} does; that call
 * never throws this exception for a limit within the maximum.
 */
public class LineTooLongException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The bytes read without finding the end of the line. */
  private final long length;

  /**
   * Creates the exception.
   *
   * @param message what limit the line exceeded
   * @param length the bytes read without finding the end of the line
   */
  public LineTooLongException(String message, long length) {
    super(message);
    this.length = length;
  }

  /**
   * Returns how many bytes had been read without finding the end of the line.
   *
   * @return the bytes of the unfinished line
   */
  public long length() {
    return length;
  }
}
