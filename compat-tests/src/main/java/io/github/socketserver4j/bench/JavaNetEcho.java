package io.github.socketserver4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * The other ceiling: plain blocking java.net, one thread per connection, echoing line by line with
 * one {@code write} per line as the socketserver handler does. Platform threads, or virtual threads
 * on Java 21+ (found reflectively; this module compiles for Java 17). Kinds: {@code tcp} ({@link
 * ServerSocket}, backlog 1024, {@code SO_REUSEADDR}) and {@code unix} (a blocking {@link
 * SocketChannel}).
 */
final class JavaNetEcho {
  private JavaNetEcho() {}

  static void serve(String kind, String where, boolean virtual) throws Exception {
    ThreadFactory threads = virtual ? virtualThreads() : JavaNetEcho::platformThread;
    switch (kind) {
      case "tcp":
        try (ServerSocket server = new ServerSocket()) {
          server.setReuseAddress(true);
          server.bind(
              new java.net.InetSocketAddress(
                  InetAddress.getByName("127.0.0.1"), Integer.parseInt(where)),
              1024);
          EchoServers.ready();
          while (true) {
            Socket s = server.accept();
            threads.newThread(() -> echo(s)).start();
          }
        }
      case "unix":
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
          server.bind(EchoServers.address(kind, where), 1024);
          EchoServers.ready();
          while (true) {
            SocketChannel c = server.accept();
            threads.newThread(() -> echo(c)).start();
          }
        }
      default:
        throw new IllegalArgumentException("javanet has no kind " + kind);
    }
  }

  private static Thread platformThread(Runnable r) {
    Thread t = new Thread(r, "echo");
    t.setDaemon(true);
    return t;
  }

  /** {@code Thread.ofVirtual().factory()}, reflectively. */
  private static ThreadFactory virtualThreads() throws ReflectiveOperationException {
    Method ofVirtual = Thread.class.getMethod("ofVirtual");
    Object builder = ofVirtual.invoke(null);
    Method factory = Class.forName("java.lang.Thread$Builder").getMethod("factory");
    return (ThreadFactory) factory.invoke(builder);
  }

  private static void echo(Socket s) {
    try (s) {
      lines(s.getInputStream(), s.getOutputStream());
    } catch (IOException e) {
      // The client went away.
    }
  }

  private static void echo(SocketChannel c) {
    try (c) {
      lines(Channels.newInputStream(c), Channels.newOutputStream(c));
    } catch (IOException e) {
      // The client went away.
    }
  }

  /** Writes back each line as soon as it is complete: one write per line. */
  private static void lines(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[8192];
    int start = 0;
    int end = 0;
    while (true) {
      if (end == buf.length) {
        if (start == 0) {
          buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        } else {
          System.arraycopy(buf, start, buf, 0, end - start);
          end -= start;
          start = 0;
        }
      }
      int n = in.read(buf, end, buf.length - end);
      if (n < 0) {
        if (end > start) {
          out.write(buf, start, end - start);
        }
        return;
      }
      int scan = end;
      end += n;
      for (int i = scan; i < end; i++) {
        if (buf[i] == '\n') {
          out.write(buf, start, i + 1 - start);
          start = i + 1;
        }
      }
      if (start == end) {
        start = 0;
        end = 0;
      }
    }
  }
}
