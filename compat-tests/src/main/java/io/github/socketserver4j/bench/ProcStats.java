package io.github.socketserver4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time and memory from Linux {@code /proc}: {@code utime + stime} from {@code
 * /proc/PID/stat} (all threads, including ended ones), and {@code VmHWM} (peak resident set) and
 * {@code VmRSS} from {@code /proc/PID/status}.
 */
final class ProcStats {
  /** Clock ticks per second of {@code /proc/PID/stat} ({@code getconf CLK_TCK}; 100 on Linux). */
  static final long TICKS_PER_SECOND = 100;

  private ProcStats() {}

  /** User plus system CPU time of the process so far, in microseconds; -1 if it is gone. */
  static long cpuMicros(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name, which is in parentheses and may hold spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
      return ticks * 1_000_000 / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * CPU time so far of the process's JIT compiler threads (HotSpot names them {@code C1
   * CompilerThread} and {@code C2 CompilerThread}), in microseconds. Compiling is a one-off cost of
   * a young JVM, not a cost per request, and a short warm-up does not finish it.
   */
  static long jitCpuMicros(long pid) {
    long ticks = 0;
    try (var tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return ticks * 1_000_000 / TICKS_PER_SECOND;
  }

  /** Peak resident set size in KiB ({@code VmHWM}); -1 if unknown. */
  static long peakRssKib(long pid) {
    return statusKib(pid, "VmHWM:");
  }

  /** Current resident set size in KiB ({@code VmRSS}); -1 if unknown. */
  static long rssKib(long pid) {
    return statusKib(pid, "VmRSS:");
  }

  /** The number of threads ({@code Threads}); -1 if unknown. */
  static long threads(long pid) {
    return statusKib(pid, "Threads:");
  }

  private static long statusKib(long pid, String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(key)) {
          String v = line.substring(key.length()).trim();
          int space = v.indexOf(' ');
          return Long.parseLong(space < 0 ? v : v.substring(0, space));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  /** Whether this machine has {@code /proc} with per-process stats (Linux). */
  static boolean available() {
    return Files.isReadable(Path.of("/proc/self/stat"));
  }
}
