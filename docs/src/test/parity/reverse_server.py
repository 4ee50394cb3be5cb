"""Quickstart (docs/parity.md): a TCP server to port. Each line comes back reversed."""
import socketserver


class Reverse(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line.rstrip(b"\n")[::-1] + b"\n")


if __name__ == "__main__":
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Reverse) as server:
        print(server.server_address, flush=True)  # the runner reads the address here
        server.serve_forever()
