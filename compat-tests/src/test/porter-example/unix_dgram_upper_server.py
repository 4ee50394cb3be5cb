"""Porter-mode example: a Unix datagram server on the path given as argument."""
import os
import socketserver
import sys


class Upper(socketserver.DatagramRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.read().upper())


if __name__ == "__main__":
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    with socketserver.UnixDatagramServer(path, Upper) as server:
        print(server.server_address, flush=True)
        server.serve_forever()
