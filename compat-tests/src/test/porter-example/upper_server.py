"""Porter-mode example: a Python server to compare with its Java port (UpperServer.java)."""
import socketserver


class Upper(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            if line.strip() == b"quit":
                self.wfile.write(b"bye\n")
                return
            self.wfile.write(line.upper())


if __name__ == "__main__":
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Upper) as server:
        print(server.server_address, flush=True)
        server.serve_forever()
