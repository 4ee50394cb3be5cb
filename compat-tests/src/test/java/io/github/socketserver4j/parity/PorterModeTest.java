package io.github.socketserver4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.parity.example.LogServer;
import io.github.socketserver4j.parity.example.UdpUpperServer;
import io.github.socketserver4j.parity.example.UnixDatagramUpperServer;
import io.github.socketserver4j.parity.example.UnixUpperServer;
import io.github.socketserver4j.parity.example.UpperServer;
import io.github.socketserver4j.parity.example.WebhookServer;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Porter mode through {@link PortCheck}, the JUnit entry point, on the examples in
 * src/test/porter-example: each Python server and its Java port (in ...parity.example).
 * Each test also checks what CPython's side showed, so an empty run cannot pass.
 */
class PorterModeTest {
  private static final String EXAMPLE = "src/test/porter-example/";

  private String python;

  @BeforeEach
  void python() {
    Assumptions.assumeFalse(Boolean.getBoolean("parity.skip"), "parity skipped with -Dparity.skip=true");
    python = ParitySuiteTest.pythons().get(0).executable().toString();
  }

  private PortCheck check(String script, Class<?> port, String scenario) {
    return PortCheck.python(EXAMPLE + script).java(port).scenario(EXAMPLE + scenario)
        .interpreter(python);
  }


  @Test
  @DisplayName("porter mode: a TCP server and its port give the clients the same bytes")
  void tcpExampleMatches() throws Exception {
    PortResult r = check("upper_server.py", UpperServer.class, "upper_clients.json").run();
    assertTrue(r.matches(), r.report());
    assertTrue(r.pythonSide().contains("recv_until b'\\\\n': b'HELLO\\\\n'"), r.pythonSide());
    assertTrue(r.pythonSide().contains("read_to_end: b'bye\\\\n' then eof"), r.pythonSide());
  }

  @Test
  @DisplayName("porter mode: a UDP server and its port (datagram steps, data_hex, data_base64)")
  void udpExampleMatches() throws Exception {
    PortResult r = check("udp_upper_server.py", UdpUpperServer.class, "udp_upper_clients.json").run();
    assertTrue(r.matches(), r.report());
    String py = r.pythonSide();
    assertTrue(py.contains("recv_datagram: b'HELLO'"), py);
    assertTrue(py.contains("recv_datagram: b'\\\\x00A\\\\xff'"), py);
    assertTrue(py.contains("recv_datagram: b'WORLD'"), py);
  }

  @Test
  @DisplayName("porter mode: a Unix stream server on {tmp}, a path argument for each side")
  void unixStreamExampleMatches() throws Exception {
    PortResult r = check("unix_upper_server.py", UnixUpperServer.class, "stream_upper_clients.json")
        .pythonArgs("{tmp}/upper.sock").javaArgs("{tmp}/upper.sock").run();
    assertTrue(r.matches(), r.report());
    assertTrue(r.pythonSide().contains("recv_until b'\\\\n': b'CAF\\\\xe9\\\\n'"), r.pythonSide());
    assertTrue(r.pythonSide().contains("read_to_end: b'' then eof"), r.pythonSide());
  }

  @Test
  @DisplayName("porter mode: a Unix datagram server; the clients bind their own paths")
  void unixDatagramExampleMatches() throws Exception {
    Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"),
        "Unix datagram servers need Linux with epoll (differences.md)");
    PortResult r = check("unix_dgram_upper_server.py", UnixDatagramUpperServer.class,
        "udp_upper_clients.json").pythonArgs("{tmp}/d.sock").javaArgs("{tmp}/d.sock").run();
    assertTrue(r.matches(), r.report());
    assertTrue(r.pythonSide().contains("recv_datagram: b'HELLO'"), r.pythonSide());
  }

  @Test
  @DisplayName("porter mode (the false pass): clients that fail on both sides never match")
  void clientErrorsOnBothSidesDoNotMatch() throws Exception {
    // Stream steps against UDP servers: the connect is refused on both sides, the send then
    // fails in the client. Both sides "agree", but nothing about the port was checked.
    PortResult r = check("udp_upper_server.py", UdpUpperServer.class, "upper_clients.json").run();
    assertFalse(r.matches(), r.report());
    assertTrue(r.diff().isEmpty(), r.report());
    assertFalse(r.pythonClientErrors().isEmpty(), r.report());
    assertFalse(r.javaClientErrors().isEmpty(), r.report());
    assertTrue(r.report().contains("The port was not checked: a client failed"), r.report());
  }

  @Test
  @DisplayName("porter mode: stdout and stderr compared after the normalisers (hook log, handle_error)")
  void outputComparedAfterNormalisers() throws Exception {
    // The Java side without an SLF4J backend, as a port with exactly the README's dependencies:
    // handleError then prints CPython's text on stderr.
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.contains("slf4j-simple"))
        .collect(Collectors.joining(File.pathSeparator));
    PortResult r = check("log_server.py", LogServer.class, "log_clients.json")
        .javaClasspath(classpath).compareOutput(true, true).run();
    assertTrue(r.matches(), r.report());
    String py = r.pythonSide();
    assertTrue(py.contains("setup ('127.0.0.1', <c0 port>) <thread>"), py);
    assertTrue(py.contains("recv b'hi\\\\n' at <time>"), py);
    assertTrue(py.contains(
        "Exception occurred during processing of request from ('127.0.0.1', <c1 port>)"), py);
    assertTrue(py.contains("<traceback>"), py);
    assertTrue(py.contains("----------------------------------------"), py);
  }

  @Test
  @DisplayName("porter mode: an http.server program and its port (replies and request log)")
  void httpServerExampleMatches() throws Exception {
    // The request log goes to stderr on both sides: CPython's log_message, and the port's
    // BaseHTTPRequestHandler.logMessage. Date and Server headers are normalised (http-date,
    // http-server); everything else of each reply must be the same bytes.
    PortResult r = check("webhook_server.py", WebhookServer.class, "webhook_clients.json")
        .compareOutput(false, true).run();
    assertTrue(r.matches(), r.report());
    String py = r.pythonSide();
    assertTrue(py.contains("HTTP/1.0 201 Created"), py);
    assertTrue(py.contains("{\\\"received\\\": 13, \\\"count\\\": 1}"), py); // JSON-escaped
    assertTrue(py.contains("Server: <server>"), py);
    // The error pages are long (shown by their hashes); the log names each error.
    assertTrue(py.contains("code 404, message No such hook"), py);
    assertTrue(py.contains("code 501, message Unsupported method ('DELETE')"), py);
    assertTrue(py.contains("code 400, message Bad request syntax ('BAD')"), py);
    assertTrue(py.contains("[<time>] \\\"POST /hook HTTP/1.0\\\" 201 -"), py);
  }

  @Test
  @DisplayName("porter mode: output that differs is shown side by side")
  void differentOutputIsShown() throws Exception {
    // The TCP example's port prints its address only; upper_server.py too: the same. Comparing
    // the log server with the upper server's port shows the missing log lines.
    PortResult r = check("log_server.py", UpperServer.class, "log_clients.json")
        .compareOutput(true, false).run();
    assertFalse(r.matches());
    assertTrue(r.diff().stream().anyMatch(l -> l.startsWith("stdout")), r.report());
    assertTrue(r.diff().stream().anyMatch(l -> l.contains("≠") && l.contains("verify_request")),
        r.report());
    assertEquals(List.of(), r.pythonClientErrors(), r.report());
  }
}
