package io.github.socketserver4j.parity;

/** Porter mode: a user's Python server and Java main class against the same client steps. */
final class PorterMode {
  private PorterMode() {}

  static void main(String[] args) {
    throw new UnsupportedOperationException("porter mode is not implemented yet");
  }
}
