package io.github.socketserver4j;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.SocketException;

/**
 * A handler for datagram servers with file-like {@link #rfile()} and {@link #wfile()}: CPython's
 * {@code socketserver.DatagramRequestHandler}.
 *
 * <pre>{@code
 * class Echo extends DatagramRequestHandler {
 *   @Override public void handle() throws IOException {
 *     wfile().write(rfile().readAllBytes());
 *   }
 * }
 * }</pre>
 *
 * <p>{@code rfile} reads the datagram (Python's {@code BytesIO(packet)}); {@code wfile} collects
 * the reply (an empty {@code BytesIO()}). {@link #finish()} always sends what was written to the
 * client as one datagram, exactly as CPython does:
 *
 * <ul>
 *   <li>if nothing was written, the client receives a 0-byte datagram;
 *   <li>if {@code handle} wrote and then threw, the partial reply is sent before the server's
 *       {@code handleError} runs;
 *   <li>a client without an address (an unbound Unix datagram socket) cannot be answered: {@code
 *       finish} throws, and the server passes that to {@code handleError}.
 * </ul>
 */
public class DatagramRequestHandler extends BaseRequestHandler {
  private byte[] packet;
  private DatagramSocketView socket;
  private LineInputStream rfile;
  private ByteArrayOutputStream wfile;

  /** Creates a handler that has not run yet. */
  public DatagramRequestHandler() {}

  /**
   * Unpacks the request and makes the streams, CPython's {@code DatagramRequestHandler.setup()}.
   * Extend it by calling {@code super.setup()} first.
   *
   * @throws IllegalStateException if the request is not a datagram
   */
  @Override
  public void setup() throws Exception {
    if (!(request() instanceof DatagramRequest)) {
      throw new IllegalStateException(
          "DatagramRequestHandler needs a datagram server; got a " + request().getClass().getName());
    }
    DatagramRequest datagram = (DatagramRequest) request();
    packet = datagram.packetNoCopy();
    socket = datagram.socket();
    rfile = LineInputStream.over(packet); // DatagramRequest's own copy, never handed out
    wfile = new ByteArrayOutputStream();
  }

  /**
   * Sends everything written to {@code wfile} to the client as one datagram, even if that is
   * nothing, CPython's {@code DatagramRequestHandler.finish()}.
   *
   * @throws SocketException if the client has no address to reply to
   * @throws java.io.IOException if sending fails (for example, the datagram is too large)
   */
  @Override
  public void finish() throws Exception {
    if (clientAddress() == null) {
      throw new SocketException(
          "cannot reply: the client's Unix datagram socket is not bound, so it has no address"
              + " (CPython raises TypeError here)");
    }
    socket.sendTo(wfile.toByteArray(), clientAddress());
  }

  /**
   * Returns the datagram's bytes, CPython's {@code self.packet}.
   *
   * @return a copy of the bytes
   */
  public final byte[] packet() {
    return checkSetUp(packet).clone();
  }

  /**
   * Returns the server socket, CPython's {@code self.socket} on this handler.
   *
   * @return the socket
   */
  public final DatagramSocketView socket() {
    return checkSetUp(socket);
  }

  /**
   * Returns a stream over the datagram, CPython's {@code self.rfile}.
   *
   * @return the stream
   */
  public final LineInputStream rfile() {
    return checkSetUp(rfile);
  }

  /**
   * Returns the reply buffer, CPython's {@code self.wfile}; sent by {@link #finish()}.
   *
   * @return the stream
   */
  public final OutputStream wfile() {
    return checkSetUp(wfile);
  }

  private static <T> T checkSetUp(T value) {
    if (value == null) {
      throw new IllegalStateException("DatagramRequestHandler.setup() has not run yet");
    }
    return value;
  }
}
