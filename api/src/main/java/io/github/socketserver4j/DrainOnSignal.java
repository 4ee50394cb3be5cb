package io.github.socketserver4j;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves until the process gets Ctrl-C (SIGINT) or SIGTERM, then {@linkplain BaseServer#drain
 * drains} the server with a deadline and returns, so the code after it runs and the program
 * exits normally (status 0). What Python programs write as
 *
 * <pre>
 * with server:
 *     try:
 *         server.serve_forever()
 *     except KeyboardInterrupt:
 *         pass
 * </pre>
 *
 * <p>is one line in Java, in place of {@code server.serveForever()}:
 *
 * <pre>{@code
 * try (var server = new ThreadingTCPServer(address, Echo::new)) {
 *   DrainOnSignal.serveForever(server, Duration.ofSeconds(10)); // Ctrl-C, SIGTERM: drain, return
 * }
 * }</pre>
 *
 * <p>On the first signal every server serving through this class stops taking requests, lets the
 * running ones finish until the deadline and cuts the rest ({@link BaseServer#drain}); each
 * {@code serveForever} call here then returns the {@link DrainResult}. A second signal while
 * draining ends the JVM at once, as the JVM's own handler does (exit status 130 or 143). When
 * {@code serveForever} ends another way ({@code shutdown()}, an exception) the signal handling
 * is given back and nothing is drained.
 *
 * <p>The signals are caught with the JDK's {@code sun.misc.Signal} (module {@code
 * jdk.unsupported}), so the JVM does not begin to exit. Where it is missing, or the JVM runs with
 * {@code -Xrs}, a shutdown hook drains instead: the code after {@code serveForever} still runs,
 * bounded by the deadline plus 5 s, but the exit status is the signal's. A socketserver4j
 * addition; CPython has no such call.
 */
public final class DrainOnSignal {
  private static final Logger LOG = LoggerFactory.getLogger(DrainOnSignal.class);
  private static final String[] SIGNALS = {"INT", "TERM"};

  /** The servers serving here, with their deadlines and where their drain results go. */
  private static final Map<BaseServer, Serving> SERVING = new LinkedHashMap<>();
  private static final Map<String, Object> PREVIOUS = new LinkedHashMap<>();
  private static Thread hook;
  private static boolean signalled;

  private DrainOnSignal() {}

  private static final class Serving {
    final Duration deadline;
    final Thread thread = Thread.currentThread();
    final CountDownLatch drained = new CountDownLatch(1);
    volatile DrainResult result;
    volatile boolean draining;

    Serving(Duration deadline) {
      this.deadline = deadline;
    }
  }

