package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.socketserver4j.netty.NettySocketProvider;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code SocketWriterTest} (bpo-26721), spec section 2.2 tests 23 and 24: the default
 * {@code wfile} is unbuffered and never writes partially, even when the writing thread is
 * interrupted.
 *
 * <p>{@link Thread#interrupt()} stands for CPython's {@code SIGUSR1}: both wake a thread blocked in
 * a send. CPython retries the send after the signal handler ran (PEP 475); here {@code write} must
 * keep going the same way, keep the interrupt status for the caller, and leave the connection open.
 */
class SocketWriterTest {
  /** CPython's {@code test.support.SOCK_MAX_SIZE}: more than any socket buffer holds. */
  static final int SOCK_MAX_SIZE = 16 * 1024 * 1024 + 1;

  /** What the default handler exposes, read inside {@code handle()}. */
  static final class Basics extends StreamRequestHandler {
    volatile OutputStream wfile;
    volatile int fileno;
    volatile boolean connectionIsRequest;

    /** The ports of the socket behind {@code fileno}, looked up while the connection is open. */
    volatile List<Integer> filenoPorts;

    @Override
    public void handle() throws IOException {
      wfile = wfile();
      fileno = connection().fileno();
      connectionIsRequest = connection() == request();
      if (fileno >= 0) {
        filenoPorts = tcpPortsOfDescriptor(fileno);
      }
    }
  }

  @Test
  @DisplayName("test_basics (bpo-26721): wfile of the default handler, connection and its fileno")
  void basics() throws Exception {
    Basics handler = new Basics();
    try (TCPServer server = new TCPServer(anyLoopbackPort(), () -> handler);
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");

      // CPython's defaults: a buffered rfile (-1) and an unbuffered wfile (0, _SocketWriter).
      assertEquals(-1, handler.rbufsize());
      assertEquals(0, handler.wbufsize());
      assertTrue(handler.wfile instanceof OutputStream);
      assertTrue(handler.connectionIsRequest, "StreamRequestHandler.connection is the request");

      // CPython: wfile.fileno() == request.fileno(), the accepted socket's descriptor.
      if ("epoll".equals(NettySocketProvider.transportName())) {
        assertTrue(handler.fileno >= 0, "fileno " + handler.fileno);
        int serverPort = ((InetSocketAddress) server.serverAddress()).getPort();
        assertEquals(
            List.of(serverPort, client.socket().getLocalPort()),
            handler.filenoPorts,
            "fileno " + handler.fileno + " is not this connection's socket");
      } else {
        assertEquals(-1, handler.fileno, "NIO exposes no descriptor");
      }
      // shutdown_request closed the connection: a closed socket's fileno() is -1.
      assertEquals(-1, handler.connection().fileno());
    }
  }

  /**
   * The local and remote port of the IPv4 TCP socket behind this process's descriptor {@code fd},
   * read from {@code /proc} (Linux; epoll runs nowhere else).
   */
  static List<Integer> tcpPortsOfDescriptor(int fd) throws IOException {
    String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    assertTrue(link.startsWith("socket:["), "descriptor " + fd + " is " + link);
    String inode = link.substring("socket:[".length(), link.length() - 1);
    for (String line : Files.readAllLines(Path.of("/proc/self/net/tcp"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 9 && f[9].equals(inode)) {
        return List.of(port(f[1]), port(f[2]));
      }
    }
    throw new AssertionError("socket inode " + inode + " is not in /proc/self/net/tcp");
  }

  private static int port(String hexAddress) {
    return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1), 16);
  }

  /** CPython's handler in {@code test_write}. */
  static final class Writer extends StreamRequestHandler {
    volatile Thread thread;
    volatile byte[] received;
    volatile boolean bigWriteReturned;
    volatile boolean interruptedAfterWrite;
    volatile boolean openAfterWrite;
    volatile Throwable writeFailure;

    @Override
    public void handle() throws IOException {
      thread = Thread.currentThread();
      wfile().write("write data\n".getBytes(StandardCharsets.US_ASCII)); // no flush()
      received = rfile().readLine();
      try {
        wfile().write(new byte[SOCK_MAX_SIZE]);
      } catch (IOException | RuntimeException e) {
        writeFailure = e;
        throw e;
      }
      bigWriteReturned = true;
      interruptedAfterWrite = Thread.currentThread().isInterrupted();
      openAfterWrite = connection().isOpen();
    }
  }

  @Test
  @DisplayName(
      "test_write (bpo-26721): wfile sends without flush and never truncates when interrupted")
  void write() throws Exception {
    Writer handler = new Writer();
    AtomicReference<Throwable> serverFailure = new AtomicReference<>();
    try (TCPServer server = new TCPServer(anyLoopbackPort(), () -> handler)) {
      // CPython runs handle_request in the main thread and signals it; here a thread of our own.
      Thread serving =
          new Thread(
              () -> {
                try {
                  server.handleRequest();
                } catch (Throwable t) {
                  serverFailure.set(t);
                }
              },
              "handle_request");
      serving.start();
      long rest;
      try (Client client = Client.connect(server.serverAddress())) {
        // Sent without flush: readable before the server reads anything from us (no deadlock).
        assertEquals("write data\n", client.readLine());
        client.send("client response\n");
        InputStream in = client.input();
        assertEquals(100, in.readNBytes(100).length);
        long received = 100;
        // The handler is now inside write(16 MiB + 1), which cannot finish while we do not read:
        // interrupt it each time it blocks there, reading a little in between.
        for (int round = 0; round < 5; round++) {
          awaitBlocked(handler);
          assertFalse(handler.bigWriteReturned, "the write finished before the interrupt");
          handler.thread.interrupt();
          received += in.readNBytes(64 * 1024).length;
        }
        rest = received - 100;
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
          for (int i = 0; i < n; i++) {
            if (buf[i] != 0) {
              fail("byte " + (rest + 100 + i) + " is " + buf[i]);
            }
          }
          rest += n;
        }
      }
      serving.join(TestRules.waitBound().toMillis());
      assertFalse(serving.isAlive(), "handle_request did not return");
      assertNull(serverFailure.get(), () -> "handle_request threw " + serverFailure.get());
      assertEquals("client response\n", new String(handler.received, StandardCharsets.US_ASCII));
      assertTrue(handler.bigWriteReturned, "the big write did not return normally");
      // CPython: received2 == SOCK_MAX_SIZE - 100; nothing lost, nothing duplicated.
      assertEquals(SOCK_MAX_SIZE - 100, rest);
      assertTrue(handler.interruptedAfterWrite, "write() swallowed the interrupt status");
      assertTrue(handler.openAfterWrite, "the interrupt closed the connection");
    }
  }

  /**
   * Waits (bounded) until {@code thread} is parked, that is blocked in the write: its only waits
   * there are for the channel to drain. There is nothing to wait on but the thread's state.
   */
  static void awaitBlocked(Writer handler) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    EnumSet<Thread.State> blocked = EnumSet.of(Thread.State.WAITING, Thread.State.TIMED_WAITING);
    Thread.State state;
    while (!blocked.contains(state = handler.thread.getState())) {
      if (handler.writeFailure != null || handler.bigWriteReturned) {
        throw new AssertionError("write() ended early", handler.writeFailure);
      }
      if (System.nanoTime() > deadline) {
        fail("the handler did not block in write(): " + state);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
