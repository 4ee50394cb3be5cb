package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.UDPServer;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 5: "the chosen transport is visible (logged at DEBUG, and queryable)". The DEBUG line is
 * checked in a child JVM, because slf4j-simple fixes each logger's level when the logger is made,
 * long before this test runs in the shared test JVM.
 */
class TransportLogTest {
  /** The child: makes a TCP and a UDP server on loopback port 0 and closes them. */
  public static final class Child {
    public static void main(String[] args) throws IOException {
      InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
      try (TCPServer tcp = new TCPServer(any, StreamRequestHandler::new);
          UDPServer udp = new UDPServer(any, StreamRequestHandler::new)) {
        System.out.println("served");
      }
    }
  }

  static List<String> transports() {
    return Transports.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 5: each server logs the transport it chose at DEBUG")
  void transportChoiceLoggedAtDebug(String transport) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.add("-D" + Transports.TRANSPORT_PROPERTY + "=" + transport);
    command.add("-Dorg.slf4j.simpleLogger.log." + NettyOptions.class.getName() + "=debug");
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      assertTrue(
          child.waitFor(TestRules.waitBound().toMillis() * 3, TimeUnit.MILLISECONDS),
          "the child did not end");
      String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, child.exitValue(), output);
      assertTrue(output.contains("served"), output);
      for (String server : List.of("TCPServer", "UDPServer")) {
        String line = server + " uses the " + transport + " transport on its own event loops";
        assertTrue(output.contains("DEBUG") && output.contains(line), "no '" + line + "' in:\n" + output);
      }
    } finally {
      child.destroyForcibly();
    }
  }
}
