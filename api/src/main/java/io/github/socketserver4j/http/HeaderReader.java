package io.github.socketserver4j.http;

import io.github.socketserver4j.LineInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the header block of a request: CPython 3.13's {@code http.client.parse_headers}, that is
 * {@code _read_headers} (lines up to the empty one, at most {@value #MAXLINE} bytes each and
 * {@value #MAXHEADERS} lines, the empty line counted) and then {@code email.parser.Parser} with the
 * {@code compat32} policy, whose rules decide which lines are headers:
 *
 * <ul>
 *   <li>the block is ISO-8859-1 text split again at {@code \r\n}, {@code \r} or {@code \n};
 *   <li>a line is a header if it starts with {@code "From "}, a name of printable ASCII without
 *       space or colon followed by a colon, or a space or tab (a continuation); the first other
 *       line ends the headers, and what follows is ignored (it would be the body);
 *   <li>a continuation before any header, a line whose colon comes first, and a {@code "From "}
 *       line are dropped ({@code From} on the first line is the Unix envelope);
 *   <li>a value is the rest of its first line without leading blanks, plus its continuation lines,
 *       without the final line break.
 * </ul>
 */
final class HeaderReader {
  /** CPython's {@code http.client._MAXLINE}. */
  static final int MAXLINE = 65536;

  /** CPython's {@code http.client._MAXHEADERS}. */
  static final int MAXHEADERS = 100;

  private HeaderReader() {}

  /** {@code http.client.LineTooLong}: a header line is longer than {@value #MAXLINE} bytes. */
  static final class LineTooLong extends IOException {
    LineTooLong() {
      super("got more than " + MAXLINE + " bytes when reading header line");
    }
  }

  /** {@code http.client.HTTPException}: more than {@value #MAXHEADERS} lines. */
  static final class TooManyHeaders extends IOException {
    TooManyHeaders() {
      super("got more than " + MAXHEADERS + " headers");
    }
  }

  /** Reads and parses the headers, leaving {@code in} at the first byte of the body. */
  static HTTPMessage read(LineInputStream in) throws IOException {
    ByteArrayOutputStream block = new ByteArrayOutputStream(256);
    int lines = 0;
    while (true) {
      byte[] line = in.readLine(MAXLINE + 1);
      if (line.length > MAXLINE) {
        throw new LineTooLong();
      }
      block.write(line);
      if (++lines > MAXHEADERS) {
        throw new TooManyHeaders();
      }
      if (isBlank(line)) {
        return parse(new String(block.toByteArray(), StandardCharsets.ISO_8859_1));
      }
    }
  }

  private static boolean isBlank(byte[] line) {
    return line.length == 0
        || (line.length == 1 && line[0] == '\n')
        || (line.length == 2 && line[0] == '\r' && line[1] == '\n');
  }

  /** {@code email.parser.Parser(policy=compat32).parsestr(text)}, headers only. */
  static HTTPMessage parse(String text) {
    List<String> headerLines = new ArrayList<>();
    for (String line : splitLines(text)) {
      if (!isHeaderLine(line)) {
        break; // an empty line ends the headers; any other line starts the body
      }
      headerLines.add(line);
    }
    HTTPMessage message = new HTTPMessage();
    String name = null;
    StringBuilder value = null;
    for (int i = 0; i < headerLines.size(); i++) {
      String line = headerLines.get(i);
      char first = line.charAt(0);
      if (first == ' ' || first == '\t') {
        if (name != null) {
          value.append(line); // continuation: joined with its line break, as compat32 does
        }
        continue; // FirstHeaderLineIsContinuationDefect: dropped
      }
      if (name != null) {
        message.add(name, PyText.rstrip(value.toString(), "\r\n"));
        name = null;
      }
      if (line.startsWith("From ")) {
        if (i == headerLines.size() - 1 && i > 0) {
          break; // looks like the first body line: CPython pushes it back and stops
        }
        continue; // the Unix envelope (first line) or a misplaced one: not a header
      }
      int colon = line.indexOf(':');
      if (colon == 0) {
        continue; // InvalidHeaderDefect("Missing header name.")
      }
      name = line.substring(0, colon);
      value = new StringBuilder(PyText.lstrip(line.substring(colon + 1), " \t"));
    }
    if (name != null) {
      message.add(name, PyText.rstrip(value.toString(), "\r\n"));
    }
    return message;
  }

  /** {@code feedparser.headerRE}: {@code ^(From |[\041-\071\073-\176]*:|[\t ])}. */
  private static boolean isHeaderLine(String line) {
    if (line.isEmpty()) {
      return false;
    }
    if (line.startsWith("From ") || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
      return true;
    }
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == ':') {
        return true;
      }
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return false;
  }

  /** Universal-newline {@code readlines()}: lines end at {@code \r\n}, {@code \r} or {@code \n}. */
  static List<String> splitLines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i++);
      if (c == '\r' && i < text.length() && text.charAt(i) == '\n') {
        i++;
      }
      if (c == '\r' || c == '\n') {
        lines.add(text.substring(start, i));
        start = i;
      }
    }
    if (start < text.length()) {
      lines.add(text.substring(start));
    }
    return lines;
  }
}
