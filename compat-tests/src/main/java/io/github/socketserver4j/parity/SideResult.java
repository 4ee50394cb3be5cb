package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What one side did in one scenario run: a normalised result, or why there is none. */
record SideResult(String side, ObjectNode result, String unavailable, String error, List<String> expectFailures) {

  boolean ok() {
    return result != null;
  }

  /**
   * Runs the scenario's clients against one side and normalises what happened.
   *
   * @param helperPython the interpreter that runs Unix datagram clients ({@code
   *     parity_unix_dgram_client.py}); the same program for either side
   */
  static SideResult run(Scenario sc, String serverClass, ServerSide side, Path helperPython) {
    try (side) {
      JsonNode start = side.start();
      String event = start.path("event").asText();
      if (event.equals("unavailable")) {
        return new SideResult(side.describe(), null, start.path("reason").asText(), null, List.of());
      }
      if (event.equals("construct")) {
        ObjectNode r = Normaliser.normalise(sc, serverClass, start, null, null);
        return new SideResult(side.describe(), r, null, null, Normaliser.checkExpectations(sc, serverClass, r));
      }
      if (!event.equals("ready")) {
        return new SideResult(side.describe(), null, null, "unexpected start: " + start, List.of());
      }
      JsonNode a = start.path("address");
      SocketAddress address = a.isTextual()
          ? UnixDomainSocketAddress.of(a.asText())
          : new InetSocketAddress(a.get(0).asText(), a.get(1).asInt());
      ClientRunner.Outcome clients = new ClientRunner(
          sc, address, Traced.datagram(serverClass), helperPython, side::command).run();
      JsonNode transcript = side.finish(sc.bound());
      ObjectNode r = Normaliser.normalise(sc, serverClass, start, transcript, clients);
      List<String> failures = new ArrayList<>(clients.failures());
      failures.addAll(Normaliser.checkExpectations(sc, serverClass, r));
      return new SideResult(side.describe(), r, null, null, failures);
    } catch (Exception e) {
      String diag = side.diagnostics();
      return new SideResult(side.describe(), null, null,
          e + (diag.isEmpty() ? "" : "\nstderr:\n" + diag), List.of());
    }
  }
}
