package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The server half of one scenario run: CPython's socketserver in a Python process ({@link
 * PythonServerSide}) or socketserver4j in this JVM ({@link JavaDriver}). Both speak the protocol
 * of {@code parity_server.py}: a start event, then commands, then a transcript.
 */
interface ServerSide extends AutoCloseable {

  /**
   * Builds the server. Returns {@code {"event":"ready","address":[host,port]}}, {@code
   * {"event":"unavailable","reason":...}} or {@code {"event":"construct","result":"raised:..."}}.
   */
  JsonNode start() throws Exception;

  /** Runs one command ({@code {"cmd":..., "bound":...}}); returns its {@code done} event. */
  JsonNode command(ObjectNode msg);

  /** Stops what still runs, closes the server and returns the transcript. */
  JsonNode finish(double bound);

  /** "CPython 3.13.0" or "socketserver4j". */
  String describe();

  /** Anything the side wrote to stderr, for failure messages (may be empty). */
  default String diagnostics() {
    return "";
  }

  @Override
  void close();
}
