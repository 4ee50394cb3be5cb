package io.github.socketserver4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The parity clients themselves, against a plain java.net server. */
class ClientRunnerTest {

  /**
   * Issue 10, item 1 ("a write stalls under CPU load"): {@code echo_line_long} saw the first
   * 65,536 bytes of its reply and the rest after the 3 s bound. The server had sent all of it
   * within milliseconds (strace); the client spent the time testing for the delimiter, copying
   * everything read so far once per byte. A line of 2 MiB made that certain even on a quiet
   * machine (about 10^12 bytes copied); read linearly it takes milliseconds.
   */
  @Test
  @DisplayName("issue 10 item 1: recv_until reads a 2 MiB line within the scenario's bound")
  void recvUntilReadsALongLineWithinTheBound() throws Exception {
    int size = 2 * 1024 * 1024;
    byte[] line = new byte[size + 1];
    Arrays.fill(line, (byte) 'y');
    line[size] = '\n';
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served =
          CompletableFuture.runAsync(
              () -> {
                try (Socket s = listener.accept();
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream()) {
                  in.read();
                  out.write(line);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      JsonNode json =
          Json.parse(
              "{\"clients\": [{\"steps\": ["
                  + "{\"op\": \"connect\"}, {\"op\": \"send\", \"data\": \"x\"},"
                  + "{\"op\": \"recv_until\", \"delim\": \"\\n\"}, {\"op\": \"read_to_end\"}]}]}");
      Scenario scenario = new Scenario("long_line", Path.of("long_line.json"), json);
      ClientRunner runner =
          new ClientRunner(
              scenario,
              new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
              (ObjectNode command) -> {
                throw new AssertionError("no server commands in this scenario");
              });
      ClientRunner.Outcome outcome = runner.run();
      served.get(30, TimeUnit.SECONDS);
      assertEquals(
          List.of(
              "connect: ok",
              "send 1 bytes",
              "recv_until b'\\n': " + ClientRunner.repr(line),
              "read_to_end: b'' then eof"),
          outcome.records().get("c0"));
    }
  }
}
