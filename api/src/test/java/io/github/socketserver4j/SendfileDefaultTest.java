package io.github.socketserver4j;

import static io.github.socketserver4j.memory.MemoryNetwork.anyPort;
import static io.github.socketserver4j.testing.ApiTestRules.awaitEnded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.socketserver4j.memory.MemoryClient;
import io.github.socketserver4j.memory.MemoryNetwork;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StreamRequest#sendfile}'s default, CPython's {@code _sendfile_use_send}: blocks read from
 * the file and sent with {@code sendall}, for transports that do not override it. Each count and
 * position is what python3.13's {@code socket.sendfile} gave for the same call.
 */
class SendfileDefaultTest {

  @Test
  @DisplayName("sendfile(file, offset, count) by default: the bytes, the count sent, tell() after them")
  void defaultSendsTheBytes(@TempDir Path dir) throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 70_000; i++) {
      text.append(i).append('\n'); // more than one 64 KiB block
    }
    Path path = Files.writeString(dir.resolve("data.txt"), text);
    List<Object> seen = new CopyOnWriteArrayList<>();
    TCPServer server =
        new TCPServer(anyPort(), () -> new BaseRequestHandler() {
          @Override
          public void handle() throws Exception {
            StreamRequest r = (StreamRequest) request();
            try (FileChannel f = FileChannel.open(path)) {
              seen.add(r.sendfile(f, 0, Long.MAX_VALUE));
              seen.add(f.position());
              seen.add(r.sendfile(f, 2, 3));
              seen.add(f.position());
              seen.add(r.sendfile(f, 1_000_000, 10));
              seen.add(f.position());
              assertThrows(IllegalArgumentException.class, () -> r.sendfile(f, 0, 0));
              assertThrows(SocketException.class, () -> r.sendfile(f, -1, 1));
            }
            r.close();
          }
        }) {
          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            seen.add(currentException().orElseThrow());
          }
        };
    try (server;
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      Thread serving = new Thread(server::handleRequest, "serving");
      serving.start();
      String got = client.readAll(Duration.ofSeconds(30));
      awaitEnded(serving, "handleRequest");
      long size = Files.size(path);
      assertEquals(List.of(size, size, 3L, 5L, 0L, 1_000_000L), seen);
      String whole = new String(Files.readAllBytes(path), StandardCharsets.US_ASCII);
      assertEquals(whole + whole.substring(2, 5), got);
    }
  }
}
