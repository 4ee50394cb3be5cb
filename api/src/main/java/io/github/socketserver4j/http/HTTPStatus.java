package io.github.socketserver4j.http;

import java.util.Optional;

/**
 * HTTP status codes with their reason phrases and descriptions: CPython 3.13's {@code
 * http.HTTPStatus}, the table behind {@link BaseHTTPRequestHandler#responses()}. The phrases and
 * descriptions are CPython's, character for character, because they appear in status lines and
 * error pages.
 *
 * <p>CPython's aliases ({@code REQUEST_ENTITY_TOO_LARGE}, {@code REQUEST_URI_TOO_LONG}, {@code
 * REQUESTED_RANGE_NOT_SATISFIABLE}, {@code UNPROCESSABLE_ENTITY}) are constants that name the same
 * members, as in Python.
 */
public enum HTTPStatus {
  /** 100 Continue. */
  CONTINUE(100, "Continue", "Request received, please continue"),
  /** 101 Switching Protocols. */
  SWITCHING_PROTOCOLS(101, "Switching Protocols", "Switching to new protocol; obey Upgrade header"),
  /** 102 Processing. */
  PROCESSING(102, "Processing", ""),
  /** 103 Early Hints. */
  EARLY_HINTS(103, "Early Hints", ""),
  /** 200 OK. */
  OK(200, "OK", "Request fulfilled, document follows"),
  /** 201 Created. */
  CREATED(201, "Created", "Document created, URL follows"),
  /** 202 Accepted. */
  ACCEPTED(202, "Accepted", "Request accepted, processing continues off-line"),
  /** 203 Non-Authoritative Information. */
  NON_AUTHORITATIVE_INFORMATION(
      203,
      "Non-Authoritative Information",
      "Request fulfilled from cache"),
  /** 204 No Content. */
  NO_CONTENT(204, "No Content", "Request fulfilled, nothing follows"),
  /** 205 Reset Content. */
  RESET_CONTENT(205, "Reset Content", "Clear input form for further input"),
  /** 206 Partial Content. */
  PARTIAL_CONTENT(206, "Partial Content", "Partial content follows"),
  /** 207 Multi-Status. */
  MULTI_STATUS(207, "Multi-Status", ""),
  /** 208 Already Reported. */
  ALREADY_REPORTED(208, "Already Reported", ""),
  /** 226 IM Used. */
  IM_USED(226, "IM Used", ""),
  /** 300 Multiple Choices. */
  MULTIPLE_CHOICES(300, "Multiple Choices", "Object has several resources -- see URI list"),
  /** 301 Moved Permanently. */
  MOVED_PERMANENTLY(301, "Moved Permanently", "Object moved permanently -- see URI list"),
  /** 302 Found. */
  FOUND(302, "Found", "Object moved temporarily -- see URI list"),
  /** 303 See Other. */
  SEE_OTHER(303, "See Other", "Object moved -- see Method and URL list"),
  /** 304 Not Modified. */
  NOT_MODIFIED(304, "Not Modified", "Document has not changed since given time"),
  /** 305 Use Proxy. */
  USE_PROXY(305, "Use Proxy", "You must use proxy specified in Location to access this resource"),
  /** 307 Temporary Redirect. */
  TEMPORARY_REDIRECT(307, "Temporary Redirect", "Object moved temporarily -- see URI list"),
  /** 308 Permanent Redirect. */
  PERMANENT_REDIRECT(308, "Permanent Redirect", "Object moved permanently -- see URI list"),
  /** 400 Bad Request. */
  BAD_REQUEST(400, "Bad Request", "Bad request syntax or unsupported method"),
  /** 401 Unauthorized. */
  UNAUTHORIZED(401, "Unauthorized", "No permission -- see authorization schemes"),
  /** 402 Payment Required. */
  PAYMENT_REQUIRED(402, "Payment Required", "No payment -- see charging schemes"),
  /** 403 Forbidden. */
  FORBIDDEN(403, "Forbidden", "Request forbidden -- authorization will not help"),
  /** 404 Not Found. */
  NOT_FOUND(404, "Not Found", "Nothing matches the given URI"),
  /** 405 Method Not Allowed. */
  METHOD_NOT_ALLOWED(405, "Method Not Allowed", "Specified method is invalid for this resource"),
  /** 406 Not Acceptable. */
  NOT_ACCEPTABLE(406, "Not Acceptable", "URI not available in preferred format"),
  /** 407 Proxy Authentication Required. */
  PROXY_AUTHENTICATION_REQUIRED(
      407,
      "Proxy Authentication Required",
      "You must authenticate with this proxy before proceeding"),
  /** 408 Request Timeout. */
  REQUEST_TIMEOUT(408, "Request Timeout", "Request timed out; try again later"),
  /** 409 Conflict. */
  CONFLICT(409, "Conflict", "Request conflict"),
  /** 410 Gone. */
  GONE(410, "Gone", "URI no longer exists and has been permanently removed"),
  /** 411 Length Required. */
  LENGTH_REQUIRED(411, "Length Required", "Client must specify Content-Length"),
  /** 412 Precondition Failed. */
  PRECONDITION_FAILED(412, "Precondition Failed", "Precondition in headers is false"),
  /** 413 Content Too Large. */
  CONTENT_TOO_LARGE(413, "Content Too Large", "Content is too large"),
  /** 414 URI Too Long. */
  URI_TOO_LONG(414, "URI Too Long", "URI is too long"),
  /** 415 Unsupported Media Type. */
  UNSUPPORTED_MEDIA_TYPE(415, "Unsupported Media Type", "Entity body in unsupported format"),
  /** 416 Range Not Satisfiable. */
  RANGE_NOT_SATISFIABLE(416, "Range Not Satisfiable", "Cannot satisfy request range"),
  /** 417 Expectation Failed. */
  EXPECTATION_FAILED(417, "Expectation Failed", "Expect condition could not be satisfied"),
  /** 418 I'm a Teapot. */
  IM_A_TEAPOT(418, "I'm a Teapot", "Server refuses to brew coffee because it is a teapot."),
  /** 421 Misdirected Request. */
  MISDIRECTED_REQUEST(421, "Misdirected Request", "Server is not able to produce a response"),
  /** 422 Unprocessable Content. */
  UNPROCESSABLE_CONTENT(422, "Unprocessable Content", ""),
  /** 423 Locked. */
  LOCKED(423, "Locked", ""),
  /** 424 Failed Dependency. */
  FAILED_DEPENDENCY(424, "Failed Dependency", ""),
  /** 425 Too Early. */
  TOO_EARLY(425, "Too Early", ""),
  /** 426 Upgrade Required. */
  UPGRADE_REQUIRED(426, "Upgrade Required", ""),
  /** 428 Precondition Required. */
  PRECONDITION_REQUIRED(
      428,
      "Precondition Required",
      "The origin server requires the request to be conditional"),
  /** 429 Too Many Requests. */
  TOO_MANY_REQUESTS(
      429,
      "Too Many Requests",
      "The user has sent too many requests in a given amount of time (\"rate limiting\")"),
  /** 431 Request Header Fields Too Large. */
  REQUEST_HEADER_FIELDS_TOO_LARGE(
      431,
      "Request Header Fields Too Large",
      "The server is unwilling to process the request because its header fields are too large"),
  /** 451 Unavailable For Legal Reasons. */
  UNAVAILABLE_FOR_LEGAL_REASONS(
      451,
      "Unavailable For Legal Reasons",
      "The server is denying access to the resource as a consequence of a legal demand"),
  /** 500 Internal Server Error. */
  INTERNAL_SERVER_ERROR(500, "Internal Server Error", "Server got itself in trouble"),
  /** 501 Not Implemented. */
  NOT_IMPLEMENTED(501, "Not Implemented", "Server does not support this operation"),
  /** 502 Bad Gateway. */
  BAD_GATEWAY(502, "Bad Gateway", "Invalid responses from another server/proxy"),
  /** 503 Service Unavailable. */
  SERVICE_UNAVAILABLE(
      503,
      "Service Unavailable",
      "The server cannot process the request due to a high load"),
  /** 504 Gateway Timeout. */
  GATEWAY_TIMEOUT(504, "Gateway Timeout", "The gateway server did not receive a timely response"),
  /** 505 HTTP Version Not Supported. */
  HTTP_VERSION_NOT_SUPPORTED(505, "HTTP Version Not Supported", "Cannot fulfill request"),
  /** 506 Variant Also Negotiates. */
  VARIANT_ALSO_NEGOTIATES(506, "Variant Also Negotiates", ""),
  /** 507 Insufficient Storage. */
  INSUFFICIENT_STORAGE(507, "Insufficient Storage", ""),
  /** 508 Loop Detected. */
  LOOP_DETECTED(508, "Loop Detected", ""),
  /** 510 Not Extended. */
  NOT_EXTENDED(510, "Not Extended", ""),
  /** 511 Network Authentication Required. */
  NETWORK_AUTHENTICATION_REQUIRED(
      511,
      "Network Authentication Required",
      "The client needs to authenticate to gain network access");

