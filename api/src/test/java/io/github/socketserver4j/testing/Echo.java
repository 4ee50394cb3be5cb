package io.github.socketserver4j.testing;

import io.github.socketserver4j.StreamRequestHandler;
import java.io.IOException;

/** CPython's test handler: {@code self.wfile.write(self.rfile.readline())}. */
public class Echo extends StreamRequestHandler {
  @Override
  public void handle() throws IOException {
    wfile().write(rfile().readLine());
  }
}
