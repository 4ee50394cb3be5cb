package io.github.socketserver4j;

/**
 * A request as the server hooks see it: CPython's {@code request} argument.
 *
 * <p>For stream servers ({@link TCPServer}) a request is the accepted connection, a {@link
 * StreamRequest}. Hooks that CPython types loosely ({@code verify_request}, {@code
 * shutdown_request}, {@code handle_error}) take this common type.
 */
public interface Request {}
