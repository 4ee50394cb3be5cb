package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cookbook receiver's select() + handle_request() loop, ported as a handleRequest() loop. */
class LogRecordReceiverTest {

  private static byte[] record(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(4).putInt(payload.length).array());
    out.writeBytes(payload);
    return out.toByteArray();
  }

  @Test
  @DisplayName("serve_until_stopped: records from two clients are read; setting abort ends the loop")
  void serveUntilStopped() throws Exception {
    try (var server = new LogRecordReceiver.Receiver(anyLoopbackPort(),
        LogRecordReceiver.LogRecordStreamHandler::new)) {
      Background loop = Background.start("serve_until_stopped", server::serveUntilStopped);
      for (String text : List.of("first record", "second record")) {
        try (Client c = Client.connect(server.serverAddress())) {
          c.send(record(text)).shutdownOutput();
          assertEquals("", c.readAllText()); // the handler read to the end and closed
        }
      }
      TestRules.awaitTrue(() -> server.records.size() == 2, "both records kept");
      assertEquals(List.of("first record", "second record"), server.records);
      server.abort = true; // self.abort = 1: the loop sees it after at most timeout()
      loop.join();
    }
  }
}
