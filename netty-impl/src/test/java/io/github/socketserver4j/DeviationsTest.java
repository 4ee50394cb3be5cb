package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The deviations from CPython listed in {@code docs/differences.md}, one test each, named after the
 * entry's number. CPython's side of each was checked with python3 3.11 and 3.13; the comment on
 * each test says what CPython does.
 */
class DeviationsTest {

  static List<String> transports() {
    return Transports.available();
  }

  /** CPython's {@code MyHandler}: echo one line. */
  static final class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  // ---- Unix domain sockets and addresses on Netty ----

  /** Reads the request to end of stream, then answers with how many bytes came. */
  static final class CountToEnd extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      int n = rfile().readAllBytes().length;
      wfile().write(("got " + n + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * CPython: a Unix stream client that sends and then {@code shutdown(SHUT_WR)} gets the reply a
   * handler writes after reading to end of stream, as over TCP. On epoll the same. Netty 4.2.18's
   * NIO domain channel ignores {@code ALLOW_HALF_CLOSURE} and closes the connection at the client's
   * FIN, so the reply cannot be sent: the client sees end of stream only.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName(
      "differences.md #25: a Unix stream client's half-close: the reply arrives on epoll, not on"
          + " NIO (Netty 4.2.18)")
  void unixHalfCloseNeedsEpoll(String transport) throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    try (UnixPaths paths = new UnixPaths()) {
      UnixDomainSocketAddress path = paths.next();
      Transports.with(
          transport,
          () -> {
            try (UnixStreamServer server =
                    new UnixStreamServer(path, CountToEnd::new) {
                      @Override
                      public void handleError(Request request, SocketAddress clientAddress) {
                        errors.add(currentException().orElseThrow());
                      }

                      @Override
                      public void shutdownRequest(Request request) {
                        super.shutdownRequest(request);
                        done.countDown();
                      }
                    };
                SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
              client.connect(path);
              client.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8)));
              client.shutdownOutput();
              server.handleRequest();
              assertTrue(done.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
              String reply = SocketTypesTest.readLine(client);
              if (transport.equals("epoll")) {
                assertEquals("got 3\n", reply);
                assertEquals(List.of(), errors);
              } else {
                assertEquals("", reply, "Netty's NIO domain channel now supports half-close");
                assertEquals(1, errors.size(), "the reply should fail: " + errors);
                assertInstanceOf(SocketException.class, errors.get(0));
              }
            }
            return null;
          });
    }
  }

  /**
   * CPython: {@code disable_nagle_algorithm = True} on a {@code UnixStreamServer} makes {@code
   * setup()} fail with {@code OSError(95, 'Operation not supported')}, which goes to {@code
   * handle_error}; the client gets nothing. Here {@code setTcpNoDelay} throws {@code
   * SocketException} with the same errno text.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName(
      "differences.md #30: disableNagleAlgorithm on a Unix connection: SocketException [Errno 95]"
          + " -> handleError (CPython OSError)")
  void tcpNoDelayOnUnixFails(String transport) throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (UnixPaths paths = new UnixPaths()) {
      UnixDomainSocketAddress path = paths.next();
      Transports.with(
          transport,
          () -> {
            try (UnixStreamServer server =
                    new UnixStreamServer(
                        path,
                        () ->
                            new StreamRequestHandler() {
                              @Override
                              public boolean disableNagleAlgorithm() {
                                return true;
                              }

                              @Override
                              public void handle() throws IOException {
                                wfile().write("hi\n".getBytes(StandardCharsets.UTF_8));
                              }
                            }) {
                      @Override
                      public void handleError(Request request, SocketAddress clientAddress) {
                        errors.add(currentException().orElseThrow());
                      }
                    };
                SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
              client.connect(path);
              server.handleRequest();
              assertEquals("", SocketTypesTest.readLine(client), "the handler must not have run");
            }
            return null;
          });
    }
    assertEquals(1, errors.size(), errors.toString());
    assertInstanceOf(SocketException.class, errors.get(0));
    assertTrue(
        errors.get(0).getMessage().contains("[Errno 95] Operation not supported"),
        errors.get(0).getMessage());
  }

  /** CPython's {@code class V6Server(TCPServer): address_family = AF_INET6}. */
  static final class V6Server extends TCPServer {
    V6Server(SocketAddress address) throws IOException {
      super(address, EchoLine::new);
    }

    @Override
    public AddressFamily addressFamily() {
      return AddressFamily.AF_INET6;
    }
  }

  /**
   * CPython resolves the host with {@code getaddrinfo} in the server's family: {@code ("localhost",
   * 0)} binds 127.0.0.1 on an {@code AF_INET} server; on an {@code AF_INET6} server it binds the
   * first IPv6 address of the name, or fails when the resolver has none (here, without {@code ::1}
   * in /etc/hosts, {@code gaierror(-2)}). Java's resolver decides which addresses a name has, so
   * the expected result comes from it.
   */
  @Test
  @DisplayName("differences.md #32: a host name resolves within the server's family (localhost)")
  void hostNameResolvesWithinTheFamily() throws Exception {
    try (TCPServer v4 = new TCPServer(new InetSocketAddress("localhost", 0), EchoLine::new)) {
      InetSocketAddress bound = (InetSocketAddress) v4.serverAddress();
      assertInstanceOf(Inet4Address.class, bound.getAddress());
      assertTrue(bound.getAddress().isLoopbackAddress(), bound.toString());
    }
    Optional<InetAddress> v6 =
        Arrays.stream(InetAddress.getAllByName("localhost"))
            .filter(a -> a instanceof Inet6Address)
            .findFirst();
    if (v6.isPresent()) {
      try (V6Server server = new V6Server(new InetSocketAddress("localhost", 0))) {
        assertEquals(v6.get(), ((InetSocketAddress) server.serverAddress()).getAddress());
      }
    } else {
      UnknownHostException e =
          assertThrows(
              UnknownHostException.class,
              () -> new V6Server(new InetSocketAddress("localhost", 0)));
      assertTrue(
          e.getMessage().contains("Address family for hostname not supported"), e.getMessage());
    }
  }

  /** An IPv6 server that sets IPV6_V6ONLY before binding, as Python code does in server_bind. */
  static final class V6OnlyServer extends TCPServer {
    V6OnlyServer() throws IOException {
      super(new InetSocketAddress("::", 0), EchoLine::new);
    }

    @Override
    public AddressFamily addressFamily() {
      return AddressFamily.AF_INET6;
    }

    @Override
    public void serverBind() throws IOException {
      socket().setOption(SocketOptions.IPV6_V6ONLY, true);
      super.serverBind();
    }
  }

  /**
   * CPython: {@code setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1)} in {@code server_bind} makes a server
   * on {@code ::} refuse IPv4 clients ({@code ConnectionRefusedError}) and serve IPv6 ones. On
   * epoll the same. The JDK's NIO sockets cannot set it, so there {@code setOption} throws {@code
   * UnsupportedOperationException} (the constructor closes the server and rethrows).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName(
      "differences.md #34: IPV6_V6ONLY true refuses IPv4 clients on epoll; on NIO setOption throws"
          + " UnsupportedOperationException")
  void ipv6OnlyNeedsEpoll(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          if (transport.equals("nio")) {
            UnsupportedOperationException e =
                assertThrows(UnsupportedOperationException.class, V6OnlyServer::new);
            assertTrue(e.getMessage().contains("epoll"), e.getMessage());
            return null;
          }
          try (V6OnlyServer server = new V6OnlyServer()) {
            int port = ((InetSocketAddress) server.serverAddress()).getPort();
            assertThrows(
                ConnectException.class,
                () -> Client.connect(new InetSocketAddress("127.0.0.1", port)).close());
            try (Client client = Client.connect(new InetSocketAddress("::1", port))) {
              client.send("v6\n");
              server.handleRequest();
              assertEquals("v6\n", client.readLine());
            }
          }
          return null;
        });
  }

  /**
   * CPython lets Python code call {@code self.socket.setsockopt(...)} at any time, with any option
   * the OS knows. Here {@code socket().setOption} takes SO_REUSEADDR, SO_REUSEPORT, SO_RCVBUF,
   * SO_SNDBUF and IPV6_V6ONLY, before the socket is bound (in a {@code serverBind()} override,
   * before {@code super.serverBind()}), because Netty applies options when it creates the channel.
   */
  @Test
  @DisplayName(
      "differences.md #35: socket().setOption only before binding, and only the options the"
          + " transport applies")
  void setOptionOnlyBeforeBind() throws Exception {
    try (TCPServer server = new TCPServer(anyLoopbackPort(), EchoLine::new, false)) {
      server.socket().setOption(StandardSocketOptions.SO_RCVBUF, 65536);
      assertThrows(
          UnsupportedOperationException.class,
          () -> server.socket().setOption(StandardSocketOptions.IP_TOS, 0x10));
      server.serverBind();
      server.serverActivate();
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> server.socket().setOption(StandardSocketOptions.SO_REUSEADDR, true));
      assertTrue(e.getMessage().contains("before the socket is bound"), e.getMessage());
      try (Client client = Client.connect(server.serverAddress())) {
        client.send("still works\n");
        server.handleRequest();
        assertEquals("still works\n", client.readLine());
      }
    }
  }

  // ---- 6: serverBind() binds and listens ----

  /**
   * CPython: between {@code server_bind()} and {@code server_activate()} the socket is bound but
   * not listening, and {@code connect} fails with {@code ConnectionRefusedError(111)}. Here the
   * socket listens once bound, so the client waits in the backlog and is served after {@code
   * serverActivate()}.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName(
      "differences.md #6: a client that connects between serverBind() and serverActivate() waits in"
          + " the backlog")
  void serverBindBindsAndListens(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          try (TCPServer server = new TCPServer(anyLoopbackPort(), EchoLine::new, false)) {
            server.serverBind();
            try (Client client = Client.connect(server.serverAddress())) {
              client.send("waited in the backlog\n");
              server.serverActivate();
              server.handleRequest();
              assertEquals("waited in the backlog\n", client.readLine());
              assertTrue(client.seesEndOfStream(TestRules.waitBound()));
            }
          }
          return null;
        });
  }

  // ---- 7 and 8: fileno() ----

  /**
   * CPython: {@code TCPServer(..., bind_and_activate=False).fileno()} is the descriptor of the
   * socket the constructor created (3 in a fresh interpreter). Here there is no channel, and so no
   * descriptor, until {@code serverBind()}.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("differences.md #7: an unbound server's fileno() is -1 (bindAndActivate false)")
  void unboundSocketHasNoDescriptor(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          try (TCPServer server = new TCPServer(anyLoopbackPort(), EchoLine::new, false)) {
            assertEquals(-1, server.fileno());
            assertEquals(-1, server.socket().fileno());
            assertTrue(server.socket().isOpen(), "the socket exists, unbound, as in CPython");
            assertEquals(anyLoopbackPort(), server.serverAddress(), "spec 2.3 #14");
          }
          return null;
        });
  }

  @Test
  @DisplayName("differences.md #8: fileno() is -1 on NIO, bound or not, and after serverClose()")
  void filenoIsMinusOneOnNio() throws Exception {
    Transports.with(
        "nio",
        () -> {
          TCPServer server = new TCPServer(anyLoopbackPort(), EchoLine::new);
          try (server) {
            assertEquals(-1, server.fileno());
            // The server works; it only has no descriptor to show.
            SocketServerTest.runServer(server);
          }
          assertEquals(-1, server.fileno());
          return null;
        });
  }

  @Test
  @DisplayName(
      "differences.md #8: fileno() on epoll is the real descriptor, -1 after serverClose() (as"
          + " CPython)")
  void filenoIsTheDescriptorOnEpoll() throws Exception {
    assumeTrue(transports().contains("epoll"), "epoll is not available here");
    assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "no /proc/self/fd");
    Transports.with(
        "epoll",
        () -> {
          TCPServer server = new TCPServer(anyLoopbackPort(), EchoLine::new);
          try (server) {
            int fd = server.fileno();
            assertTrue(fd >= 0, "fileno() = " + fd);
            // The descriptor is this process's, and it is a socket.
            Path link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd));
            assertTrue(link.toString().startsWith("socket:["), fd + " -> " + link);
          }
          assertEquals(-1, server.fileno());
          return null;
        });
  }

  // ---- 9: an address of the wrong family ----

  /**
   * CPython: {@code TCPServer("/tmp/x.sock", H)} raises {@code TypeError("bind(): AF_INET address
   * must be tuple, not str")} from {@code bind}, after the socket was made (and closed again). Here
   * the constructor refuses the address before any socket exists.
   */
  @Test
  @DisplayName(
      "differences.md #9: an address that does not fit addressFamily() -> IllegalArgumentException,"
          + " no socket made")
  void wrongAddressFamily() throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      UnixDomainSocketAddress path = paths.next();
      IllegalArgumentException inet =
          assertThrows(IllegalArgumentException.class, () -> new TCPServer(path, EchoLine::new));
      assertTrue(inet.getMessage().contains("AF_INET"), inet.getMessage());
      IllegalArgumentException udp =
          assertThrows(
              IllegalArgumentException.class,
              () -> new UDPServer(path, DatagramRequestHandler::new));
      assertTrue(udp.getMessage().contains("AF_INET"), udp.getMessage());
      IllegalArgumentException unix =
          assertThrows(
              IllegalArgumentException.class,
              () -> new UnixStreamServer(anyLoopbackPort(), EchoLine::new));
      assertTrue(unix.getMessage().contains("AF_UNIX"), unix.getMessage());
      assertFalse(Files.exists(path.getPath()), "no socket file was made");
      assertEquals(Set.of(), TestRules.serverThreads(), "no event loop was started");
    }
  }

  // ---- 11: a direct BaseServer subclass ----

  /**
   * A server whose requests come from a queue, not a socket: a direct {@code BaseServer} subclass
   * that implements the loop's readiness protocol ({@code waitForRequest} and {@code wakeup}) where
   * CPython's loops would {@code select} on {@code fileno()}.
   */
  static final class QueueServer extends BaseServer {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ClientRequest> ready = new ArrayDeque<>();
    private boolean woken;
    final List<String> timeouts = new CopyOnWriteArrayList<>();

    QueueServer(RequestHandlerFactory handlers) {
      super(new InetSocketAddress("127.0.0.1", 0), handlers);
    }

    void offer(Request request, SocketAddress from) {
      lock.lock();
      try {
        ready.add(new ClientRequest(request, from));
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public Optional<Duration> timeout() {
      return Optional.of(Duration.ofMillis(50));
    }

    @Override
    public void handleTimeout() {
      timeouts.add("timeout");
    }

    @Override
    public ClientRequest getRequest() throws IOException {
      lock.lock();
      try {
        ClientRequest next = ready.poll();
        if (next == null) {
          throw new IOException("no request is ready");
        }
        return next;
      } finally {
        lock.unlock();
      }
    }

    @Override
    protected boolean waitForRequest(Duration timeout) throws InterruptedException {
      lock.lock();
      try {
        long nanos = timeout.toNanos();
        while (ready.isEmpty() && !woken) {
          if (nanos <= 0) {
            return false;
          }
          nanos = changed.awaitNanos(nanos);
        }
        woken = false;
        return !ready.isEmpty();
      } finally {
        lock.unlock();
      }
    }

    @Override
    protected void wakeup() {
      lock.lock();
      try {
        woken = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** A request that is only a name. */
  record Named(String name) implements Request {}

  /**
   * CPython's {@code serve_forever} and {@code handle_request} wait on {@code select(fileno())}; a
   * server without a socket has nothing to select on. Here the loops call {@code waitForRequest},
   * and {@code shutdown()} calls {@code wakeup}: a direct subclass that implements them gets {@code
   * handleRequest()} (with {@code handleTimeout}), {@code serveForever()} and a prompt {@code
   * shutdown()}.
   */
  @Test
  @DisplayName(
      "differences.md #11: a direct BaseServer subclass drives the loops with waitForRequest and"
          + " wakeup")
  void directBaseServerSubclassImplementsWaitForRequest() throws Exception {
    List<String> handled = new CopyOnWriteArrayList<>();
    CountDownLatch two = new CountDownLatch(2);
    QueueServer server =
        new QueueServer(
            () ->
                new BaseRequestHandler() {
                  @Override
                  public void handle() {
                    handled.add(((Named) request()).name() + " from " + clientAddress());
                    two.countDown();
                  }
                });
    SocketAddress from = new InetSocketAddress("127.0.0.1", 4242);
    try (server) {
      server.handleRequest(); // nothing queued: waits timeout(), then handleTimeout()
      assertEquals(List.of("timeout"), server.timeouts);
      server.offer(new Named("first"), from);
      server.handleRequest();
      assertEquals(List.of("first from " + from), handled);

      // serveForever() sleeps in waitForRequest with a poll interval far longer than the test:
      // only wakeup() can end it in time.
      Thread serving = new Thread(() -> server.serveForever(Duration.ofHours(1)), "serve_forever");
      serving.start();
      server.offer(new Named("second"), from);
      assertTrue(two.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      server.shutdown();
      serving.join(TestRules.waitBound().toMillis());
      assertFalse(serving.isAlive(), "shutdown() did not wake serveForever");
    }
    assertEquals(List.of("first from " + from, "second from " + from), handled);
  }

  // ---- 17: interrupting a thread blocked in a read ----

  /**
   * CPython retries a system call interrupted by a signal (PEP 475), so a blocked {@code
   * rfile.readline()} carries on. Here an interrupted read carries on too (plain NIO would close
   * the channel): it returns the line when it comes, the connection stays usable, and the thread's
   * interrupt flag is set again afterwards.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName(
      "differences.md #17: interrupting a handler blocked in readLine() does not abort it; the flag"
          + " is set after")
  void interruptDoesNotAbortARead(String transport) throws Exception {
    CountDownLatch reading = new CountDownLatch(1);
    CompletableFuture<Boolean> flagAfterRead = new CompletableFuture<>();
    class Patient extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        reading.countDown();
        byte[] line = rfile().readLine();
        flagAfterRead.complete(Thread.interrupted()); // reads and clears the flag
        wfile().write(line);
      }
    }
    Transports.with(
        transport,
        () -> {
          try (TCPServer server = new TCPServer(anyLoopbackPort(), Patient::new);
              Client client = Client.connect(server.serverAddress())) {
            Thread handling = new Thread(server::handleRequest, "handle_request");
            handling.start();
            try {
              assertTrue(reading.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
              awaitParked(handling);
              handling.interrupt();
              client.send("after the interrupt\n");
              assertEquals("after the interrupt\n", client.readLine());
              assertTrue(
                  flagAfterRead.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS),
                  "the interrupt flag was not set again after the read");
              assertTrue(client.seesEndOfStream(TestRules.waitBound()));
            } finally {
              handling.join(TestRules.waitBound().toMillis());
            }
            assertFalse(handling.isAlive());
          }
          return null;
        });
  }

  /** Waits (bounded) until {@code t} is parked, that is blocked in the read. */
  static void awaitParked(Thread t) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
      assertTrue(System.nanoTime() < deadline, t.getName() + " never blocked: " + t.getState());
      LockSupport.parkNanos(1_000_000);
    }
  }

  // ---- 13: a failed getRequest() ----

  /** A server whose getRequest() fails, recording which other hooks run. */
  static final class FailingGetRequest extends TCPServer {
    final List<String> calls = new CopyOnWriteArrayList<>();

    FailingGetRequest() throws IOException {
      super(anyLoopbackPort(), EchoLine::new);
    }

    @Override
    public ClientRequest getRequest() throws IOException {
      calls.add("getRequest");
      throw new IOException("no request this time, on purpose");
    }

    @Override
    public boolean verifyRequest(Request request, SocketAddress clientAddress) {
      calls.add("verifyRequest");
      return true;
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      calls.add("handleError");
    }

    @Override
    public void shutdownRequest(Request request) {
      calls.add("shutdownRequest");
      super.shutdownRequest(request);
    }
  }

  /**
   * CPython (spec 2.3 #3): an {@code OSError} from {@code get_request()} makes {@code
   * handle_request()} return silently: no {@code handle_error}, no {@code shutdown_request}, no
   * output. Here the same, except that the failure is logged at DEBUG.
   */
  @Test
  @DisplayName(
      "differences.md #12: handleRequest() with timeout 0 may defer a waiting connection to a"
          + " later call, but never loses it")
  void zeroTimeoutMayDeferAWaitingConnection() throws Exception {
    java.util.concurrent.atomic.AtomicInteger timeouts = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
    class Polling extends TCPServer {
      Polling() throws IOException {
        super(
            anyLoopbackPort(),
            () ->
                new StreamRequestHandler() {
                  @Override
                  public void handle() throws IOException {
                    handled.incrementAndGet();
                    wfile().write(rfile().readLine());
                  }
                });
      }

      @Override
      public Optional<Duration> timeout() {
        return Optional.of(Duration.ZERO);
      }

      @Override
      public void handleTimeout() {
        timeouts.incrementAndGet();
      }
    }
    try (Polling server = new Polling(); Client c = Client.connect(server.serverAddress())) {
      c.send("waiting\n");
      // CPython handles it on the first call; here the first call may only start the accept.
      long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
      int calls = 0;
      while (handled.get() == 0 && System.nanoTime() < deadline) {
        server.handleRequest();
        calls++;
      }
      assertEquals(1, handled.get(), "the waiting connection was never handled");
      assertEquals(calls - 1, timeouts.get(), "every other call timed out");
      assertEquals("waiting\n", c.readLine());
    }
  }

  @Test
  @DisplayName(
      "differences.md #13: getRequest() IOException: logged at DEBUG, no handleError, no"
          + " shutdownRequest")
  void getRequestFailureIsLoggedAtDebugAndSilent() throws Exception {
    String output;
    try (FailingGetRequest server = new FailingGetRequest();
        Client client = Client.connect(server.serverAddress());
        DebugLog log = new DebugLog(BaseServer.class)) {
      server.handleRequest();
      assertEquals(List.of("getRequest"), server.calls);
      output = log.output();
    }
    List<String> lines = List.of(output.split("\\R"));
    String line =
        lines.stream()
            .filter(l -> l.contains("getRequest() failed"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("not logged:\n" + output));
    assertTrue(
        line.contains(" DEBUG io.github.socketserver4j.BaseServer - "),
        "not at DEBUG by the BaseServer logger: " + line);
    assertTrue(
        output.contains("java.io.IOException: no request this time, on purpose"),
        "the exception is not in the log:\n" + output);
    assertFalse(output.contains(" ERROR "), "logged at ERROR:\n" + output);
  }

  /**
   * Turns a slf4j-simple logger (the test binding) up to DEBUG and captures {@code System.err},
   * which slf4j-simple looks up on every call; {@link #close()} restores both.
   */
  static final class DebugLog implements AutoCloseable {
    private static final int DEBUG = 10; // SimpleLogger.LOG_LEVEL_DEBUG
    private final Object logger;
    private final Field level;
    private final int oldLevel;
    private final PrintStream oldErr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    DebugLog(Class<?> name) throws ReflectiveOperationException {
      logger = LoggerFactory.getLogger(name);
      level = logger.getClass().getDeclaredField("currentLogLevel");
      level.setAccessible(true);
      oldLevel = level.getInt(logger);
      level.setInt(logger, DEBUG);
      System.setErr(new PrintStream(tee(captured, oldErr), true, StandardCharsets.UTF_8));
    }

    String output() {
      synchronized (captured) {
        return captured.toString(StandardCharsets.UTF_8);
      }
    }

    @Override
    public void close() throws IllegalAccessException {
      System.setErr(oldErr);
      level.setInt(logger, oldLevel);
    }

    private static OutputStream tee(ByteArrayOutputStream copy, OutputStream out) {
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          synchronized (copy) {
            copy.write(b, off, len);
          }
          out.write(b, off, len);
        }
      };
    }
  }

  // ---- 16: rbufsize ----

  /**
   * CPython with {@code rbufsize = -1}: {@code rfile.readline()} reads ahead into its buffer, so
   * after it {@code connection.recv()} does not see the next line and times out (with {@code
   * rbufsize = 0} it sees it). Here {@code rfile()} and the connection's streams share one buffer:
   * no byte is lost or read twice, whatever {@code rbufsize()} returns.
   */
  @ParameterizedTest(name = "rbufsize {0}")
  @ValueSource(ints = {-1, 0})
  @DisplayName(
      "differences.md #16: rbufsize changes nothing: mixing rfile and connection reads loses no"
          + " byte")
  void rbufsizeHasNoObservableEffect(int rbufsize) throws Exception {
    List<String> reads = new CopyOnWriteArrayList<>();
    class Mixed extends StreamRequestHandler {
      @Override
      public int rbufsize() {
        return rbufsize;
      }

      @Override
      public Optional<Duration> timeout() {
        return Optional.of(TestRules.waitBound());
      }

      @Override
      public void handle() throws IOException {
        reads.add(new String(rfile().readLine(), StandardCharsets.UTF_8));
        byte[] second = connection().openInputStream().readNBytes("second\n".length());
        reads.add(new String(second, StandardCharsets.UTF_8));
        reads.add(new String(rfile().readLine(), StandardCharsets.UTF_8));
        byte[] buffer = new byte[100];
        int n = connection().openInputStream().read(buffer);
        reads.add(new String(buffer, 0, Math.max(n, 0), StandardCharsets.UTF_8));
      }
    }
    try (TCPServer server = new TCPServer(anyLoopbackPort(), Mixed::new);
        Client client = Client.connect(server.serverAddress())) {
      // One write: all three lines reach the server before the handler's first read.
      client.send("first\nsecond\nthird\nfourth\n");
      server.handleRequest();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()));
    }
    assertEquals(List.of("first\n", "second\n", "third\n", "fourth\n"), reads);
  }

  // ---- 19: writing to a closed wfile ----

  /**
   * CPython: after {@code self.wfile.close()}, {@code self.wfile.write(b"after close\n")} still
   * sends ({@code _SocketWriter} does not check), and the client receives the line. Here the write
   * throws {@code IOException("Stream closed")} and nothing is sent.
   */
  @Test
  @DisplayName(
      "differences.md #19: wfile().write after wfile().close() throws IOException; nothing is sent")
  void writeToClosedWfileThrows() throws Exception {
    CompletableFuture<IOException> thrown = new CompletableFuture<>();
    class ClosesFirst extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        wfile().close();
        try {
          wfile().write("after close\n".getBytes(StandardCharsets.UTF_8));
          thrown.complete(null);
        } catch (IOException e) {
          thrown.complete(e);
        }
      }
    }
    try (TCPServer server = new TCPServer(anyLoopbackPort(), ClosesFirst::new);
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest();
      IOException e = thrown.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(e, "the write after close did not throw");
      assertEquals("Stream closed", e.getMessage());
      assertArrayEquals(new byte[0], client.readToEnd(), "bytes were sent after close");
    }
  }

  @Test
  @DisplayName("19: a buffered wfile (wbufsize -1) also refuses writes after close, as Python's BufferedWriter")
  void writeToClosedBufferedWfileThrows() throws Exception {
    CompletableFuture<IOException> thrown = new CompletableFuture<>();
    class Buffered extends StreamRequestHandler {
      @Override
      public int wbufsize() {
        return -1;
      }

      @Override
      public void handle() throws IOException {
        wfile().write("before\n".getBytes(StandardCharsets.UTF_8));
        wfile().close(); // flushes
        try {
          wfile().write("after close\n".getBytes(StandardCharsets.UTF_8));
          thrown.complete(null);
        } catch (IOException e) {
          thrown.complete(e);
        }
      }
    }
    try (TCPServer server = new TCPServer(anyLoopbackPort(), Buffered::new);
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest();
      IOException e = thrown.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(e, "the buffered write after close was silently dropped");
      assertEquals("before\n", new String(client.readToEnd(), StandardCharsets.UTF_8));
    }
  }

  // ---- 20: event-loop threads ----

  /** A server class whose threads are easy to pick out by name. */
  static final class LoopNamed extends TCPServer implements ThreadingMixIn {
    private final CountDownLatch release;

    LoopNamed(CountDownLatch release) throws IOException {
      super(
          anyLoopbackPort(),
          () ->
              new StreamRequestHandler() {
                @Override
                public void handle() throws Exception {
                  wfile().write(rfile().readLine());
                  assertTrue(
                      release.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
                }
              });
      this.release = release;
    }

    @Override
    public boolean daemonThreads() {
      return true; // serverClose() does not wait for the handler
    }
  }

  static final Pattern LOOP_NAME = Pattern.compile("socketserver4j-LoopNamed-\\d+-io-\\d+-\\d+");

  static List<Thread> loopThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("socketserver4j-LoopNamed-"))
        .collect(Collectors.toList());
  }

  /**
   * CPython has no I/O threads. Here each server has its own Netty event loops: daemon threads
   * named {@code socketserver4j-<Class>-N-io-...}, which end once the server is closed and its last
   * connection too (a connection outlives {@code server_close()}, as in CPython).
   */
  @Test
  @DisplayName(
      "differences.md #20: event-loop threads are daemon threads named socketserver4j-<Class>-N-io"
          + " and end after serverClose")
  void eventLoopThreadsAreDaemonAndEndAfterClose() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    LoopNamed server = new LoopNamed(release);
    try (Client client = Client.connect(server.serverAddress())) {
      try {
        List<Thread> loops = loopThreads();
        assertFalse(loops.isEmpty(), "no event-loop thread: " + TestRules.serverThreads());
        assertTrue(
            loops.size() <= Math.max(1, Runtime.getRuntime().availableProcessors()),
            "more loops than cores: " + loops);
        for (Thread t : loops) {
          assertTrue(LOOP_NAME.matcher(t.getName()).matches(), t.getName());
          assertTrue(t.isDaemon(), t.getName() + " is not a daemon thread");
        }
        server.handleRequest();
        client.send("hello\n");
        assertEquals("hello\n", client.readLine()); // the handler now waits for release
      } finally {
        server.serverClose();
      }
      // The handler still holds its connection: its loop is still needed.
      assertFalse(loopThreads().isEmpty(), "the loop ended under an open connection");
      release.countDown();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()));
    }
    awaitNoLoopThreads();
  }

  static void awaitNoLoopThreads() {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (!loopThreads().isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "event loops outlived the server: " + loopThreads());
      LockSupport.parkNanos(5_000_000);
    }
  }

  // ---- 21: request threads ----

  /** A threading server that records its request threads. */
  static final class RecordsThreads extends TCPServer implements ThreadingMixIn {
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    final CountDownLatch handled = new CountDownLatch(1);
    private final boolean daemon;

    RecordsThreads(boolean daemon) throws IOException {
      super(anyLoopbackPort(), StreamRequestHandler::new);
      this.daemon = daemon;
    }

    @Override
    public boolean daemonThreads() {
      return daemon;
    }

    @Override
    public void finishRequest(Request request, SocketAddress clientAddress) throws Exception {
      threads.add(Thread.currentThread());
      super.finishRequest(request, clientAddress);
      handled.countDown();
    }
  }

  static boolean isVirtual(Thread t) throws ReflectiveOperationException {
    return (boolean) Thread.class.getMethod("isVirtual").invoke(t);
  }

  /** Thread.isVirtual() where it exists (JDK 19+ as preview, 21+), else false. */
  static boolean isVirtualIfAvailable(Thread t) throws ReflectiveOperationException {
    try {
      return isVirtual(t);
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /**
   * CPython: a {@code threading.Thread} per request, a daemon thread exactly when {@code
   * daemon_threads} is true. Here, on JDK 21 and later, a virtual thread (always a daemon thread);
   * on JDK 17 a platform thread whose daemon flag is {@code daemonThreads()}, as in CPython.
   */
  @ParameterizedTest(name = "daemonThreads {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "differences.md #21: request threads are virtual on JDK 21+, platform with daemon ="
          + " daemonThreads() on 17")
  void requestThreadsAreVirtualOn21(boolean daemon) throws Exception {
    RecordsThreads server = new RecordsThreads(daemon);
    try (server;
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest();
      assertTrue(server.handled.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      assertTrue(client.seesEndOfStream(TestRules.waitBound()));
    }
    assertEquals(1, server.threads.size());
    Thread thread = server.threads.get(0);
    assertFalse(thread == Thread.currentThread(), "the request ran on the serving thread");
    if (Runtime.version().feature() >= 21) {
      assertTrue(isVirtual(thread), thread + " is not virtual");
      assertTrue(thread.isDaemon(), "a virtual thread is always a daemon thread");
    } else {
      assertFalse(isVirtualIfAvailable(thread), thread + " is virtual on JDK 17");
      assertEquals(daemon, thread.isDaemon(), "daemon_threads decides, as in CPython");
    }
    assertTrue(
        thread.getName().startsWith("socketserver4j RecordsThreads 127.0.0.1:"), thread.getName());
  }
}
