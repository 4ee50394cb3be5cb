package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * socketserver4j's side of the hook trace: the same events, in one global order, with the same
 * thread classes and client keys as {@code Recorder} in {@code parity_server.py}.
 */
final class Recorder {
  private static final ThreadLocal<String> KIND = new ThreadLocal<>();

  private final List<ObjectNode> events = new ArrayList<>();
  private final List<String> threadExceptions = new ArrayList<>();
  private final List<String> errorLines = new ArrayList<>();
  private final Map<Object, Object> keys = new IdentityHashMap<>();
  private final Map<Object, Boolean> inflight = new IdentityHashMap<>();
  private final String requestThreads;
  private int accepts;
  private int startedCount;

  /**
   * @param requestThreads what the library's request threads are called in the trace: {@code
   *     worker} (ThreadingMixIn), or {@code child} for a ForkingMixIn server, whose request
   *     threads do what CPython's forked child does
   */
  Recorder(String requestThreads) {
    this.requestThreads = requestThreads;
  }

  Recorder() {
    this("worker");
  }

  static void mark(String kind) {
    KIND.set(kind);
  }

  String threadClass() {
    String k = KIND.get();
    return k == null ? requestThreads : k;
  }

  synchronized void hook(String name, Object client) {
    hook(name, client, null);
  }

  synchronized void hook(String name, Object client, String kind) {
    ObjectNode e = Json.object();
    e.put("hook", name);
    e.put("thread", threadClass());
    if (client instanceof Integer) {
      e.put("client", (Integer) client);
    } else if (client != null) {
      e.put("client", client.toString());
    }
    if (kind != null) {
      e.put("kind", kind);
    }
    events.add(e);
  }

  /**
   * Remembers the client key of an accepted request: the peer's port, its bound Unix path, or
   * (a Unix stream client's '' or an unbound Unix datagram client) the accept index.
   */
  synchronized Object remember(Object request, SocketAddress clientAddress) {
    Object key = addressKey(clientAddress);
    if (key == null) {
      key = "#" + accepts;
    }
    accepts++;
    keys.put(request, key);
    return key;
  }

  /** As {@code address_key} in {@code parity_server.py}. */
  static Object addressKey(SocketAddress clientAddress) {
    if (clientAddress instanceof InetSocketAddress) {
      return ((InetSocketAddress) clientAddress).getPort();
    }
    if (clientAddress instanceof UnixDomainSocketAddress) {
      String path = ((UnixDomainSocketAddress) clientAddress).getPath().toString();
      return path.isEmpty() ? null : path;
    }
    return null;
  }

  /** Every request accepted so far. */
  synchronized java.util.List<Object> requests() {
    return new ArrayList<>(keys.keySet());
  }

  synchronized Object clientOf(Object request) {
    return keys.get(request);
  }

  /** A request entered processRequest; it is in flight until its closeRequest. */
  synchronized void started(Object request) {
    inflight.put(request, true);
    startedCount++;
    notifyAll();
  }

  /** Waits until {@code count} requests have entered processRequest, at most bound seconds. */
  synchronized boolean awaitStarted(int count, double bound) {
    long deadline = System.nanoTime() + (long) (bound * 1e9);
    while (startedCount < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  synchronized void closed(Object request) {
    inflight.remove(request);
    notifyAll();
  }

  /** Waits until every processed request has been closed (its last hook ran), at most bound. */
  synchronized void awaitIdle(double bound) {
    long deadline = System.nanoTime() + (long) (bound * 1e9);
    while (!inflight.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  synchronized void threadException(String kind) {
    threadExceptions.add(kind);
  }

  synchronized void errorLine(String line) {
    errorLines.add(line);
  }

  synchronized void into(ObjectNode transcript) {
    ArrayNode ev = transcript.putArray("events");
    events.forEach(ev::add);
    ArrayNode te = transcript.putArray("thread_exceptions");
    threadExceptions.forEach(te::add);
    ArrayNode el = transcript.putArray("error_lines");
    errorLines.forEach(el::add);
  }
}
