package io.github.socketserver4j.bench;

import io.github.socketserver4j.bench.Workload.Pattern;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The load client: one thread, one NIO {@link Selector}, non-blocking sockets, so that it costs a
 * few microseconds per request and does not become the bottleneck before the server does.
 *
 * <p>For RR, DATAGRAM and CONNECT, every connection is first opened and used once (at most {@value
 * #MAX_CONNECTING} at a time, so a server that accepts on demand never sees its listen backlog
 * overflow); then all send at once (CONNECT: all connect again), the warm-up runs, and the
 * measured window follows. The warm-up clock starts only once the server has answered every
 * connection once: a JVM server's first connections load and interpret its classes (0.6 to 1.5 s
 * on a loaded 2-core machine, far more than {@code --quick}'s 0.5 s of warm-up and window). {@link
 * Window#start()} and {@link Window#end()} run on this thread at the window's edges, where the
 * caller samples the server's CPU time.
 *
 * <p>Every echo is compared with what was sent; a wrong echo, a reset, an unexpected end of stream
 * or a failed connect is an error. Not Unix datagrams: the JDK has no such sockets, see {@link
 * UnixDatagramLoad}.
 */
final class LoadClient {
  /** Connects in flight at once while opening connections. */
  static final int MAX_CONNECTING = 256;

  /** The caller's hooks at the edges of the measured window. */
  interface Window {
    void start();

    void end();
  }

  /** Durations, in nanoseconds. */
  record Timing(long warmup, long measure, long setupTimeout, long replyTimeout) {}

  private final Workload workload;
  private final SocketAddress target;
  private final Timing timing;
  private final Window window;
  private final Measurement m = new Measurement();
  private final Selector selector;
  private final List<Conn> conns = new ArrayList<>();
  private final ArrayDeque<Conn> toOpen = new ArrayDeque<>();
  private final ArrayDeque<Conn> toSend = new ArrayDeque<>();
  private int sentIdle;
  private int deadBeforeIdle;

  private int connecting;
  private int established;
  private int dead;
  private boolean running;
  private boolean measuring;
  private long warmEnd;
  private long measureEnd;
  private long windowStart;
  private long clientCpuStart;

  private LoadClient(Workload workload, SocketAddress target, Timing timing, Window window)
      throws IOException {
    this.workload = workload;
    this.target = target;
    this.timing = timing;
    this.window = window;
    this.selector = Selector.open();
  }

  static Measurement run(Workload workload, SocketAddress target, Timing timing, Window window)
      throws IOException {
    LoadClient client = new LoadClient(workload, target, timing, window);
    try {
      return client.go();
    } finally {
      client.closeAll();
    }
  }

  /** One connection (or datagram socket) and its line. */
  private final class Conn {
    final int id;
    final byte[] line = new byte[Workload.MESSAGE];
    final ByteBuffer out = ByteBuffer.wrap(line);
    final ByteBuffer in = ByteBuffer.allocate(Workload.MESSAGE + 1);
    ByteChannel channel;
    SelectionKey key;
    long sentAt;
    long openedAt;
    long seq;
    boolean waiting;
    boolean used;
    boolean pending;

    Conn(int id) {
      this.id = id;
      Arrays.fill(line, (byte) 'x');
      line[line.length - 1] = '\n';
      digits(line, 0, id);
    }

    void open() throws IOException {
      openedAt = System.nanoTime();
      in.clear();
      if (workload.datagram()) {
        DatagramChannel d = DatagramChannel.open(StandardProtocolFamily.INET);
        d.configureBlocking(false);
        d.connect(target);
        channel = d;
        key = d.register(selector, SelectionKey.OP_READ, this);
        send();
        return;
      }
      SocketChannel s =
          SocketChannel.open(
              target instanceof UnixDomainSocketAddress
                  ? StandardProtocolFamily.UNIX
                  : StandardProtocolFamily.INET);
      s.configureBlocking(false);
      if (!workload.unix()) {
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
      }
      channel = s;
      connecting++;
      pending = true;
      if (s.connect(target)) {
        key = s.register(selector, 0, this);
        connected();
      } else {
        key = s.register(selector, SelectionKey.OP_CONNECT, this);
      }
    }

    void connected() throws IOException {
      connecting--;
      pending = false;
      if (workload.pattern() == Pattern.IDLE) {
        key.interestOps(SelectionKey.OP_READ);
        established++;
        return;
      }
      send();
    }

    void send() throws IOException {
      seq++;
      digits(line, 16, seq);
      out.clear();
      sentAt = System.nanoTime();
      waiting = true;
      channel.write(out);
      key.interestOps(
          out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    void writable() throws IOException {
      channel.write(out);
      if (!out.hasRemaining()) {
        key.interestOps(SelectionKey.OP_READ);
      }
    }

    void readable() throws IOException {
      if (workload.datagram()) {
        in.clear();
        int n = channel.read(in);
        if (n <= 0) {
          return;
        }
        if (!waiting || n != line.length || !Arrays.equals(in.array(), 0, n, line, 0, n)) {
          return; // a late reply to a datagram counted as lost
        }
        answered();
        return;
      }
      int n = channel.read(in);
      if (n < 0) {
        fail("end of stream before the echo");
        return;
      }
      if (in.position() > line.length || (!waiting && in.position() > 0)) {
        fail("more bytes than were sent");
        return;
      }
      if (in.position() == line.length) {
        if (!Arrays.equals(in.array(), 0, line.length, line, 0, line.length)) {
          fail("the echo differs from the line sent");
          return;
        }
        in.clear();
        answered();
      }
    }

    void answered() throws IOException {
      long now = System.nanoTime();
      waiting = false;
      if (measuring) {
        m.completed++;
        m.latency(now - (workload.pattern() == Pattern.CONNECT ? openedAt : sentAt));
      }
      switch (workload.pattern()) {
        case RR:
        case DATAGRAM:
          if (!used) {
            used = true;
            established++;
          }
          if (running) {
            send();
          }
          break;
        case CONNECT:
          if (!used) {
            used = true;
            established++;
          }
          close();
          if (running && now - measureEnd < 0) {
            open();
          }
          break;
        case IDLE:
          established++; // here: echoes back
          break;
      }
    }

    void fail(String why) {
      m.errors++;
      if (m.failure == null) {
        m.failure = why;
      }
      if (pending) {
        pending = false;
        connecting--;
      }
      close();
      if (workload.pattern() != Pattern.CONNECT || !running) {
        dead++; // CONNECT, once running: the connection is opened again (the caller does)
      }
    }

    void close() {
      if (key != null) {
        key.cancel();
      }
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException e) {
        // closing
      }
      channel = null;
      key = null;
    }
  }

  /** Writes {@code value} as 8 decimal digits at {@code at}. */
  private static void digits(byte[] b, int at, long value) {
    for (int i = at + 7; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }

  private Measurement go() throws IOException {
    int n = workload.connections();
    for (int i = 0; i < n; i++) {
      conns.add(new Conn(i));
    }
    long start = System.nanoTime();
    if (workload.pattern() == Pattern.IDLE) {
      // The whole run is measured: accepting and holding the connections is the cost here.
      measuring = true;
      windowStart = start;
      clientCpuStart = ProcStats.cpuMicros(ProcessHandle.current().pid());
      window.start();
    }
    switch (workload.pattern()) {
      case CONNECT:
      case RR:
      case DATAGRAM:
      case IDLE:
        toOpen.addAll(conns);
        break;
    }
    boolean idleSent = false;
    long idleStart = start;
    while (true) {
      long now = System.nanoTime();
      // Setup: open connections, at most MAX_CONNECTING in flight.
      while (!toOpen.isEmpty() && connecting < MAX_CONNECTING && inFlightSetup() < MAX_CONNECTING) {
        openSafely(toOpen.poll());
      }
      if (!running && !idleSent) {
        if (established + dead >= n && toOpen.isEmpty()) {
          m.setupNanos = now - start;
          if (workload.pattern() == Pattern.IDLE) {
            if (!idleSent) {
              idleSent = true;
              established = 0;
              deadBeforeIdle = dead;
              idleStart = now;
              for (Conn c : conns) {
                if (c.channel != null) {
                  toSend.add(c);
                }
              }
            }
          } else if (workload.pattern() == Pattern.CONNECT) {
            begin(now);
            for (Conn c : conns) {
              openSafely(c); // each was answered (and closed) once, or failed
            }
          } else {
            begin(now);
            for (Conn c : conns) {
              if (c.channel != null && !c.waiting) {
                try {
                  c.send();
                } catch (IOException e) {
                  c.fail("send failed: " + e);
                }
              }
            }
          }
        } else if (now - start > timing.setupTimeout()) {
          closeWindow(now);
          m.failure = "setup timed out: " + established + " of " + n + " connections ready";
          m.errors += n - established - dead;
          return m;
        }
      }
      if (workload.pattern() == Pattern.IDLE && idleSent) {
        // One line on each connection, at most MAX_CONNECTING unanswered at a time: a few
        // connections active among many idle ones, not 10,000 requests at the same instant.
        while (!toSend.isEmpty()
            && sentIdle - established - (dead - deadBeforeIdle) < MAX_CONNECTING) {
          Conn c = toSend.poll();
          if (c.channel == null) {
            continue;
          }
          sentIdle++;
          try {
            c.send();
          } catch (IOException e) {
            c.fail("send failed: " + e);
          }
        }
        if (established + dead >= n || now - idleStart > timing.setupTimeout()) {
          closeWindow(now);
          m.errors += n - established - dead;
          if (established + dead < n && m.failure == null) {
            m.failure = (n - established - dead) + " connections were never answered";
          }
          return m;
        }
      } else if (running) {
        if (!measuring && now - warmEnd >= 0 && now - measureEnd < 0) {
          measuring = true;
          windowStart = System.nanoTime();
          clientCpuStart = ProcStats.cpuMicros(ProcessHandle.current().pid());
          window.start();
        }
        if (now - measureEnd >= 0) {
          closeWindow(now);
          if (m.completed == 0 && m.failure == null) {
            m.failure = "no request was answered in the measured window";
          }
          return m;
        }
        if (dead >= n) {
          closeWindow(now);
          return m;
        }
      }
      if (workload.datagram()) {
        resendLost(now);
      }
      if (m.errors > 100_000) {
        m.failure = "too many errors; the last: " + m.failure;
        closeWindow(now);
        return m;
      }
      selector.select(10);
      var keys = selector.selectedKeys();
      for (SelectionKey key : keys) {
        Conn c = (Conn) key.attachment();
        if (!key.isValid()) {
          continue;
        }
        try {
          if (key.isConnectable()) {
            ((SocketChannel) c.channel).finishConnect();
            c.connected();
          } else {
            if (key.isWritable()) {
              c.writable();
            }
            if (key.isValid() && key.isReadable()) {
              c.readable();
            }
          }
        } catch (IOException e) {
          c.fail(e.toString());
          if (workload.pattern() == Pattern.CONNECT && running) {
            openSafely(c);
          }
        }
      }
      keys.clear();
    }
  }

  /** Connections opened but not yet answered once (RR, DATAGRAM, CONNECT) or connected (IDLE). */
  private int inFlightSetup() {
    if (running) {
      return 0;
    }
    return conns.size() - toOpen.size() - established - dead;
  }

  private void openSafely(Conn c) {
    try {
      c.open();
    } catch (IOException e) {
      c.fail("open failed: " + e);
    }
  }

  private void begin(long now) {
    running = true;
    warmEnd = now + timing.warmup();
    measureEnd = warmEnd + timing.measure();
  }

  private void closeWindow(long now) {
    if (measuring) {
      window.end();
      m.windowNanos = System.nanoTime() - windowStart;
      m.clientCpuMicros = ProcStats.cpuMicros(ProcessHandle.current().pid()) - clientCpuStart;
      measuring = false;
    }
  }

  private void resendLost(long now) {
    for (Conn c : conns) {
      if (c.channel != null && c.waiting && now - c.sentAt > timing.replyTimeout()) {
        if (measuring) {
          m.lost++;
          m.errors++;
        }
        try {
          c.send();
        } catch (IOException e) {
          c.fail("send failed: " + e);
        }
      }
    }
  }

  private void closeAll() {
    for (Conn c : conns) {
      c.close();
    }
    try {
      selector.close();
    } catch (IOException e) {
      // closing
    }
  }
}
