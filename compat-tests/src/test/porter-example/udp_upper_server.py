"""Porter-mode example: a UDP server (UdpUpperServer.java is its port)."""
import socketserver


class Upper(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data.upper(), self.client_address)


if __name__ == "__main__":
    with socketserver.UDPServer(("127.0.0.1", 0), Upper) as server:
        print(server.server_address, flush=True)
        server.serve_forever()
