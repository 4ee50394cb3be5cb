"""Porter-mode example: a server whose printed log is its behaviour (LogServer.java)."""
import socketserver
import threading
import time


class Echo(socketserver.BaseRequestHandler):
    def setup(self):
        print("setup", self.client_address, threading.current_thread().name, flush=True)

    def handle(self):
        data = self.request.recv(1024)
        print("recv", repr(data), "at", time.strftime("%H:%M:%S"), flush=True)
        if data.strip() == b"boom":
            raise ValueError("boom")
        self.request.sendall(data.upper())

    def finish(self):
        print("finish", self.client_address, flush=True)


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    def verify_request(self, request, client_address):
        print("verify_request", client_address, flush=True)
        return True


if __name__ == "__main__":
    with Server(("127.0.0.1", 0), Echo) as server:
        print(server.server_address, flush=True)
        server.serve_forever()
