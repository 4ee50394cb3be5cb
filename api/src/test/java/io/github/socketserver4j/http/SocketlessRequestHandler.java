package io.github.socketserver4j.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * CPython's {@code SocketlessRequestHandler} (test_httpservers.py): HTTP/1.1, a {@code do_GET}
 * that records the call and sends a small page, and no logging. {@code handleOverride}, when set,
 * replaces {@code handle()} so a test can call one method with the connection set up, as CPython's
 * tests assign {@code rfile}/{@code wfile} and call it.
 */
class SocketlessRequestHandler extends SimpleHTTPRequestHandler {
  boolean getCalled;
  final List<String> logged = new ArrayList<>();
  Step handleOverride;

  interface Step {
    void run(SocketlessRequestHandler h) throws Exception;
  }

  SocketlessRequestHandler() {
    super();
  }

  SocketlessRequestHandler(String directory) {
    super(directory);
  }

  @Override
  public String protocolVersion() {
    return "HTTP/1.1";
  }

  @Override
  public void handle() throws Exception {
    if (handleOverride != null) {
      handleOverride.run(this);
    } else {
      handleOneRequest(); // CPython's tests call handle_one_request() once
    }
  }

  @Override
  public void doGET() throws IOException {
    getCalled = true;
    sendResponse(HTTPStatus.OK.value());
    sendHeader("Content-Type", "text/html");
    endHeaders();
    wfile().write("<html><body>Data</body></html>\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void logMessage(String format, Object... args) {
    logged.add(String.format(format, args));
  }

  // Reach the protected setters from the tests of this package.
  void requestVersion(String version) {
    setRequestVersion(version);
  }

  void request(String command, String requestline) {
    setRequest(command, requestline);
  }
}
