package io.github.socketserver4j;

/**
 * What {@link BaseServer#drain} did: a socketserver4j addition, CPython has no drain.
 *
 * @param finished requests that ended by themselves before the deadline
 * @param cut requests still running at the deadline, whose connections (on a datagram server:
 *     the shared socket) were then closed
 * @param stillRunning cut requests whose handlers had not returned even after their connections
 *     were closed (a handler stuck outside socket I/O); their threads are left running
 */
public record DrainResult(int finished, int cut, int stillRunning) {}
