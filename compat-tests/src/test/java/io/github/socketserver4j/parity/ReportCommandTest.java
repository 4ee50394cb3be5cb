package io.github.socketserver4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code report} command: the table again, from the parity.json a suite run wrote. */
class ReportCommandTest {

  @Test
  @DisplayName("report: reads parity.json, prints the table and summary, rewrites md/html; 1 on a mismatch")
  void reportFromJson(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("parity.json");
    Files.writeString(json, """
        [{"scenario":"echo_line_serve_forever","server_class":"TCPServer","cpython":"3.13.0",
          "status":"match","detail":"","cpython_result":{"result":{"construct":"ok"}},
          "socketserver4j_result":{"result":{"construct":"ok"}}},
         {"scenario":"made_up","server_class":"UDPServer","cpython":"3.8.18",
          "status":"MISMATCH","detail":"serve: differs","cpython_result":{"error":"boom"},
          "socketserver4j_result":{"unavailable":"no"}}]
        """);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = ParityRunner.run(new String[] {"report", "--from", json.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(1, status, text + err);
    assertTrue(text.contains("2 scenarios, 1 match, 0 documented deviations, 1 mismatches"), text);
    String md = Files.readString(dir.resolve("parity.md"));
    assertTrue(md.contains("### made_up · UDPServer · CPython 3.8.18: MISMATCH"), md);
    assertTrue(md.contains("serve: differs"), md);
    assertTrue(Files.readString(dir.resolve("parity.html")).contains("echo_line_serve_forever"));
  }
}
