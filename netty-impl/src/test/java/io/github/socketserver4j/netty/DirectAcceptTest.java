package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.ServerInternals;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.UnixStreamServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, "accept where CPython accepts": on epoll the serving thread of a stream server
 * without handlers of the user's accepts the connections waiting in the backlog itself ({@link
 * DirectAccept}), on a duplicate of the listening descriptor that the server closes with the
 * listener. {@code NettyOptions.Builder.directAccept} wins over the system property {@code
 * socketserver4j.netty.directAccept}.
 */
class DirectAcceptTest {
  private static final String PROPERTY = "socketserver4j.netty.directAccept";

  /** Echoes one line. */
  static final class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  private static TCPServer tcp(NettyOptions netty) throws IOException {
    return new TCPServer(new InetSocketAddress("127.0.0.1", 0), EchoLine::new) {
      @Override
      protected SocketProvider socketProvider() {
        return netty != null ? netty : super.socketProvider();
      }
    };
  }

  private static NettyServerSocket impl(TCPServer server) {
    return (NettyServerSocket) ServerInternals.impl(server);
  }

  private static <T> T withProperty(String value, Callable<T> body) throws Exception {
    String old = System.getProperty(PROPERTY);
    System.setProperty(PROPERTY, value);
    try {
      return body.call();
    } finally {
      if (old == null) {
        System.clearProperty(PROPERTY);
      } else {
        System.setProperty(PROPERTY, old);
      }
    }
  }

