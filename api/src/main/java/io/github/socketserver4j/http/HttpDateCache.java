package io.github.socketserver4j.http;

/**
 * The {@code Date} header of the current second, formatted once per second: every response sends
 * one, and formatting it is most of what {@code date_time_string()} costs.
 */
final class HttpDateCache {
  private static volatile Entry current = new Entry(Long.MIN_VALUE, "");

  private HttpDateCache() {}

  private record Entry(long second, String text) {}

  static String now() {
    long second = Math.floorDiv(System.currentTimeMillis(), 1000L);
    Entry e = current;
    if (e.second() != second) {
      e = new Entry(second, EmailDates.formatdate(second));
      current = e;
    }
    return e.text();
  }
}
