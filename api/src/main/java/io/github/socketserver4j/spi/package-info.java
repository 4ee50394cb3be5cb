/**
 * The service-provider interface through which {@code socketserver4j} finds its transport.
 *
 * <p>Users never need this package: they add the {@code socketserver4j-netty} artifact and the
 * server classes find it. It is for implementing another transport, in the way {@code
 * com.sun.net.httpserver.spi} is for the JDK's HTTP server. It uses JDK types only.
 */
package io.github.socketserver4j.spi;