  /** CPython's alias of {@link #CONTENT_TOO_LARGE}. */
  public static final HTTPStatus REQUEST_ENTITY_TOO_LARGE = CONTENT_TOO_LARGE;

  /** CPython's alias of {@link #URI_TOO_LONG}. */
  public static final HTTPStatus REQUEST_URI_TOO_LONG = URI_TOO_LONG;

  /** CPython's alias of {@link #RANGE_NOT_SATISFIABLE}. */
  public static final HTTPStatus REQUESTED_RANGE_NOT_SATISFIABLE = RANGE_NOT_SATISFIABLE;

  /** CPython's alias of {@link #UNPROCESSABLE_CONTENT}. */
  public static final HTTPStatus UNPROCESSABLE_ENTITY = UNPROCESSABLE_CONTENT;

  private final int value;
  private final String phrase;
  private final String description;

  HTTPStatus(int value, String phrase, String description) {
    this.value = value;
    this.phrase = phrase;
    this.description = description;
  }

  /**
   * Returns the numeric code, CPython's {@code value}.
   *
   * @return the code, for example 404
   */
  public int value() {
    return value;
  }

  /**
   * Returns the reason phrase, CPython's {@code phrase}: what a status line carries.
   *
   * @return the phrase, for example {@code "Not Found"}
   */
  public String phrase() {
    return phrase;
  }

  /**
   * Returns the long description, CPython's {@code description}: what an error page explains.
   *
   * @return the description; empty for the codes CPython describes with nothing
   */
  public String description() {
    return description;
  }

  /**
   * Returns the member with this code, CPython's {@code HTTPStatus(code)}.
   *
   * @param code a status code
   * @return the member, or empty if CPython has none for that code
   */
  public static Optional<HTTPStatus> of(int code) {
    for (HTTPStatus s : values()) {
      if (s.value == code) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
