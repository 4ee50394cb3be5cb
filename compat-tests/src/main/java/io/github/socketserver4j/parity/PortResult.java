package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What a {@link PortCheck} found: each side's clients (and output, when compared), and the
 * differences. A port matches when the differences are empty and no client failed on either
 * side: two runs whose clients both failed (a datagram step against a stream server, a refused
 * connection) show nothing about the port, so they never match.
 */
public final class PortResult {
  private final String script;
  private final String javaMain;
  private final String scenario;
  private final String python;
  private final ObjectNode pythonSide;
  private final ObjectNode javaSide;
  private final List<String> diff;
  private final List<String> pythonClientErrors;
  private final List<String> javaClientErrors;

  PortResult(String script, String javaMain, String scenario, String python, ObjectNode pythonSide,
      ObjectNode javaSide, List<String> diff, List<String> pythonClientErrors,
      List<String> javaClientErrors) {
    this.script = script;
    this.javaMain = javaMain;
    this.scenario = scenario;
    this.python = python;
    this.pythonSide = pythonSide;
    this.javaSide = javaSide;
    this.diff = List.copyOf(diff);
    this.pythonClientErrors = List.copyOf(pythonClientErrors);
    this.javaClientErrors = List.copyOf(javaClientErrors);
  }

  /**
   * Returns whether the port behaved as the Python server: no difference, no client error.
   *
   * @return whether they match
   */
  public boolean matches() {
    return diff.isEmpty() && pythonClientErrors.isEmpty() && javaClientErrors.isEmpty();
  }

  /**
   * Returns the differences, side by side (Python on the left), one line each; empty when the
   * two sides agree.
   *
   * @return the difference lines
   */
  public List<String> diff() {
    return diff;
  }

  /**
   * Returns the client steps that failed with an error on the Python side.
   *
   * @return {@code "c0: client error: ..."} lines
   */
  public List<String> pythonClientErrors() {
    return pythonClientErrors;
  }

  /**
   * Returns the client steps that failed with an error on the Java side.
   *
   * @return {@code "c0: client error: ..."} lines
   */
  public List<String> javaClientErrors() {
    return javaClientErrors;
  }

  /**
   * Returns what the Python side showed, as JSON text (the clients' records, and the output when
   * compared).
   *
   * @return the Python side
   */
  public String pythonSide() {
    return Json.pretty(pythonSide);
  }

  /**
   * Returns what the Java side showed, as JSON text.
   *
   * @return the Java side
   */
  public String javaSide() {
    return Json.pretty(javaSide);
  }

  /**
   * The report porter mode prints: the two programs, then either what both clients saw and the
   * verdict, or the differences and the client errors.
   *
   * @return the report
   */
  public String report() {
    StringBuilder sb = new StringBuilder();
    sb.append("Python (").append(script).append(", ").append(python).append(") vs Java (")
        .append(javaMain).append("), scenario ").append(scenario).append('\n');
    if (matches()) {
      sb.append(pythonSide()).append('\n');
      sb.append("The clients saw the same from both servers.\n");
      return sb.toString();
    }
    diff.forEach(l -> sb.append(l).append('\n'));
    if (!pythonClientErrors.isEmpty()) {
      sb.append("The clients failed against the Python server, so the comparison shows nothing:\n");
      pythonClientErrors.forEach(l -> sb.append("  ").append(l).append('\n'));
    }
    if (!javaClientErrors.isEmpty()) {
      sb.append("The clients failed against the Java server, so the comparison shows nothing:\n");
      javaClientErrors.forEach(l -> sb.append("  ").append(l).append('\n'));
    }
    if (diff.isEmpty()) {
      sb.append("(both sides saw the same, errors included)\n").append(pythonSide()).append('\n');
    }
    sb.append(diff.isEmpty()
        ? "The port was not checked: a client failed (left: Python).\n"
        : "The clients saw different things (left: Python).\n");
    return sb.toString();
  }

  @Override
  public String toString() {
    return report();
  }
}
