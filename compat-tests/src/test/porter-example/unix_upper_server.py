"""Porter-mode example: a Unix stream server on the path given as argument (UnixUpperServer)."""
import os
import socketserver
import sys


class Upper(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line.upper())


if __name__ == "__main__":
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    with socketserver.ThreadingUnixStreamServer(path, Upper) as server:
        print(server.server_address, flush=True)
        server.serve_forever()
