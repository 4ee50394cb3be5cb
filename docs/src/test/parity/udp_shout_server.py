"""Quickstart (docs/parity.md): a UDP server to port. Each datagram comes back in capitals."""
import socketserver


class Shout(socketserver.DatagramRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.read().upper())


if __name__ == "__main__":
    with socketserver.UDPServer(("127.0.0.1", 0), Shout) as server:
        print(server.server_address, flush=True)
        server.serve_forever()
