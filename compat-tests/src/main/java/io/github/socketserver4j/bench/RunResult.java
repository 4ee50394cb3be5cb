package io.github.socketserver4j.bench;

/** One server on one workload in one round: the client's measurement and the server's cost. */
final class RunResult {
  final int round;
  final Workload workload;
  final ServerSpec server;
  Measurement m;

  /** Server CPU (user + sys) over the measured window, in microseconds; -1 if unknown. */
  long serverCpuMicros = -1;

  /** Of which the JIT compiler threads used, in microseconds (0 for CPython). */
  long serverJitMicros;

  long peakRssKib = -1;
  long rssKib = -1;
  long threads = -1;

  /** Fraction of the machine's CPU time that was idle during the window (all processes). */
  double machineIdle = Double.NaN;

  /** Why there is no measurement (the server did not start, the client failed). */
  String error;

  RunResult(int round, Workload workload, ServerSpec server) {
    this.round = round;
    this.workload = workload;
    this.server = server;
  }

  boolean ok() {
    return error == null && m != null && m.completed > 0;
  }

  double perSecond() {
    return ok() ? m.perSecond() : Double.NaN;
  }

  /** Server CPU per request, JIT compiler threads excluded. */
  double cpuPerRequest() {
    return ok() && serverCpuMicros >= 0
        ? (double) (serverCpuMicros - serverJitMicros) / m.completed
        : Double.NaN;
  }

  double jitPerRequest() {
    return ok() && serverCpuMicros >= 0 ? (double) serverJitMicros / m.completed : Double.NaN;
  }

  double clientCpuPerRequest() {
    return ok() && m.clientCpuMicros >= 0 ? (double) m.clientCpuMicros / m.completed : Double.NaN;
  }

  double p50Millis() {
    return ok() ? m.percentile(0.50) / 1e6 : Double.NaN;
  }

  double p99Millis() {
    return ok() ? m.percentile(0.99) / 1e6 : Double.NaN;
  }

  double peakRssMib() {
    return peakRssKib < 0 ? Double.NaN : peakRssKib / 1024.0;
  }
}
