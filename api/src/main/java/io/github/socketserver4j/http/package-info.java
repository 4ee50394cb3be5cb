/**
 * CPython 3.13's {@code http.server} on socketserver4j: {@link
 * io.github.socketserver4j.http.HTTPServer}, {@link io.github.socketserver4j.http.ThreadingHTTPServer},
 * {@link io.github.socketserver4j.http.BaseHTTPRequestHandler}, {@link
 * io.github.socketserver4j.http.SimpleHTTPRequestHandler}, CPython 3.14's HTTPS servers, and the
 * {@code python -m http.server} command ({@link io.github.socketserver4j.http.HttpServerCommand}).
 *
 * <p>Names follow the project's rule: CPython's class names, snake_case methods in lowerCamel,
 * and {@code do_GET} as {@code doGET} (the HTTP method verbatim). {@code docs/http.md} has the
 * mapping and every difference from CPython.
 */
package io.github.socketserver4j.http;
