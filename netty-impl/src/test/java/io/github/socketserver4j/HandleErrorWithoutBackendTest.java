package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.ChildJvm;
import io.github.socketserver4j.testing.Client;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: with exactly the README's dependencies (no SLF4J backend) a handler's exception
 * printed only SLF4J's "No SLF4J providers were found"; CPython's handle_error always prints to
 * stderr. Now the default handleError prints CPython's text there.
 */
class HandleErrorWithoutBackendTest {

  /** The child: a TCPServer whose handler raises; serves one request, then exits. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) throws IOException {
      try (TCPServer server = new TCPServer(new InetSocketAddress("127.0.0.1", 0),
          () -> new StreamRequestHandler() {
            @Override
            public void handle() throws IOException {
              rfile().readLine();
              throw new IllegalStateException("boom in handle");
            }
          })) {
        System.out.println(((InetSocketAddress) server.serverAddress()).getPort());
        server.handleRequest();
      }
      System.out.println("served");
    }
  }

  @Test
  @DisplayName("handle_error without an SLF4J backend: dashes, CPython's sentence, the trace, dashes on stderr")
  void cpythonTextOnStderr() throws Exception {
    try (ChildJvm child = ChildJvm.start(Child.class, e -> e.contains("slf4j-simple"))) {
      int port = Integer.parseInt(child.awaitOut(l -> l.matches("\\d+")));
      int clientPort;
      try (Client c = Client.connect(new InetSocketAddress("127.0.0.1", port))) {
        clientPort = c.socket().getLocalPort();
        c.send("hi\n");
        assertEquals("", c.readAllText());
      }
      assertEquals(0, child.awaitExit(), String.join("\n", child.stderr()));
      List<String> err = child.stderr().stream().filter(l -> !l.startsWith("SLF4J")).toList();
      String dashes = "-".repeat(40);
      // CPython: print('-'*40); print('Exception occurred during processing of request from',
      // client_address); traceback.print_exc(); print('-'*40)
      assertEquals(dashes, err.get(0), String.join("\n", err));
      assertEquals("Exception occurred during processing of request from ('127.0.0.1', "
          + clientPort + ")", err.get(1));
      assertEquals("java.lang.IllegalStateException: boom in handle", err.get(2));
      assertTrue(err.get(3).startsWith("\tat "), err.get(3));
      assertEquals(dashes, err.get(err.size() - 1));
      assertFalse(child.stdout().isEmpty());
      assertEquals("served", child.stdout().get(child.stdout().size() - 1));
    }
  }
}
