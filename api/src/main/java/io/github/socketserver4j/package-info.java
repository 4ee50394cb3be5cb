/**
 * Python's {@code socketserver} for Java: the same classes, hooks, defaults, call order and
 * failure behaviour, on a pluggable transport (Netty 4.2 in {@code socketserver4j-netty}).
 *
 * <p>There are four axes, as in CPython: the address family, the socket type, whether requests
 * are handled synchronously or in threads, and the request handler.
 *
 * <pre>
 *   BaseServer                      the request state machine (transport-agnostic)
 *    └─ TCPServer                   a stream socket; one request at a time
 *        └─ ThreadingTCPServer      + ThreadingMixIn: a thread per request
 *
 *   BaseRequestHandler              setup(), handle(), finish()
 *    └─ StreamRequestHandler        rfile() / wfile() over the connection
 * </pre>
 *
 * <h2>Porting from Python</h2>
 *
 * <ul>
 *   <li>Class names are CPython's. Methods and attributes map snake_case to lowerCamel with the
 *       same words: {@code serve_forever} is {@link io.github.socketserver4j.BaseServer#serveForever()},
 *       {@code server_address} is {@code serverAddress()}.
 *   <li>Class attributes that may be overridden ({@code timeout}, {@code request_queue_size},
 *       {@code allow_reuse_address}, {@code daemon_threads}, {@code wbufsize}, ...) are methods that
 *       return CPython's default; override them. Python's {@code None} is an empty {@link
 *       java.util.Optional}.
 *   <li>{@code RequestHandlerClass} is a {@link io.github.socketserver4j.RequestHandlerFactory}:
 *       pass {@code MyHandler::new}.
 *   <li>A mix-in listed first among Python's bases is an interface here: {@code class S extends
 *       TCPServer implements ThreadingMixIn}.
 *   <li>Python's {@code Exception} is Java's {@link java.lang.Exception}, and also {@link
 *       java.lang.AssertionError} and {@link java.lang.StackOverflowError} (Python's {@code
 *       AssertionError} and {@code RecursionError}): it goes to {@code handleError} and the server
 *       keeps serving. Python's {@code SystemExit} is {@link io.github.socketserver4j.ServerExit},
 *       an {@link java.lang.Error}: it propagates, like every other {@code Error}. {@code OSError}
 *       is {@link java.io.IOException}.
 * </ul>
 *
 * <p>The full mapping and every deviation from CPython, with its reason, are in {@code
 * docs/porting.md} and {@code docs/differences.md}.
 */
package io.github.socketserver4j;