  /**
   * Runs {@code server.serveForever()} until Ctrl-C or SIGTERM, then drains the server with
   * {@code deadline} and returns once the drain is done.
   *
   * @param server the server; serving on this thread
   * @param deadline how long running requests may take to finish after the signal
   * @return the drain's result, or empty if {@code serveForever} ended without a signal
   */
  public static Optional<DrainResult> serveForever(BaseServer server, Duration deadline) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(deadline, "deadline");
    Serving serving = new Serving(deadline);
    register(server, serving);
    try {
      server.serveForever();
    } finally {
      if (!serving.draining) {
        unregister(server);
      }
    }
    if (!serving.draining) {
      return Optional.empty();
    }
    try {
      // The drain waits for running requests and cuts the rest, then grants a grace of at most
      // the deadline again, capped at 5 s; this wait is bounded by the same.
      long bound = BaseServer.saturatedNanos(deadline) + BaseServer.saturatedNanos(
          deadline.compareTo(Duration.ofSeconds(5)) < 0 ? deadline : Duration.ofSeconds(5));
      if (!serving.drained.await(Math.max(bound, 0) + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS)) {
        LOG.warn("drain of {} did not end in time", server.getClass().getSimpleName());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    unregister(server);
    return Optional.ofNullable(serving.result);
  }

  private static synchronized void register(BaseServer server, Serving serving) {
    if (SERVING.containsKey(server)) {
      throw new IllegalStateException("the server is already serving through DrainOnSignal");
    }
    if (SERVING.isEmpty() && !installHandlers()) {
      hook = new Thread(DrainOnSignal::onExit, "socketserver4j drain on exit");
      Runtime.getRuntime().addShutdownHook(hook);
    }
    SERVING.put(server, serving);
  }

  private static synchronized void unregister(BaseServer server) {
    SERVING.remove(server);
    if (!SERVING.isEmpty()) {
      return;
    }
    restoreHandlers();
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is exiting: the hook is running and will end by itself.
      }
      hook = null;
    }
    signalled = false;
  }

  /** A signal: the first drains every server; a second one goes to the JVM's own handler. */
  private static void onSignal(Object signal) {
    List<Map.Entry<BaseServer, Serving>> servers;
    synchronized (DrainOnSignal.class) {
      if (signalled) {
        Object previous = PREVIOUS.get(signalName(signal));
        restoreHandlers();
        if (previous != null) {
          invokeHandler(previous, signal);
        }
        return;
      }
      signalled = true;
      servers = new ArrayList<>(SERVING.entrySet());
    }
    drainAll(servers, "SIG" + signalName(signal));
  }

  /** The shutdown hook, where signals cannot be caught: drains, then lets the code after run. */
  private static void onExit() {
    List<Map.Entry<BaseServer, Serving>> servers;
    synchronized (DrainOnSignal.class) {
      servers = new ArrayList<>(SERVING.entrySet());
    }
    drainAll(servers, "JVM exit");
    for (Map.Entry<BaseServer, Serving> e : servers) {
      try {
        e.getValue().thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void drainAll(List<Map.Entry<BaseServer, Serving>> servers, String why) {
    List<Thread> drains = new ArrayList<>();
    for (Map.Entry<BaseServer, Serving> e : servers) {
      BaseServer server = e.getKey();
      Serving serving = e.getValue();
      serving.draining = true;
      Thread t = new Thread(() -> {
        long mark = server.endedMark(); // before the announcement, which clients may act on
        LOG.info("{}: draining {} on {} (deadline {} s)", why, BaseServer.className(server.getClass()),
            PythonReprs.address(server.serverAddress()), Py.repr(serving.deadline));
        try {
          serving.result = server.drain(serving.deadline, mark);
          LOG.info("{} on {} drained: {} requests finished, {} cut", BaseServer.className(server.getClass()),
              PythonReprs.address(server.serverAddress()), serving.result.finished(), serving.result.cut());
        } catch (RuntimeException | Error ex) {
          LOG.error("drain of {} failed", BaseServer.className(server.getClass()), ex);
        } finally {
          serving.drained.countDown();
        }
      }, "socketserver4j drain " + BaseServer.className(server.getClass()));
      t.start();
      drains.add(t);
    }
    for (Thread t : drains) {
      try {
        t.join();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // ---- sun.misc.Signal, by reflection: jdk.unsupported may be absent, and it stays optional ----

  private static boolean installHandlers() {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      InvocationHandler ours = (proxy, method, args) -> {
        if (method.getName().equals("handle")) {
          onSignal(args[0]);
          return null;
        }
        if (method.getName().equals("equals")) {
          return proxy == args[0];
        }
        return method.getName().equals("hashCode") ? System.identityHashCode(proxy) : "DrainOnSignal";
      };
      Object handler = Proxy.newProxyInstance(
          DrainOnSignal.class.getClassLoader(), new Class<?>[] {handlerClass}, ours);
      boolean term = false;
      for (String name : SIGNALS) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        try {
          PREVIOUS.put(name, handle.invoke(null, signal, handler));
          term |= name.equals("TERM");
        } catch (java.lang.reflect.InvocationTargetException e) {
          // The signal is ignored (SIGINT of a background job) or taken by the JVM (-Xrs): the
          // program never gets it, so there is nothing to catch.
          LOG.debug("cannot catch SIG{}: {}", name, e.getCause().toString());
        }
      }
      if (!term) {
        restoreHandlers();
      }
      return term;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // No sun.misc.Signal: the shutdown hook does the draining.
      restoreHandlers();
      LOG.debug("cannot catch SIGINT and SIGTERM; draining from a shutdown hook instead", e);
      return false;
    }
  }

  private static synchronized void restoreHandlers() {
    if (PREVIOUS.isEmpty()) {
      return;
    }
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      for (Map.Entry<String, Object> e : PREVIOUS.entrySet()) {
        handle.invoke(null, signalClass.getConstructor(String.class).newInstance(e.getKey()), e.getValue());
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("cannot give back the signal handlers", e);
    }
    PREVIOUS.clear();
  }

  private static void invokeHandler(Object handler, Object signal) {
    try {
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      handlerClass.getMethod("handle", signalClass).invoke(handler, signal);
    } catch (ReflectiveOperationException | RuntimeException e) {
      Runtime.getRuntime().exit(128 + 15);
    }
  }

  private static String signalName(Object signal) {
    try {
      return (String) signal.getClass().getMethod("getName").invoke(signal);
    } catch (ReflectiveOperationException e) {
      return String.valueOf(signal);
    }
  }
}
