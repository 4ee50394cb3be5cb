package io.github.socketserver4j.memory;

import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.spi.ReceivedDatagram;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-memory "network": bound sockets by address, and the clients that talk to them. Ports
 * are handed out from a counter, so port 0 works as with a kernel.
 */
public final class MemoryNetwork {
  private static final AtomicInteger PORTS = new AtomicInteger(20_000);
  private static final Map<SocketAddress, MemorySocket> STREAM = new ConcurrentHashMap<>();
  private static final Map<SocketAddress, MemorySocket> DGRAM = new ConcurrentHashMap<>();
  private static final Map<SocketAddress, MemoryDatagramClient> DGRAM_CLIENTS =
      new ConcurrentHashMap<>();

  private MemoryNetwork() {}

  /** A fresh loopback address with port 0, to bind a server to. */
  public static InetSocketAddress anyPort() {
    return new InetSocketAddress("127.0.0.1", 0);
  }

  static SocketAddress bind(MemorySocket socket, SocketAddress address) throws IOException {
    SocketAddress real = address;
    if (address instanceof InetSocketAddress && ((InetSocketAddress) address).getPort() == 0) {
      InetSocketAddress inet = (InetSocketAddress) address;
      real = new InetSocketAddress(inet.getAddress(), PORTS.incrementAndGet());
    }
    Map<SocketAddress, MemorySocket> table = table(socket);
    if (table.putIfAbsent(real, socket) != null) {
      throw new BindException("Address already in use: " + real);
    }
    return real;
  }

  static void unbind(MemorySocket socket, SocketAddress address) {
    if (address != null) {
      table(socket).remove(address, socket);
    }
  }

  private static Map<SocketAddress, MemorySocket> table(MemorySocket socket) {
    return socket.spec().type() == io.github.socketserver4j.SocketType.SOCK_STREAM ? STREAM : DGRAM;
  }

  /** Connects to a stream server: queued in its backlog until it accepts. */
  public static MemoryClient connect(SocketAddress server) throws IOException {
    MemorySocket socket = STREAM.get(server);
    SocketAddress clientAddress =
        server instanceof UnixDomainSocketAddress
            ? UnixDomainSocketAddress.of("") // an unbound Unix client: CPython's ''
            : new InetSocketAddress("127.0.0.1", PORTS.incrementAndGet());
    Pipe toServer = new Pipe();
    Pipe fromServer = new Pipe();
    MemoryConnection serverEnd = new MemoryConnection(toServer, fromServer, server, clientAddress);
    if (socket == null || !socket.offer(new ClientRequest(serverEnd, clientAddress))) {
      throw new ConnectException("Connection refused: " + server);
    }
    return new MemoryClient(toServer, fromServer, serverEnd, clientAddress);
  }

  /** A datagram client with an address of its own, so the server can reply. */
  public static MemoryDatagramClient datagramClient() {
    SocketAddress address = new InetSocketAddress("127.0.0.1", PORTS.incrementAndGet());
    MemoryDatagramClient client = new MemoryDatagramClient(address);
    DGRAM_CLIENTS.put(address, client);
    return client;
  }

  /** Queues a datagram at the server, or drops it, as UDP does, when none takes it. */
  static boolean deliver(byte[] data, SocketAddress from, SocketAddress server) {
    MemorySocket socket = DGRAM.get(server);
    return socket != null && socket.offer(new ReceivedDatagram(data, from));
  }

  static void deliverReply(byte[] data, SocketAddress from, SocketAddress to) {
    MemoryDatagramClient client = DGRAM_CLIENTS.get(to);
    if (client != null) {
      client.received(data);
    }
  }

  static void forget(MemoryDatagramClient client) {
    DGRAM_CLIENTS.remove(client.address(), client);
  }
}
