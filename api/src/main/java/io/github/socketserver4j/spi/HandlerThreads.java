package io.github.socketserver4j.spi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Makes the threads that run blocking request handlers: virtual threads where the JVM has them
 * (21+), found reflectively so the library stays Java 17 bytecode, and platform threads
 * otherwise, or always when the system property {@value #PLATFORM_THREADS_PROPERTY} is {@code
 * true}.
 *
 * <p>The server classes use it for {@code ThreadingMixIn} and {@code ForkingMixIn} requests
 * (except on a {@code ThreadingMixIn} server that returns its own {@code requestExecutor()});
 * transports use it for handlers they start themselves (the Netty {@code RequestHandlerAdapter}),
 * so one property governs every request thread.
 */
public final class HandlerThreads {
  /** Set to {@code true} to run handlers on platform threads even where virtual ones exist. */
  public static final String PLATFORM_THREADS_PROPERTY = "socketserver4j.platformThreads";

  private static final MethodHandle OF_VIRTUAL = find();

  private HandlerThreads() {}

  /**
   * Returns an unstarted thread named {@code name}: virtual if possible, else a platform thread
   * whose daemon flag is {@code daemon}. Virtual threads are always daemon threads.
   *
   * @param name the thread's name
   * @param daemon whether a platform thread is a daemon
   * @param task what the thread runs
   * @return the thread, not started
   */
  public static Thread newThread(String name, boolean daemon, Runnable task) {
    if (OF_VIRTUAL != null) {
      try {
        return (Thread) OF_VIRTUAL.invoke(name, task);
      } catch (Throwable t) {
        // Fall back to a platform thread below.
      }
    }
    Thread thread = new Thread(task, name);
    thread.setDaemon(daemon);
    return thread;
  }

  /** {@code (name, task) -> Thread.ofVirtual().name(name).unstarted(task)}, or null before 21. */
  private static MethodHandle find() {
    if (Boolean.getBoolean(PLATFORM_THREADS_PROPERTY)) {
      return null;
    }
    try {
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      Class<?> builder = Class.forName("java.lang.Thread$Builder$OfVirtual");
      MethodHandle ofVirtual =
          lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(builder));
      MethodHandle name =
          lookup.findVirtual(builder, "name", MethodType.methodType(builder, String.class));
      MethodHandle unstarted =
          lookup.findVirtual(
              builder, "unstarted", MethodType.methodType(Thread.class, Runnable.class));
      // (name, task) -> unstarted(name(ofVirtual(), name), task)
      MethodHandle named = MethodHandles.collectArguments(name, 0, ofVirtual); // (String)->builder
      MethodHandle made = MethodHandles.collectArguments(unstarted, 0, named); // (String,Runnable)
      return made.asType(MethodType.methodType(Thread.class, String.class, Runnable.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