  /** Sends a line, before the server serves the connection: its handler runs on this thread. */
  private static void send(Socket client, String line) throws IOException {
    OutputStream out = client.getOutputStream();
    out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static void assertEchoed(Socket client, String line) throws IOException {
    client.setSoTimeout((int) TestRules.waitBound().toMillis());
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
    assertEquals(line, in.readLine());
  }

  /** Serves one connection made before serving began; returns how many the thread accepted. */
  private static long serveOne(String transport, String property, NettyOptions netty)
      throws Exception {
    TCPServer server = Transports.with(transport, () -> withProperty(property, () -> tcp(netty)));
    try (server;
        Socket client = new Socket()) {
      client.connect(server.serverAddress());
      send(client, "hello");
      server.handleRequest(); // the connection waits in the backlog: the serving thread takes it
      assertEchoed(client, "hello");
      return impl(server).directAccepts();
    }
  }

  @Test
  @DisplayName("the property turns direct accept on and off; the builder's setting wins over it")
  void propertyAndBuilder() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "direct accept needs epoll");
    assertEquals(1, serveOne("epoll", "true", null));
    assertEquals(0, serveOne("epoll", "false", null));
    assertEquals(0, serveOne("epoll", "true", NettyOptions.builder().directAccept(false).build()));
    assertEquals(1, serveOne("epoll", "false", NettyOptions.builder().directAccept(true).build()));
  }

  @Test
  @DisplayName(
      "NIO and a pipeline initializer keep accept on the event loop whatever the switch says")
  void onlyWhereItApplies() throws Exception {
    NettyOptions on = NettyOptions.builder().directAccept(true).build();
    assertEquals(0, serveOne("nio", "true", on));
    assumeTrue(Transports.available().contains("epoll"), "epoll for the pipeline case");
    NettyOptions withHandlers =
        NettyOptions.builder()
            .directAccept(true)
            .pipeline(ch -> ch.pipeline().addLast(new io.netty.channel.ChannelDuplexHandler()))
            .build();
    assertEquals(0, serveOne("epoll", "true", withHandlers));
  }

  @Test
  @DisplayName("a property value other than true or false fails the constructor, naming it")
  void badPropertyValue() throws Exception {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> withProperty("sometimes", () -> tcp(null)));
    assertTrue(e.getMessage().contains(PROPERTY + "=sometimes"), e.getMessage());
  }

  @Test
  @DisplayName("queued connections are each taken by one accept of the serving thread, in order")
  void backlogDrainedByTheServingThread() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "direct accept needs epoll");
    NettyOptions on = NettyOptions.builder().directAccept(true).build();
    TCPServer server = Transports.with("epoll", () -> tcp(on));
    List<Socket> clients = new ArrayList<>();
    try (server) {
      for (int i = 0; i < 3; i++) {
        Socket c = new Socket();
        clients.add(c);
        c.connect(server.serverAddress());
        send(c, "client " + i);
      }
      for (int i = 0; i < 3; i++) {
        server.handleRequest();
        assertEchoed(clients.get(i), "client " + i);
      }
      assertEquals(3, impl(server).directAccepts());
    } finally {
      for (Socket c : clients) {
        c.close();
      }
    }
  }

  @Test
  @DisplayName("handle_request() with a zero timeout serves a connection waiting in the backlog, as"
      + " CPython's does (differences.md 12 applies only where the event loop accepts)")
  void zeroTimeoutSeesAWaitingConnection() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "direct accept needs epoll");
    NettyOptions on = NettyOptions.builder().directAccept(true).build();
    List<String> events = new ArrayList<>();
    TCPServer server =
        Transports.with(
            "epoll",
            () ->
                new TCPServer(new InetSocketAddress("127.0.0.1", 0), EchoLine::new) {
                  @Override
                  protected SocketProvider socketProvider() {
                    return on;
                  }

                  @Override
                  public void handleTimeout() {
                    events.add("timeout");
                  }

                  @Override
                  public void finishRequest(
                      io.github.socketserver4j.Request request, java.net.SocketAddress client)
                      throws Exception {
                    super.finishRequest(request, client);
                    events.add("handled");
                  }
                });
    try (server;
        Socket client = new Socket()) {
      server.socket().setTimeout(java.time.Duration.ZERO);
      client.connect(server.serverAddress());
      send(client, "now");
      TestRules.awaitTrue(() -> acceptQueueHasOne(server), "the connection in the backlog");
      server.handleRequest();
      assertEquals(List.of("handled"), events);
      assertEchoed(client, "now");
    }
  }

  /** Whether the kernel completed the connection: the listener's accept queue holds it. */
  private static boolean acceptQueueHasOne(TCPServer server) {
    InetSocketAddress address = (InetSocketAddress) server.serverAddress();
    String port = String.format(":%04X", address.getPort());
    try {
      for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[1].endsWith(port) && f[3].equals("0A")) {
          String rxQueue = f[4].substring(f[4].indexOf(':') + 1);
          return Integer.parseInt(rxQueue, 16) >= 1; // a listener's rx_queue: its accept queue
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return false;
  }

  @Test
  @DisplayName("a Unix stream server accepts on the serving thread and reports the client's name")
  void unixStream(@TempDir Path dir) throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "direct accept needs epoll");
    NettyOptions on = NettyOptions.builder().directAccept(true).build();
    Path path = dir.resolve("s");
    List<Object> addresses = new ArrayList<>();
    UnixStreamServer server =
        Transports.with(
            "epoll",
            () ->
                new UnixStreamServer(
                    UnixDomainSocketAddress.of(path),
                    () ->
                        new StreamRequestHandler() {
                          @Override
                          public void handle() throws IOException {
                            addresses.add(clientAddress());
                            wfile().write(rfile().readLine());
                          }
                        }) {
                  @Override
                  protected SocketProvider socketProvider() {
                    return on;
                  }
                });
    try (server;
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      client.connect(UnixDomainSocketAddress.of(path));
      client.write(ByteBuffer.wrap("unix\n".getBytes(StandardCharsets.US_ASCII)));
      server.handleRequest();
      ByteBuffer reply = ByteBuffer.allocate(16);
      client.configureBlocking(false);
      try (Selector selector = Selector.open()) {
        client.register(selector, SelectionKey.OP_READ);
        long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
        while (reply.position() < 5 && System.nanoTime() < deadline) {
          selector.select(TestRules.waitBound().toMillis());
          selector.selectedKeys().clear();
          if (client.read(reply) < 0) {
            break;
          }
        }
      }
      assertEquals(
          "unix\n", new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII));
      assertEquals(1, impl(server).directAccepts());
      assertEquals(1, addresses.size());
    }
  }

  @Test
  @DisplayName(
      "server_close() closes the listening socket: the duplicate does not keep it listening")
  void closeReleasesTheListeningSocket() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "direct accept needs epoll");
    NettyOptions on = NettyOptions.builder().directAccept(true).build();
    TCPServer server = Transports.with("epoll", () -> tcp(on));
    InetSocketAddress address = (InetSocketAddress) server.serverAddress();
    DirectAccept path;
    try (server;
        Socket client = new Socket()) {
      client.connect(address);
      send(client, "before close");
      server.handleRequest();
      assertEchoed(client, "before close");
      assertTrue(impl(server).usesDirectAccept());
      path = directPath(server);
    }
    assertTrue(path.isClosed(), "the duplicate descriptor is still open");
    assertRefused(address);
  }

  @Test
  @DisplayName(
      "an application group shut down under the server: the duplicate stays open no longer than"
          + " Netty's listener, and server_close() closes it")
  void applicationGroupShutDown() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "direct accept needs epoll");
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, Transport.EPOLL.ioHandlerFactory());
    NettyOptions on = NettyOptions.builder().eventLoopGroup(group).directAccept(true).build();
    TCPServer server = tcp(on);
    DirectAccept path;
    try (server) {
      assertTrue(impl(server).usesDirectAccept());
      path = directPath(server);
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      assertTrue(group.awaitTermination(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      // Netty's shutdown closes the listener (not always: then it stays open until
      // server_close, and so does the duplicate). Its close listener closes the duplicate; if
      // the terminated loop could not notify it, the next accept attempt does.
      server.socket().setTimeout(java.time.Duration.ofMillis(50));
      boolean listenerOpen = impl(server).channel.isOpen();
      server.handleRequest(); // times out
      if (!listenerOpen) {
        TestRules.awaitTrue(
            () -> {
              server.handleRequest(); // after the accept backoff, if there was one
              return path.isClosed();
            },
            "the duplicate closed with the listener");
      }
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
    assertTrue(path.isClosed(), "server_close() left the duplicate open");
  }

  private static DirectAccept directPath(BaseServer server) throws Exception {
    var field = NettyServerSocket.class.getDeclaredField("direct");
    field.setAccessible(true);
    return (DirectAccept) field.get(ServerInternals.impl((TCPServer) server));
  }

  private static void assertRefused(InetSocketAddress address) {
    assertThrows(
        ConnectException.class,
        () -> {
          try (Socket s = new Socket()) {
            s.connect(address, (int) TestRules.waitBound().toMillis());
          }
        },
        "something still listens on " + address);
  }
}
