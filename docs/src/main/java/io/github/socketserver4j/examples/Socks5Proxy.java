package io.github.socketserver4j.examples;

import io.github.socketserver4j.DrainOnSignal;
import io.github.socketserver4j.Relay;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A SOCKS5 proxy (no authentication, CONNECT only), ported from the widely copied Python
 * {@code socketserver} version. Its {@code exchange_loop} waits on the client and the remote
 * socket at once with {@code select()}; the port uses {@link Relay}.
 *
 * <pre>
 * def exchange_loop(self, client, remote):
 *     while True:
 *         r, w, e = select.select([client, remote], [], [])
 *         if client in r:
 *             data = client.recv(4096)
 *             if remote.send(data) &lt;= 0:
 *                 break
 *         if remote in r:
 *             data = remote.recv(4096)
 *             if client.send(data) &lt;= 0:
 *                 break
 * </pre>
 */
public final class Socks5Proxy {
  static final int SOCKS_VERSION = 5;

  private Socks5Proxy() {}

  /** One client: the SOCKS5 greeting, the CONNECT request, then the relay. */
  static class SocksProxy extends StreamRequestHandler {
    @Override
    public void handle() throws Exception {
      StreamRequest client = connection();
      // version, nmethods = struct.unpack("!BB", self.connection.recv(2))
      byte[] header = recvExactly(client, 2);
      recvExactly(client, header[1] & 0xff); // the methods: only "no authentication" is offered
      client.sendall(new byte[] {SOCKS_VERSION, 0});
      // version, cmd, _, address_type = struct.unpack("!BBBB", self.connection.recv(4))
      byte[] request = recvExactly(client, 4);
      InetAddress address;
      if (request[3] == 1) { // IPv4
        address = InetAddress.getByAddress(recvExactly(client, 4));
      } else if (request[3] == 3) { // domain name
        int length = recvExactly(client, 1)[0] & 0xff;
        address = InetAddress.getByName(
            new String(recvExactly(client, length), StandardCharsets.US_ASCII));
      } else {
        return; // address type not supported: close the connection
      }
      int port = ByteBuffer.wrap(recvExactly(client, 2)).getShort() & 0xffff;
      // tag::relay[]
      try (Socket remote = new Socket(address, port)) { // remote.connect((address, port))
        InetSocketAddress bound = (InetSocketAddress) remote.getLocalSocketAddress();
        ByteBuffer reply = ByteBuffer.allocate(10).put(new byte[] {SOCKS_VERSION, 0, 0, 1})
            .put(bound.getAddress().getAddress()).putShort((short) bound.getPort());
        client.sendall(reply.array()); // self.connection.sendall(reply)
        if (request[1] == 1) { // CONNECT
          Relay.run(client, remote); // self.exchange_loop(self.connection, remote)
        }
      }
      // end::relay[]
    }

    /** {@code recv(n)} until n bytes: the Python version assumes each recv returns them all. */
    private static byte[] recvExactly(StreamRequest client, int n) throws IOException {
      byte[] data = client.openInputStream().readNBytes(n);
      if (data.length < n) {
        throw new IOException("the client closed during the SOCKS5 handshake");
      }
      return data;
    }
  }

  /**
   * Serves on 127.0.0.1 (default port 9011) until Ctrl-C or SIGTERM.
   *
   * @param args an optional port
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9011;
    try (var server = new ThreadingTCPServer(new InetSocketAddress("127.0.0.1", port), SocksProxy::new)) {
      System.out.println(server.serverAddress());
      DrainOnSignal.serveForever(server, Duration.ofSeconds(10)); // Ctrl-C, SIGTERM: drain, return
    }
  }
}
