package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.ChildJvm;
import io.github.socketserver4j.testing.Client;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, decision 4: SIGTERM (what {@code Process.destroy()} sends, and what Ctrl-C's SIGINT
 * shares a path with) makes {@link DrainOnSignal#serveForever} drain the server: the requests in
 * flight finish, the code after it runs, and the JVM exits 0.
 */
class DrainOnSignalTest {
  static final int CLIENTS = 4;

  /** The child: each request answers "started", then waits for "finish" to answer "done". */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) throws IOException {
      try (var server = new ThreadingTCPServer(new InetSocketAddress("127.0.0.1", 0),
          () -> new StreamRequestHandler() {
            @Override
            public void handle() throws IOException {
              rfile().readLine();
              wfile().write("started\n".getBytes(StandardCharsets.US_ASCII));
              rfile().readLine(); // in flight until the client says "finish"
              wfile().write("done\n".getBytes(StandardCharsets.US_ASCII));
            }
          })) {
        System.out.println(((InetSocketAddress) server.serverAddress()).getPort());
        Optional<DrainResult> drained = DrainOnSignal.serveForever(server, Duration.ofSeconds(60));
        System.out.println("after serveForever: " + drained);
      }
      System.out.println("main returns");
    }
  }

  @Test
  @DisplayName("SIGTERM under load: in-flight requests finish, code after serveForever runs, exit 0")
  void sigtermDrainsAndExitsZero() throws Exception {
    try (ChildJvm child = ChildJvm.start(Child.class, e -> false)) {
      int port = Integer.parseInt(child.awaitOut(l -> l.matches("\\d+")));
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
      List<Client> clients = new ArrayList<>();
      try {
        for (int i = 0; i < CLIENTS; i++) {
          Client c = Client.connect(address);
          clients.add(c);
          c.send("start\n");
        }
        for (Client c : clients) {
          assertEquals("started\n", c.readLine()); // every request is in flight
        }
        // SIGTERM, as Process.destroy() sends, but without closing our ends of the child's
        // stdout and stderr (Process.destroy() does), so the drain's output can be read.
        child.process().toHandle().destroy();
        child.awaitErr(l -> l.contains("SIGTERM: draining ThreadingTCPServer"));
        for (Client c : clients) {
          c.send("finish\n");
        }
        for (Client c : clients) {
          assertEquals("done\n", c.readLine()); // the drain let it finish
          assertEquals("", c.readAllText());
        }
      } finally {
        for (Client c : clients) {
          c.close();
        }
      }
      assertEquals(0, child.awaitExit(), String.join("\n", child.stderr()));
      List<String> out = child.stdout();
      assertTrue(out.contains("after serveForever: Optional[DrainResult[finished=" + CLIENTS
          + ", cut=0, stillRunning=0]]"), String.join("\n", out));
      assertEquals("main returns", out.get(out.size() - 1));
      assertTrue(child.stderr().stream().anyMatch(l -> l.contains("drained: " + CLIENTS
          + " requests finished, 0 cut")), String.join("\n", child.stderr()));
    }
  }
}
