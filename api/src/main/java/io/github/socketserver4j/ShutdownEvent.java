package io.github.socketserver4j;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Python's {@code threading.Event}, for {@code __is_shut_down}: a lock, not a monitor (no pinning). */
final class ShutdownEvent {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean set;

  void set() {
    lock.lock();
    try {
      set = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void clear() {
    lock.lock();
    try {
      set = false;
    } finally {
      lock.unlock();
    }
  }

  void await() throws InterruptedException {
    lock.lock();
    try {
      while (!set) {
        changed.await();
      }
    } finally {
      lock.unlock();
    }
  }
}
