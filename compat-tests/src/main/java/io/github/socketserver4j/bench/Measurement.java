package io.github.socketserver4j.bench;

import java.util.Arrays;

/**
 * What the load client saw in one run: requests completed in the measured window, their latencies,
 * and failures.
 */
final class Measurement {
  long completed;

  /** Length of the measured window (for IDLE: the whole run), in nanoseconds. */
  long windowNanos;

  /** Connection failures, resets, wrong echoes, and requests never answered. */
  long errors;

  /** Datagrams with no reply within the client's timeout (counted in {@link #errors} too). */
  long lost;

  /** Time to open (and for RR, first use) every connection before the warm-up, in nanoseconds. */
  long setupNanos;

  /** Client process CPU time over the window, in microseconds. */
  long clientCpuMicros;

  String failure;

  private long[] latencies = new long[1 << 14];
  private int count;
  private boolean sorted;

  void latency(long nanos) {
    if (count == latencies.length) {
      latencies = Arrays.copyOf(latencies, count * 2);
    }
    latencies[count++] = nanos;
    sorted = false;
  }

  /** The latency at {@code q} (0..1) in nanoseconds, or -1 with no samples. */
  long percentile(double q) {
    if (count == 0) {
      return -1;
    }
    if (!sorted) {
      Arrays.sort(latencies, 0, count);
      sorted = true;
    }
    int i = (int) Math.ceil(q * count) - 1;
    return latencies[Math.max(0, Math.min(count - 1, i))];
  }

  double perSecond() {
    return windowNanos <= 0 ? 0 : completed * 1e9 / windowNanos;
  }
}
