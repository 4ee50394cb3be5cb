package io.github.socketserver4j.http;

/**
 * Ctrl-C for the command, Python's {@code except KeyboardInterrupt: ... sys.exit(0)}: a JVM
 * shutdown hook that runs the given action and halts with status 0. The one place to replace
 * when the project's SIGINT helper lands; until then SIGTERM takes the same path (see {@code
 * docs/differences.md}).
 */
final class CtrlC {
  private CtrlC() {}

  static void onInterrupt(Runnable action) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    action.run();
                  } finally {
                    Runtime.getRuntime().halt(0);
                  }
                },
                "http-server-ctrl-c"));
  }
}
