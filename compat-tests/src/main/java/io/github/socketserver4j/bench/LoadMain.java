package io.github.socketserver4j.bench;

import io.github.socketserver4j.bench.Workload.Pattern;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The load client alone, against a server that is already running (for profiling one server):
 * {@code LoadMain PATTERN TRANSPORT CONNECTIONS ADDRESS [WARMUP_S MEASURE_S [PID]]}, for example
 * {@code LoadMain rr tcp 32 40000 2 20 12345}. With a PID, prints that process's CPU per request.
 */
public final class LoadMain {
  private LoadMain() {}

  public static void main(String[] args) throws Exception {
    Pattern pattern = Pattern.valueOf(args[0].toUpperCase(Locale.ROOT));
    String transport = args[1];
    int n = Integer.parseInt(args[2]);
    String where = args[3];
    double warmup = args.length > 4 ? Double.parseDouble(args[4]) : 2;
    double measure = args.length > 5 ? Double.parseDouble(args[5]) : 10;
    long pid = args.length > 6 ? Long.parseLong(args[6]) : -1;
    Workload w = new Workload(args[0] + "-" + n, pattern, transport, n);
    long[] cpu = new long[2];
    LoadClient.Window window =
        new LoadClient.Window() {
          @Override
          public void start() {
            cpu[0] = pid > 0 ? ProcStats.cpuMicros(pid) : -1;
          }

          @Override
          public void end() {
            cpu[1] = pid > 0 ? ProcStats.cpuMicros(pid) : -1;
          }
        };
    LoadClient.Timing timing =
        new LoadClient.Timing(
            (long) (warmup * 1e9),
            (long) (measure * 1e9),
            // -Dbench.setupSeconds: how long connecting may take (idle-memory on a loaded JDK 17)
            TimeUnit.SECONDS.toNanos(Long.getLong("bench.setupSeconds", 60)),
            TimeUnit.MILLISECONDS.toNanos(500));
    Measurement m;
    if (transport.equals("unix-datagram")) {
      m = UnixDatagramLoad.run(w, where, timing, window);
    } else {
      SocketAddress target =
          w.unix()
              ? UnixDomainSocketAddress.of(where)
              : new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(where));
      m = LoadClient.run(w, target, timing, window);
    }
    System.out.printf(
        Locale.ROOT,
        "%s: %.0f req/s, p50 %.3f ms, p99 %.3f ms, errors %d%s%s%n",
        w.name(),
        m.perSecond(),
        m.percentile(0.5) / 1e6,
        m.percentile(0.99) / 1e6,
        m.errors,
        pid > 0
            ? String.format(
                Locale.ROOT, ", server CPU %.1f us/req", (double) (cpu[1] - cpu[0]) / m.completed)
            : "",
        m.failure == null ? "" : " (" + m.failure + ")");
  }
}
