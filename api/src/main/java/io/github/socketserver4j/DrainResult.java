package io.github.socketserver4j;

/**
 * What {@link BaseServer#drain} did.
 *
 * @param finished requests that ended by themselves before the deadline
 * @param cut requests still running at the deadline, whose connections were then closed
 * @param stillRunning cut requests whose handlers had not returned even after their connections
 *     were closed (a handler stuck outside socket I/O); their threads are left running
 */
public record DrainResult(int finished, int cut, int stillRunning) {}
