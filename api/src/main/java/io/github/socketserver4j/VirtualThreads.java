package io.github.socketserver4j;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Makes request threads: virtual threads where the JVM has them (21+), found reflectively so the
 * library stays Java 17 bytecode, and platform threads otherwise.
 */
final class VirtualThreads {
  private static final MethodHandle OF_VIRTUAL = find();

  private VirtualThreads() {}

  /**
   * An unstarted thread named {@code name}: virtual if possible, else a platform thread whose
   * daemon flag is {@code daemon}. Virtual threads are always daemon threads.
   */
  static Thread newThread(String name, boolean daemon, Runnable task) {
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
    if (Boolean.getBoolean("socketserver4j.platformThreads")) {
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
