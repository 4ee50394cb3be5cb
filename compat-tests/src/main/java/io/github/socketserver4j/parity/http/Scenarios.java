package io.github.socketserver4j.parity.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code parity-http/scenarios.txt}: blocks of {@code name:}, {@code target:} (simple10,
 * simple11 or custom), {@code send:} (the request; {@code \r}, {@code \n}, {@code \t}, {@code
 * \xNN}, {@code \\} escapes, and {@code {TEXT*N}} for TEXT repeated N times) and an optional {@code
 * deviation:} with the reason a difference is expected. Lines starting with {@code #} are comments.
 */
final class Scenarios {
  private Scenarios() {}

  static List<HttpParity.Scenario> load() throws IOException {
    String text;
    try (InputStream in = Scenarios.class.getResourceAsStream("/parity-http/scenarios.txt")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<HttpParity.Scenario> scenarios = new ArrayList<>();
    String name = null;
    String target = null;
    String send = null;
    String deviation = null;
    for (String line : (text + "\n\n").split("\n", -1)) {
      if (line.startsWith("#")) {
        continue;
      }
      if (line.isBlank()) {
        if (name != null) {
          scenarios.add(new HttpParity.Scenario(name, target, decode(send), deviation));
        }
        name = target = send = deviation = null;
      } else if (line.startsWith("name: ")) {
        name = line.substring(6).strip();
      } else if (line.startsWith("target: ")) {
        target = line.substring(8).strip();
      } else if (line.startsWith("send: ")) {
        send = line.substring(6);
      } else if (line.startsWith("deviation: ")) {
        deviation = line.substring(11).strip();
      } else {
        throw new IOException("scenarios.txt: cannot read line: " + line);
      }
    }
    return scenarios;
  }

  static byte[] decode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{' && s.indexOf("*", i) > 0 && s.indexOf('}', i) > s.indexOf('*', i)) {
        int star = s.lastIndexOf('*', s.indexOf('}', i));
        int close = s.indexOf('}', i);
        byte[] unit = decode(s.substring(i + 1, star));
        int n = Integer.parseInt(s.substring(star + 1, close));
        for (int k = 0; k < n; k++) {
          out.write(unit, 0, unit.length);
        }
        i = close;
      } else if (c == '\\') {
        char e = s.charAt(++i);
        switch (e) {
          case 'r':
            out.write('\r');
            break;
          case 'n':
            out.write('\n');
            break;
          case 't':
            out.write('\t');
            break;
          case 'x':
            out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
            i += 2;
            break;
          default:
            out.write(e);
        }
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toByteArray();
  }
}
