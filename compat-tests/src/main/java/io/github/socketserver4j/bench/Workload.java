package io.github.socketserver4j.bench;

/**
 * One load pattern of the list.
 *
 * <ul>
 *   <li>{@code RR}: {@code connections} persistent connections, each a 64-byte line ping-pong (the
 *       next line is sent when the echo is back);
 *   <li>{@code CONNECT}: a new connection per request, {@code connections} at a time;
 *   <li>{@code DATAGRAM}: {@code connections} sockets, each a 64-byte datagram ping-pong;
 *   <li>{@code IDLE}: open {@code connections} connections, hold them, then send one line on each.
 * </ul>
 *
 * @param name the name in the table, such as {@code rr-32}
 * @param pattern the load pattern
 * @param transport {@code tcp}, {@code udp}, {@code unix} or {@code unix-datagram}
 * @param connections how many connections (or sockets, or concurrent connects)
 */
record Workload(String name, Pattern pattern, String transport, int connections) {
  enum Pattern {
    RR,
    CONNECT,
    DATAGRAM,
    IDLE
  }

  /** The line or datagram size, newline included. */
  static final int MESSAGE = 64;

  boolean unix() {
    return transport.startsWith("unix");
  }

  boolean datagram() {
    return pattern == Pattern.DATAGRAM;
  }
}
