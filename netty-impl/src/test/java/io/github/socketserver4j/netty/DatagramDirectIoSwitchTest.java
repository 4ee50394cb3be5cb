package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.socketserver4j.DatagramRequestHandler;
import io.github.socketserver4j.ServerInternals;
import io.github.socketserver4j.UDPServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.DatagramIo;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 2: datagram I/O below Netty has a switch. {@code
 * NettyOptions.Builder.directDatagramIo} wins over the system property {@code
 * socketserver4j.netty.directDatagramIo}; the path is used only on epoll and without a pipeline
 * initializer; either way the server answers.
 */
class DatagramDirectIoSwitchTest {

  /** Makes a UDP echo server with {@code netty} (null: the class path's provider), and asks it. */
  private static boolean usesDirectPath(String mode, String transport, NettyOptions netty)
      throws Exception {
    UDPServer server =
        DatagramIo.with(
            mode,
            () ->
                Transports.with(
                    transport,
                    () ->
                        new UDPServer(
                            new InetSocketAddress("127.0.0.1", 0),
                            () ->
                                new DatagramRequestHandler() {
                                  @Override
                                  public void handle() throws Exception {
                                    wfile().write(packet());
                                  }
                                }) {
                          @Override
                          protected SocketProvider socketProvider() {
                            return netty != null ? netty : super.socketProvider();
                          }
                        }));
    try (Serving serving = Serving.start(server);
        DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      client.setSoTimeout((int) TestRules.waitBound().toMillis());
      byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
      client.send(new DatagramPacket(hello, hello.length, server.serverAddress()));
      DatagramPacket reply = new DatagramPacket(new byte[16], 16);
      client.receive(reply);
      assertEquals("hello", new String(Arrays.copyOf(reply.getData(), reply.getLength())));
      return ((NettyDatagramSocket) ServerInternals.impl(server)).usesDirectPath();
    }
  }

  @Test
  @DisplayName("the property turns the path on and off; the builder's setting wins over it")
  void propertyAndBuilder() throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "the path below Netty needs epoll");
    assertTrue(usesDirectPath("direct", "epoll", null));
    assertEquals(false, usesDirectPath("netty", "epoll", null));
    NettyOptions off = NettyOptions.builder().directDatagramIo(false).build();
    NettyOptions on = NettyOptions.builder().directDatagramIo(true).build();
    assertEquals(false, usesDirectPath("direct", "epoll", off));
    assertTrue(usesDirectPath("netty", "epoll", on));
  }

  @Test
  @DisplayName("NIO, and a pipeline initializer, keep every datagram in Netty whatever the switch says")
  void onlyWhereItApplies() throws Exception {
    NettyOptions on = NettyOptions.builder().directDatagramIo(true).build();
    assertEquals(false, usesDirectPath("direct", "nio", on));
    assumeTrue(Transports.available().contains("epoll"), "epoll for the pipeline case");
    NettyOptions withHandlers =
        NettyOptions.builder()
            .directDatagramIo(true)
            .pipeline(ch -> ch.pipeline().addLast(new io.netty.channel.ChannelDuplexHandler()))
            .build();
    assertEquals(false, usesDirectPath("direct", "epoll", withHandlers));
  }

  @Test
  @DisplayName("a property value other than true or false fails the constructor, naming it")
  void badPropertyValue() throws Exception {
    String old = System.getProperty(DatagramIo.PROPERTY);
    System.setProperty(DatagramIo.PROPERTY, "sometimes");
    try {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> new UDPServer(new InetSocketAddress("127.0.0.1", 0), DatagramRequestHandler::new));
      assertTrue(e.getMessage().contains("socketserver4j.netty.directDatagramIo=sometimes"), e.getMessage());
    } finally {
      if (old == null) {
        System.clearProperty(DatagramIo.PROPERTY);
      } else {
        System.setProperty(DatagramIo.PROPERTY, old);
      }
    }
  }
}
