package io.github.socketserver4j.http;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds a handler's {@code doXXX()} for a request method, CPython's {@code hasattr(self, 'do_' +
 * command)}: a public or protected instance method with no parameters, declared by the handler's
 * class or a superclass. Lookups are cached per class and command.
 */
final class DoMethods {
  private static final ClassValue<Map<String, Optional<Method>>> CACHE =
      new ClassValue<>() {
        @Override
        protected Map<String, Optional<Method>> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  /** Bounds the cache against clients that send many distinct methods. */
  private static final int MAX_CACHED = 256;

  private DoMethods() {}

  static Optional<Method> find(Class<?> type, String command) {
    Map<String, Optional<Method>> cache = CACHE.get(type);
    Optional<Method> found = cache.get(command);
    if (found == null) {
      found = lookUp(type, "do" + command);
      if (cache.size() < MAX_CACHED) {
        cache.put(command, found);
      }
    }
    return found;
  }

  private static Optional<Method> lookUp(Class<?> type, String name) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        int mod = m.getModifiers();
        if (m.getName().equals(name)
            && m.getParameterCount() == 0
            && !Modifier.isStatic(mod)
            && (Modifier.isPublic(mod) || Modifier.isProtected(mod))
            && !m.isBridge()) {
          m.setAccessible(true); // a protected method, or a public one of a non-public class
          return Optional.of(m);
        }
      }
    }
    return Optional.empty();
  }

  /** Calls the method; what it throws propagates unwrapped, as Python's call would raise it. */
  static void invoke(Method method, Object handler) throws Exception {
    try {
      method.invoke(handler);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw e;
    }
  }
}
