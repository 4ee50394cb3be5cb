package io.github.socketserver4j.http;

import io.github.socketserver4j.StreamRequestHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The base of HTTP request handlers: CPython 3.13's {@code http.server.BaseHTTPRequestHandler}, a
 * {@link StreamRequestHandler} that reads requests from {@code rfile()}, calls a method per HTTP
 * method and writes responses to {@code wfile()}. It implements no HTTP method itself; see {@link
 * SimpleHTTPRequestHandler}.
 *
 * <pre>{@code
 * class Hello extends BaseHTTPRequestHandler {
 *   public void doGET() throws IOException {              // def do_GET(self):
 *     byte[] body = "hello\n".getBytes(UTF_8);
 *     sendResponse(200);                                   //     self.send_response(200)
 *     sendHeader("Content-Type", "text/plain");            //     self.send_header(...)
 *     sendHeader("Content-Length", String.valueOf(body.length));
 *     endHeaders();                                        //     self.end_headers()
 *     wfile().write(body);                                 //     self.wfile.write(body)
 *   }
 * }
 * }</pre>
 *
 * <h2>Request methods</h2>
 *
 * <p>A request {@code SPAM / HTTP/1.1} calls {@code doSPAM()}: CPython's {@code do_SPAM}, with the
 * HTTP method kept verbatim (case-sensitive, so {@code get} does not call {@code doGET}). The method
 * is found by reflection: a public or protected instance method without parameters, in the
 * handler's class or a superclass. Without one the client gets 501 "Unsupported method". Every
 * such method is reachable by a client that names it, as every {@code do_X} is in Python: do not
 * name helper methods {@code doSomething}.
 *
 * <h2>Request details</h2>
 *
 * <p>CPython's instance variables are accessors: {@link #command()}, {@link #path()}, {@link
 * #requestVersion()}, {@link #requestline()}, {@link #rawRequestline()}, {@link #headers()} and
 * {@link #closeConnection()}; handlers that assign them in Python use the protected setters.
 * {@code rfile()} is positioned at the request body.
 *
 * <h2>Class variables that may be overridden</h2>
 *
 * <ul>
 *   <li>{@link #serverVersion()}: {@code "BaseHTTP/0.6"}
 *   <li>{@link #sysVersion()}: {@code "Java/" + java.version} (CPython: {@code "Python/3.13.0"})
 *   <li>{@link #protocolVersion()}: {@code "HTTP/1.0"}; {@code "HTTP/1.1"} enables keep-alive
 *   <li>{@link #defaultRequestVersion()}: {@code "HTTP/0.9"}
 *   <li>{@link #errorMessageFormat()}, {@link #errorContentType()}: CPython's error page
 *   <li>{@link #responses()}: CPython's table of {@link HTTPStatus}
 *   <li>{@link #disableNagleAlgorithm()}: <b>true</b> (CPython: false); see {@code
 *       docs/differences.md}
 * </ul>
 *
 * <p>The header buffer works as CPython's {@code _headers_buffer}: {@link #sendResponse}, {@link
 * #sendHeader} and {@link #sendResponseOnly} collect bytes, {@link #endHeaders()} sends them in
 * one write. Unlike CPython, {@link #sendHeader} refuses names and values with CR or LF.
 */
public class BaseHTTPRequestHandler extends StreamRequestHandler {

  /** CPython's {@code DEFAULT_ERROR_MESSAGE}, in its {@code %(name)s} syntax. */
  public static final String DEFAULT_ERROR_MESSAGE =
      "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n"
          + "        <title>Error response</title>\n    </head>\n    <body>\n"
          + "        <h1>Error response</h1>\n        <p>Error code: %(code)d</p>\n"
          + "        <p>Message: %(message)s.</p>\n"
          + "        <p>Error code explanation: %(code)s - %(explain)s.</p>\n"
          + "    </body>\n</html>\n";

  /** CPython's {@code DEFAULT_ERROR_CONTENT_TYPE}. */
  public static final String DEFAULT_ERROR_CONTENT_TYPE = "text/html;charset=utf-8";

  /** CPython's {@code weekdayname}. */
  public static final List<String> WEEKDAYNAME = EmailDates.WEEKDAYNAME;

  /** CPython's {@code monthname}, without its leading None: index 0 is January. */
  public static final List<String> MONTHNAME = EmailDates.MONTHNAME;

  /**
   * A row of {@link #responses()}: CPython's {@code (shortmsg, longmsg)} tuple.
   *
   * @param phrase the reason phrase of the status line ({@code shortmsg})
   * @param description the longer explanation on error pages ({@code longmsg})
   */
  public record Response(String phrase, String description) {}

  private static final Map<Integer, Response> RESPONSES = responsesOfHttpStatus();

  private static final String SYS_VERSION = "Java/" + System.getProperty("java.version");

  private byte[] rawRequestline = new byte[0];
  private String requestline;
  private String command;
  private String path;
  private String requestVersion;
  private HTTPMessage headers;
  private boolean closeConnection = true;
  private ByteArrayOutputStream headersBuffer;

  /** Creates a handler that has not run yet. */
  public BaseHTTPRequestHandler() {}

  // ---- Class variables ----

  /**
   * The server software, CPython's {@code server_version}: whitespace-separated {@code
   * name[/version]} words.
   *
   * @implSpec Returns {@code "BaseHTTP/0.6"}. May be overridden.
   * @return the version
   */
  public String serverVersion() {
    return "BaseHTTP/0.6";
  }

  /**
   * The runtime's version, CPython's {@code sys_version}.
   *
   * @implSpec Returns {@code "Java/"} and the {@code java.version} property. May be overridden.
   * @return the version
   */
  public String sysVersion() {
    return SYS_VERSION;
  }

  /**
   * The version this handler answers with, CPython's {@code protocol_version}. With {@code
   * "HTTP/1.1"} connections stay open between requests (each response then needs a {@code
   * Content-Length} or must close the connection).
   *
   * @implSpec Returns {@code "HTTP/1.0"}. May be overridden.
   * @return the version
   */
  public String protocolVersion() {
    return "HTTP/1.0";
  }

  /**
   * The request version assumed until the request line is parsed, CPython's {@code
   * default_request_version}: it decides whether an early error has a status line.
   *
   * @implSpec Returns {@code "HTTP/0.9"}. May be overridden.
   * @return the version
   */
  public String defaultRequestVersion() {
    return "HTTP/0.9";
  }

  /**
   * The error page template, CPython's {@code error_message_format}, in Python's {@code %}-syntax
   * with {@code %(code)d}, {@code %(code)s}, {@code %(message)s} and {@code %(explain)s} ({@code
   * %%} is a percent sign), so a ported template stays as it was.
   *
   * @implSpec Returns {@link #DEFAULT_ERROR_MESSAGE}. May be overridden.
   * @return the template
   */
  public String errorMessageFormat() {
    return DEFAULT_ERROR_MESSAGE;
  }

  /**
   * The {@code Content-Type} of error pages, CPython's {@code error_content_type}.
   *
   * @implSpec Returns {@link #DEFAULT_ERROR_CONTENT_TYPE}. May be overridden.
   * @return the content type
   */
  public String errorContentType() {
    return DEFAULT_ERROR_CONTENT_TYPE;
  }

  /**
   * The phrase and description of each status code, CPython's {@code responses}.
   *
   * @implSpec Returns every {@link HTTPStatus}, unmodifiable. May be overridden (copy it into a
   *     new map to add codes).
   * @return the table
   */
  public Map<Integer, Response> responses() {
    return RESPONSES;
  }

  /**
   * Whether to set {@code TCP_NODELAY}, CPython's {@code disable_nagle_algorithm}.
   *
   * @implSpec Returns true, where CPython's {@code BaseHTTPRequestHandler} keeps Nagle on: a
   *     response whose body follows its headers in a second small write would otherwise wait for
   *     the client's delayed ACK (about 40 ms) on every keep-alive request. May be overridden.
   * @return whether to disable Nagle's algorithm
   */
  @Override
  public boolean disableNagleAlgorithm() {
    return true;
  }

  // ---- Request handling ----

  /**
   * Handles requests until {@link #closeConnection()} is true, CPython's {@code handle()}.
   *
   * @implSpec Sets {@code closeConnection}, calls {@link #handleOneRequest()} once, then again
   *     while {@code closeConnection} is false.
   */
  @Override
  public void handle() throws Exception {
    closeConnection = true;
    handleOneRequest();
    while (!closeConnection) {
      handleOneRequest();
    }
  }

  /**
   * Reads and answers one request, CPython's {@code handle_one_request()}: reads the request line
   * (414 past 65,536 bytes), {@link #parseRequest()}, calls {@code doXXX()} (501 when missing),
   * then flushes {@code wfile}. A read or write that times out ({@link #timeout()}) logs "Request
   * timed out" and ends the connection. Normally not overridden.
   *
   * @throws Exception what the {@code doXXX()} method throws
   */
  public void handleOneRequest() throws Exception {
    try {
      rawRequestline = rfile().readLine(65537);
      if (rawRequestline.length > 65536) {
        requestline = "";
        requestVersion = "";
        command = "";
        sendError(HTTPStatus.REQUEST_URI_TOO_LONG.value());
        return;
      }
      if (rawRequestline.length == 0) {
        closeConnection = true;
        return;
      }
      if (!parseRequest()) {
        return; // an error has been sent
      }
      Optional<Method> method = DoMethods.find(getClass(), command);
      if (method.isEmpty()) {
        sendError(501, "Unsupported method (" + PyText.repr(command) + ")");
        return;
      }
      DoMethods.invoke(method.get(), this);
      wfile().flush(); // actually send the response if not already done
    } catch (SocketTimeoutException e) {
      logError("Request timed out: %s", "TimeoutError('timed out')");
      closeConnection = true;
    }
  }

  /**
   * Parses {@link #rawRequestline()} and the headers, CPython's {@code parse_request()}, and sends
   * the error itself when the request is bad: 400 for a bad request line or version, 505 for
   * version 2.0 and later, 431 for a header line over 65,536 bytes or more than 100 header lines.
   * Two words mean HTTP/0.9, where only GET is allowed. A path starting with {@code //} is reduced
   * to one slash (gh-87389). {@code Connection} and, on HTTP/1.1, {@code Expect: 100-continue}
   * ({@link #handleExpect100()}) are applied.
   *
   * @return true if the request can be handled; false if an error has been sent
   * @throws IOException if reading or sending fails
   */
  public boolean parseRequest() throws IOException {
    command = null;
    requestVersion = defaultRequestVersion();
    String version = requestVersion;
    closeConnection = true;
    requestline = RequestLine.decode(rawRequestline);
    List<String> words = RequestLine.words(requestline);
    if (words.isEmpty()) {
      return false;
    }
    if (words.size() >= 3) {
      version = words.get(words.size() - 1);
      int[] number = RequestLine.versionNumber(version);
      if (number == null) {
        sendError(400, "Bad request version (" + PyText.repr(version) + ")");
        return false;
      }
      if (RequestLine.atLeast(number, 1, 1) && protocolVersion().compareTo("HTTP/1.1") >= 0) {
        closeConnection = false;
      }
      if (RequestLine.atLeast(number, 2, 0)) {
        sendError(505, "Invalid HTTP version (" + RequestLine.base(version) + ")");
        return false;
      }
      requestVersion = version;
    }
    if (words.size() < 2 || words.size() > 3) {
      sendError(400, "Bad request syntax (" + PyText.repr(requestline) + ")");
      return false;
    }
    if (words.size() == 2) {
      closeConnection = true;
      if (!"GET".equals(words.get(0))) {
        sendError(400, "Bad HTTP/0.9 request type (" + PyText.repr(words.get(0)) + ")");
        return false;
      }
    }
    command = words.get(0);
    path = words.get(1);
    if (path.startsWith("//")) {
      path = "/" + PyText.lstrip(path, "/"); // gh-87389: no scheme-relative open redirect
    }
    try {
      headers = HeaderReader.read(rfile());
    } catch (HeaderReader.LineTooLong e) {
      sendError(431, "Line too long", e.getMessage());
      return false;
    } catch (HeaderReader.TooManyHeaders e) {
      sendError(431, "Too many headers", e.getMessage());
      return false;
    }
    String conntype = headers.get("Connection", "").toLowerCase(Locale.ROOT);
    if (conntype.equals("close")) {
      closeConnection = true;
    } else if (conntype.equals("keep-alive") && protocolVersion().compareTo("HTTP/1.1") >= 0) {
      closeConnection = false;
    }
    String expect = headers.get("Expect", "").toLowerCase(Locale.ROOT);
    if (expect.equals("100-continue")
        && protocolVersion().compareTo("HTTP/1.1") >= 0
        && requestVersion.compareTo("HTTP/1.1") >= 0) {
      return handleExpect100();
    }
    return true;
  }

  /**
   * Answers {@code Expect: 100-continue}, CPython's {@code handle_expect_100()}. Override it to
   * refuse a request before its body arrives: send an error and return false.
   *
   * @implSpec Sends {@code 100 Continue} (status line and empty line, in one write) and returns
   *     true.
   * @return whether to go on with the request
   * @throws IOException if sending fails
   */
  public boolean handleExpect100() throws IOException {
    sendResponseOnly(HTTPStatus.CONTINUE.value());
    endHeaders();
    return true;
  }

  // ---- Responses ----

  /**
   * Sends and logs an error with CPython's page, CPython's {@code send_error(code, message,
   * explain)}: logs {@code "code %d, message %s"}, sends the status, {@code Connection: close}
   * and, unless the code is 1xx, 204, 205 or 304, the page ({@link #errorMessageFormat()} with the
   * message and explanation HTML-escaped) with its {@code Content-Type} and {@code
   * Content-Length}; the page is not sent for HEAD. Must be called before any other output.
   *
   * @param code the status code
   * @param message the reason phrase, or null for the code's phrase in {@link #responses()}
   * @param explain the page's explanation, or null for the code's description
   * @throws IOException if sending fails
   */
  public void sendError(int code, String message, String explain) throws IOException {
    Response known = responses().get(code);
    String shortmsg = known != null ? known.phrase() : "???";
    String longmsg = known != null ? known.description() : "???";
    if (message == null) {
      message = shortmsg;
    }
    if (explain == null) {
      explain = longmsg;
    }
    logError("code %d, message %s", code, message);
    sendResponse(code, message);
    sendHeader("Connection", "close");
    byte[] body = null;
    if (code >= 200 && code != 204 && code != 205 && code != 304) {
      String content =
          ErrorPage.format(
              errorMessageFormat(), code, PyText.htmlEscape(message), PyText.htmlEscape(explain));
      body = content.getBytes(StandardCharsets.UTF_8);
      sendHeader("Content-Type", errorContentType());
      sendHeader("Content-Length", String.valueOf(body.length));
    }
    endHeaders();
    if (!"HEAD".equals(command) && body != null && body.length > 0) {
      wfile().write(body);
    }
  }

  /**
   * {@link #sendError(int, String, String)} with the code's description.
   *
   * @param code the status code
   * @param message the reason phrase, or null for the code's phrase
   * @throws IOException if sending fails
   */
  public void sendError(int code, String message) throws IOException {
    sendError(code, message, null);
  }

  /**
   * {@link #sendError(int, String, String)} with the code's phrase and description.
   *
   * @param code the status code
   * @throws IOException if sending fails
   */
  public void sendError(int code) throws IOException {
    sendError(code, null, null);
  }

  /**
   * Logs the request and buffers the status line and the {@code Server} and {@code Date}
   * headers, CPython's {@code send_response(code, message)}.
   *
   * @param code the status code
   * @param message the reason phrase, or null for the code's phrase (or nothing)
   */
  public void sendResponse(int code, String message) {
    logRequest(code);
    sendResponseOnly(code, message);
    sendHeader("Server", versionString());
    sendHeader("Date", dateTimeString());
  }

  /**
   * {@link #sendResponse(int, String)} with the code's phrase.
   *
   * @param code the status code
   */
  public void sendResponse(int code) {
    sendResponse(code, null);
  }

  /**
   * Buffers the status line only, CPython's {@code send_response_only(code, message)}; nothing on
   * HTTP/0.9.
   *
   * @param code the status code
   * @param message the reason phrase, or null for the code's phrase (or nothing)
   * @throws IllegalArgumentException if the line is not ISO-8859-1 or the message has CR or LF
   */
  public void sendResponseOnly(int code, String message) {
    if (!"HTTP/0.9".equals(requestVersion)) {
      if (message == null) {
        Response known = responses().get(code);
        message = known != null ? known.phrase() : "";
      }
      buffer(protocolVersion() + " " + code + " " + HeaderText.checked("message", message));
    }
  }

  /**
   * {@link #sendResponseOnly(int, String)} with the code's phrase.
   *
   * @param code the status code
   */
  public void sendResponseOnly(int code) {
    sendResponseOnly(code, null);
  }

  /**
   * Buffers a header line, CPython's {@code send_header(keyword, value)}; nothing on HTTP/0.9. A
   * {@code Connection: close} or {@code keep-alive} header also sets {@link #closeConnection()}.
   *
   * @param keyword the name
   * @param value the value
   * @throws IllegalArgumentException if the name or value has CR or LF (CPython sends them,
   *     allowing header injection), or is not ISO-8859-1 (CPython raises {@code
   *     UnicodeEncodeError})
   */
  public void sendHeader(String keyword, String value) {
    String name = HeaderText.checked("header name", keyword);
    String text = HeaderText.checked("header value", value);
    if (!"HTTP/0.9".equals(requestVersion)) {
      buffer(name + ": " + text);
    }
    if (name.toLowerCase(Locale.ROOT).equals("connection")) {
      String v = text.toLowerCase(Locale.ROOT);
      if (v.equals("close")) {
        closeConnection = true;
      } else if (v.equals("keep-alive")) {
        closeConnection = false;
      }
    }
  }

  /**
   * Ends the headers and sends them, CPython's {@code end_headers()}: adds the empty line and
   * calls {@link #flushHeaders()}; nothing on HTTP/0.9.
   *
   * @throws IOException if sending fails
   * @throws IllegalStateException if nothing was buffered (CPython raises {@code AttributeError})
   */
  public void endHeaders() throws IOException {
    if (!"HTTP/0.9".equals(requestVersion)) {
      if (headersBuffer == null) {
        throw new IllegalStateException("end_headers() before send_response() or send_header()");
      }
      headersBuffer.write('\r');
      headersBuffer.write('\n');
      flushHeaders();
    }
  }

  /**
   * Writes the buffered status line and headers to {@code wfile} in one write, CPython's {@code
   * flush_headers()}.
   *
   * @throws IOException if sending fails
   */
  public void flushHeaders() throws IOException {
    if (headersBuffer != null) {
      byte[] bytes = headersBuffer.toByteArray();
      headersBuffer.reset();
      wfile().write(bytes);
    }
  }

  private void buffer(String line) {
    if (headersBuffer == null) {
      headersBuffer = new ByteArrayOutputStream(256);
    }
    byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
    headersBuffer.write(bytes, 0, bytes.length);
    headersBuffer.write('\r');
    headersBuffer.write('\n');
  }

  // ---- Logging ----

  /**
   * Logs an answered request, CPython's {@code log_request(code, size)}: {@code "requestline"
   * code size}. Called by {@link #sendResponse}.
   *
   * @param code the status code (or {@code "-"})
   * @param size the size (or {@code "-"})
   */
  public void logRequest(Object code, Object size) {
    Object c = code instanceof HTTPStatus ? ((HTTPStatus) code).value() : code;
    logMessage("\"%s\" %s %s", requestline, String.valueOf(c), String.valueOf(size));
  }

  /**
   * {@link #logRequest(Object, Object)} with size {@code "-"}.
   *
   * @param code the status code
   */
  public void logRequest(int code) {
    logRequest(code, "-");
  }

  /**
   * Logs an error, CPython's {@code log_error(format, *args)}.
   *
   * @implSpec Calls {@link #logMessage}. May be overridden.
   * @param format a {@link String#format} pattern
   * @param args its arguments
   */
  public void logError(String format, Object... args) {
    logMessage(format, args);
  }

  /**
   * Logs a message, CPython's {@code log_message(format, *args)}: {@code "%s - - [%s] %s\n"} with
   * {@link #addressString()}, {@link #logDateTimeString()} and the message, whose control
   * characters are escaped as {@code \xNN}.
   *
   * @implSpec Writes the line to {@link System#err}, as CPython writes to {@code sys.stderr}.
   *     Override it to log elsewhere (CPython's tests override it to log nothing).
   * @param format a {@link String#format} pattern ({@code %s} and {@code %d} as in Python)
   * @param args its arguments
   */
  public void logMessage(String format, Object... args) {
    String message = PercentFormat.format(format, args);
    System.err.print(
        addressString() + " - - [" + logDateTimeString() + "] " + PyText.escapeControl(message)
            + "\n");
  }

  /**
   * Returns {@code serverVersion() + " " + sysVersion()}, CPython's {@code version_string()}.
   *
   * @return the {@code Server} header's value
   */
  public String versionString() {
    return serverVersion() + " " + sysVersion();
  }

  /**
   * Returns the current time for a {@code Date} header, CPython's {@code date_time_string()}.
   *
   * @return for example {@code "Sun, 06 Nov 1994 08:49:37 GMT"}
   */
  public String dateTimeString() {
    return HttpDateCache.now();
  }

  /**
   * Formats a Python timestamp for a header, CPython's {@code date_time_string(timestamp)}.
   *
   * @param timestamp seconds since the epoch, as Python's {@code time.time()} or {@code st_mtime}
   * @return for example {@code "Sun, 06 Nov 1994 08:49:37 GMT"}
   */
  public String dateTimeString(double timestamp) {
    return EmailDates.formatdate(timestamp);
  }

  /**
   * Returns the current local time for logs, CPython's {@code log_date_time_string()}.
   *
   * @return for example {@code "06/Nov/1994 08:49:37"}
   */
  public String logDateTimeString() {
    return EmailDates.logDateTime(Instant.now(), ZoneId.systemDefault());
  }

  /**
   * Returns the client's host, CPython's {@code address_string()} ({@code client_address[0]}).
   *
   * @return the IP address as Python writes it, for example {@code 127.0.0.1} or {@code ::1}
   */
  public String addressString() {
    SocketAddress address = clientAddress();
    if (address instanceof InetSocketAddress) {
      return HostText.of((InetSocketAddress) address);
    }
    return String.valueOf(address);
  }

  // ---- Instance variables ----

  /**
   * Returns the bytes of the request line as read, CPython's {@code raw_requestline}.
   *
   * @return a copy of the line, with its line break
   */
  public byte[] rawRequestline() {
    return rawRequestline.clone();
  }

  /**
   * Returns the request line without its line break, CPython's {@code requestline}.
   *
   * @return the line; null before a request is read
   */
  public String requestline() {
    return requestline;
  }

  /**
   * Returns the request method, CPython's {@code command}.
   *
   * @return the method; null when the request line could not be parsed
   */
  public String command() {
    return command;
  }

  /**
   * Returns the request target as sent (a leading {@code //} reduced to {@code /}), CPython's
   * {@code path}.
   *
   * @return the path, with its query
   */
  public String path() {
    return path;
  }

  /**
   * Returns the request's version, CPython's {@code request_version}.
   *
   * @return for example {@code "HTTP/1.1"}
   */
  public String requestVersion() {
    return requestVersion;
  }

  /**
   * Returns the request headers, CPython's {@code headers}.
   *
   * @return the headers; an empty message before they are read
   */
  public HTTPMessage headers() {
    return headers != null ? headers : new HTTPMessage();
  }

  /**
   * Returns whether the connection ends after this request, CPython's {@code close_connection}.
   *
   * @return true to close
   */
  public boolean closeConnection() {
    return closeConnection;
  }

  /**
   * Sets {@code close_connection}, as Python handlers assign it.
   *
   * @param close true to end the connection after this request
   */
  protected void setCloseConnection(boolean close) {
    this.closeConnection = close;
  }

  /**
   * Sets {@code path}, as Python handlers that rewrite {@code self.path} do.
   *
   * @param path the new path
   */
  protected void setPath(String path) {
    this.path = path;
  }

  /**
   * Sets {@code request_version}, as CPython's tests do before calling {@code send_error}.
   *
   * @param version for example {@code "HTTP/1.1"}
   */
  protected void setRequestVersion(String version) {
    this.requestVersion = version;
  }

  /**
   * Sets {@code command} and {@code requestline}, as CPython's tests do.
   *
   * @param command the method, or null
   * @param requestline the request line
   */
  protected void setRequest(String command, String requestline) {
    this.command = command;
    this.requestline = requestline;
  }

  private static Map<Integer, Response> responsesOfHttpStatus() {
    Map<Integer, Response> table = new HashMap<>();
    for (HTTPStatus s : HTTPStatus.values()) {
      table.put(s.value(), new Response(s.phrase(), s.description()));
    }
    return Collections.unmodifiableMap(table);
  }
}
