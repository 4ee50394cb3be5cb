package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs the port of the "Asynchronous Mixins" example and checks what its clients printed. */
class ThreadedEchoClientServerTest {
  private static final Pattern RECEIVED = Pattern.compile("Received: (.+): (Hello World \\d)");

  @Test
  @DisplayName("docs 'Asynchronous Mixins': 3 clients, each answered from its own request thread")
  void threeClientsAreAnsweredFromTheirOwnThreads() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      ThreadedEchoClientServer.run(out);
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(4, lines.size(), String.join("\n", lines));
    assertEquals("Server loop running in thread: server loop", lines.get(0));
    Set<String> handlerThreads = new HashSet<>();
    for (int i = 1; i <= 3; i++) {
      Matcher m = RECEIVED.matcher(lines.get(i));
      assertTrue(m.matches(), lines.get(i));
      assertEquals("Hello World " + i, m.group(2));
      assertNotEquals("server loop", m.group(1), "a ThreadingMixIn server handles off its loop");
      handlerThreads.add(m.group(1));
    }
    assertEquals(3, handlerThreads.size(), "each request gets a new thread: " + handlerThreads);
  }
}
