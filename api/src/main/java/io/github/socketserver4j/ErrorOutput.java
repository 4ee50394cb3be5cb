package io.github.socketserver4j;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.SocketAddress;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Where the default {@link BaseServer#handleError(Request, SocketAddress)} reports: through SLF4J
 * when the application has a logging backend, else on {@code System.err} in CPython's own words,
 * so a program with only socketserver4j on its class path shows its handlers' errors as the
 * Python program did, instead of SLF4J's "No SLF4J providers were found".
 */
final class ErrorOutput {
  /** CPython's {@code '-'*40}. */
  static final String DASHES = "-".repeat(40);

  private static volatile Boolean toStderr;

  private ErrorOutput() {}

  /** Reports the exception of a request from {@code clientAddress}. */
  static void report(Logger log, SocketAddress clientAddress, Throwable exception) {
    String client = PythonReprs.address(clientAddress);
    if (!stderr()) {
      log.error("Exception occurred during processing of request from {}", client, exception);
      return;
    }
    System.err.print(text(client, exception));
    System.err.flush();
  }

  /**
   * CPython's {@code handle_error} output: dashes, the sentence, the traceback (here the Java
   * stack trace), dashes. One string, printed at once, so threads do not interleave.
   */
  static String text(String client, Throwable exception) {
    StringWriter s = new StringWriter();
    PrintWriter w = new PrintWriter(s);
    w.println(DASHES);
    w.println("Exception occurred during processing of request from " + client);
    if (exception != null) {
      exception.printStackTrace(w);
    } else {
      w.println("NoneType: None"); // Python's traceback.print_exc() outside an except block
    }
    w.println(DASHES);
    w.flush();
    return s.toString();
  }

  /**
   * Whether SLF4J has no backend: it fell back to its no-operation logger and no provider is
   * registered (slf4j-nop counts as a backend: its user chose silence).
   */
  static boolean stderr() {
    Boolean b = toStderr;
    if (b == null) {
      b = LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory && !providerRegistered();
      toStderr = b;
    }
    return b;
  }

  private static boolean providerRegistered() {
    if (!System.getProperty("slf4j.provider", "").isBlank()) {
      return true;
    }
    try {
      return ServiceLoader.load(SLF4JServiceProvider.class, LoggerFactory.class.getClassLoader())
          .stream().findAny().isPresent();
    } catch (java.util.ServiceConfigurationError e) {
      return false;
    }
  }
}
