package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.DatagramIo;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixDatagramClient;
import io.github.socketserver4j.testing.UnixPaths;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The faults that datagram I/O on the serving thread must survive (epoll: the serving thread
 * reads and request threads send on the socket's descriptor, below Netty).
 */
class DatagramDirectPathTest {

  @Test
  @DisplayName("an application's event loop group shut down under a server: the late reply fails, it never leaves through a reused descriptor")
  void applicationGroupShutDownUnderServer() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "needs epoll");
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("app-loop", true), EpollIoHandler.newFactory());
    NettyOptions netty = NettyOptions.builder().eventLoopGroup(group).build();
    CountDownLatch inHandle = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    ThreadingUDPServer server =
        new ThreadingUDPServer(anyLoopbackPort(), () -> new DatagramRequestHandler() {
          @Override
          public void handle() throws Exception {
            inHandle.countDown();
            assertTrue(release.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
            wfile().write("reply".getBytes(US_ASCII));
          }
        }) {
          @Override
          protected SocketProvider socketProvider() {
            return netty;
          }

          @Override
          public void handleError(Request request, java.net.SocketAddress clientAddress) {
            errors.add(currentException().orElseThrow());
          }
        };
    Thread loop = new Thread(() -> server.serveForever(Duration.ofMillis(20)), "serve_forever");
    List<java.nio.channels.DatagramChannel> others = new ArrayList<>();
    try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      loop.start();
      byte[] one = {1};
      client.send(new DatagramPacket(one, 1, server.serverAddress()));
      assertTrue(inHandle.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      assertTrue(group.awaitTermination(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      // New sockets take the lowest free descriptor numbers, the server's among them.
      for (int i = 0; i < 6; i++) {
        others.add(
            java.nio.channels.DatagramChannel.open(java.net.StandardProtocolFamily.INET)
                .bind(new InetSocketAddress("127.0.0.1", 0)));
      }
      release.countDown();
      TestRules.awaitTrue(() -> !errors.isEmpty(), "the late reply failed");
      assertTrue(errors.get(0) instanceof SocketException, String.valueOf(errors));
      assertEquals(1, errors.size(), String.valueOf(errors));
    } finally {
      release.countDown();
      server.requestShutdown();
      loop.join(TestRules.waitBound().toMillis());
      server.serverClose();
      for (var c : others) {
        c.close();
      }
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
  }

  /**
   * The child JVM's server: a Unix datagram echo that serves until standard input ends. On "hold"
   * it prints HOLDING and waits (bounded) for the file {@code args[1]}, so that the datagrams the
   * test sends meanwhile queue in the socket, where the serving thread reads them itself.
   */
  public static final class EchoChild {
    public static void main(String[] args) throws Exception {
      Path go = Path.of(args[1]);
      UnixDatagramServer server =
          new UnixDatagramServer(UnixDomainSocketAddress.of(args[0]), () -> new DatagramRequestHandler() {
            @Override
            public void handle() throws IOException {
              if (new String(packet(), US_ASCII).equals("hold")) {
                System.out.println("HOLDING");
                System.out.flush();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!java.nio.file.Files.exists(go) && System.nanoTime() < deadline) {
                  java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
              }
              wfile().write(packet());
            }
          });
      Thread stopper =
          new Thread(
              () -> {
                try (InputStream in = System.in) {
                  while (in.read() >= 0) {
                    // wait for end of input
                  }
                } catch (IOException e) {
                  // the parent is gone
                }
                server.shutdown();
              },
              "stdin-watch");
      stopper.setDaemon(true);
      stopper.start();
      System.out.println("READY");
      System.out.flush();
      try {
        server.serveForever(Duration.ofMillis(50));
      } finally {
        server.serverClose();
      }
      System.out.println("STOPPED");
    }
  }

  @Test
  @DisplayName("a sender path the JVM cannot make a Path of (non-ASCII under LANG=C) is answered at its bytes, as CPython answers it; no socket-error pause")
  void undecodableSenderPath() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "Unix datagrams need epoll");
    try (UnixPaths paths = new UnixPaths()) {
      String serverPath = paths.next().getPath().toString();
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
      if (Runtime.version().feature() >= 24) {
        command.add("--enable-native-access=ALL-UNNAMED");
      }
      String direct = System.getProperty(DatagramIo.PROPERTY);
      if (direct != null) {
        command.add("-D" + DatagramIo.PROPERTY + "=" + direct); // the suite's setting, both ways
      }
      Path go = paths.dir().resolve("go");
      command.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              EchoChild.class.getName(),
              serverPath,
              go.toString()));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().put("LC_ALL", "C");
      pb.environment().put("LANG", "C");
      Process child = pb.start();
      List<String> output = new CopyOnWriteArrayList<>();
      CountDownLatch ready = new CountDownLatch(1);
      CountDownLatch holding = new CountDownLatch(1);
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    if (line.equals("READY")) {
                      ready.countDown();
                    } else if (line.equals("HOLDING")) {
                      holding.countDown();
                    }
                  }
                } catch (IOException e) {
                  // the child ended
                }
              },
              "child-output");
      reader.setDaemon(true);
      reader.start();
      try {
        assertTrue(
            ready.await(TestRules.waitBound().toMillis() * 3, TimeUnit.MILLISECONDS),
            "the child never served: " + output);
        UnixDomainSocketAddress to = UnixDomainSocketAddress.of(serverPath);
        String badPath = paths.dir() + "/\u00e9.sock"; // bound by Netty as UTF-8 bytes
        try (UnixDatagramClient bad = UnixDatagramClient.boundToRawPath(badPath);
            UnixDatagramClient good = new UnixDatagramClient(paths.next())) {
          good.send("hold".getBytes(US_ASCII), to);
          assertTrue(
              holding.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS),
              "the child never held: " + output);
          bad.send("from an undecodable path".getBytes(US_ASCII), to);
          good.send("next".getBytes(US_ASCII), to);
          java.nio.file.Files.createFile(go);
          assertEquals("hold", new String(good.receive(), US_ASCII));
          byte[] answer = bad.receive();
          assertTrue(answer != null, "the sender was not answered: " + output);
          assertEquals("from an undecodable path", new String(answer, US_ASCII));
          byte[] reply = good.receive();
          assertTrue(reply != null, "the server stopped serving: " + output);
          assertEquals("next", new String(reply, US_ASCII));
        }
        OutputStream stdin = child.getOutputStream();
        stdin.close(); // the child shuts down
        assertTrue(
            child.waitFor(TestRules.waitBound().toMillis() * 3, TimeUnit.MILLISECONDS),
            "the child did not stop: " + output);
        reader.join(TestRules.waitBound().toMillis());
        assertEquals(0, child.exitValue(), String.valueOf(output));
        assertTrue(output.contains("STOPPED"), String.valueOf(output));
        assertTrue(
            output.stream()
                .noneMatch(l -> l.contains("WARN io.github") || l.contains("ERROR io.github")),
            "a sender's name was taken for an error: " + output);
      } finally {
        child.destroyForcibly();
      }
    }
  }
}
