package io.github.socketserver4j.parity.http;

import io.github.socketserver4j.http.BaseHTTPRequestHandler;
import io.github.socketserver4j.http.HTTPStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The Java port of {@code parity-http/handlers.py}, line by line: CPython's test_httpservers
 * handler plus the Expect and body cases of issue 12.
 */
public class ParityHandler extends BaseHTTPRequestHandler {
  @Override
  public String protocolVersion() {
    return "HTTP/1.1";
  }

  @Override
  public String defaultRequestVersion() {
    return "HTTP/1.1";
  }

  @Override
  public void logMessage(String format, Object... args) {}

  @Override
  public boolean handleExpect100() throws IOException {
    if (path().startsWith("/reject")) {
      sendError(HTTPStatus.EXPECTATION_FAILED.value());
      return false;
    }
    return super.handleExpect100();
  }

  public void doTEST() throws IOException {
    sendResponse(HTTPStatus.NO_CONTENT.value());
    sendHeader("Content-Type", "text/html");
    sendHeader("Connection", "close");
    endHeaders();
  }

  public void doKEEP() throws IOException {
    sendResponse(HTTPStatus.NO_CONTENT.value());
    sendHeader("Content-Type", "text/html");
    sendHeader("Connection", "keep-alive");
    endHeaders();
  }

  public void doKEYERROR() throws IOException {
    sendError(999);
  }

  public void doNOTFOUND() throws IOException {
    sendError(HTTPStatus.NOT_FOUND.value());
  }

  public void doEXPLAINERROR() throws IOException {
    sendError(999, "Short Message", "This is a long \n explanation");
  }

  public void doCUSTOM() throws IOException {
    sendResponse(999);
    sendHeader("Content-Type", "text/html");
    sendHeader("Connection", "close");
    endHeaders();
  }

  public void doLATINONEHEADER() throws IOException {
    sendResponse(999);
    sendHeader("X-Special", "Dängerous Mind");
    sendHeader("Connection", "close");
    endHeaders();
    byte[] body = headers().get("x-special-incoming").orElseThrow().getBytes(StandardCharsets.UTF_8);
    wfile().write(body);
  }

  public void doSEND_ERROR() throws IOException {
    sendError(Integer.parseInt(path().substring(1)));
  }

  public void doHEAD() throws IOException {
    sendError(Integer.parseInt(path().substring(1)));
  }

  public void doGET() throws IOException {
    StringBuilder text = new StringBuilder(command() + " " + path() + " " + requestVersion() + "\n");
    for (Map.Entry<String, String> h : headers().items()) {
      text.append(h.getKey()).append('=').append(h.getValue()).append('\n');
    }
    byte[] body = text.toString().getBytes(StandardCharsets.ISO_8859_1);
    sendResponse(200);
    sendHeader("Content-Length", String.valueOf(body.length));
    sendHeader("X-Custom", "yes");
    endHeaders();
    wfile().write(body);
  }

  public void doPOST() throws IOException {
    byte[] body;
    if (headers().get("Transfer-Encoding", "").equalsIgnoreCase("chunked")) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(new String(rfile().readLine(), StandardCharsets.ISO_8859_1).strip(), 16);
        if (size == 0) {
          rfile().readLine();
          break;
        }
        all.write(rfile().readNBytes(size));
        rfile().readLine();
      }
      body = all.toByteArray();
    } else {
      body = rfile().readNBytes(Integer.parseInt(headers().get("Content-Length", "0")));
    }
    sendResponse(200);
    sendHeader("Content-Type", "application/octet-stream");
    sendHeader("Content-Length", String.valueOf(body.length));
    endHeaders();
    wfile().write(body);
  }
}
