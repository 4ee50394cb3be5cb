"""The custom BaseHTTPRequestHandler of CPython 3.13's test_httpservers (BaseHTTPServerTestCase),
plus the cases issue 12 names: handle_expect_100 overridden, and HTTP/1.1 bodies read by
Content-Length or chunked. The Java side is ParityHandler.java. Prints the port, then serves.

usage: python3.13 handlers.py  (binds 127.0.0.1 port 0)
"""
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    default_request_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def handle_expect_100(self):
        if self.path.startswith('/reject'):
            self.send_error(HTTPStatus.EXPECTATION_FAILED)
            return False
        return super().handle_expect_100()

    def do_TEST(self):
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Connection', 'close')
        self.end_headers()

    def do_KEEP(self):
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Connection', 'keep-alive')
        self.end_headers()

    def do_KEYERROR(self):
        self.send_error(999)

    def do_NOTFOUND(self):
        self.send_error(HTTPStatus.NOT_FOUND)

    def do_EXPLAINERROR(self):
        self.send_error(999, "Short Message", "This is a long \n explanation")

    def do_CUSTOM(self):
        self.send_response(999)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Connection', 'close')
        self.end_headers()

    def do_LATINONEHEADER(self):
        self.send_response(999)
        self.send_header('X-Special', 'Dängerous Mind')
        self.send_header('Connection', 'close')
        self.end_headers()
        body = self.headers['x-special-incoming'].encode('utf-8')
        self.wfile.write(body)

    def do_SEND_ERROR(self):
        self.send_error(int(self.path[1:]))

    def do_HEAD(self):
        self.send_error(int(self.path[1:]))

    def do_GET(self):
        body = ('%s %s %s\n' % (self.command, self.path, self.request_version)).encode('latin-1')
        for k, v in self.headers.items():
            body += ('%s=%s\n' % (k, v)).encode('latin-1')
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('X-Custom', 'yes')
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            body = b''
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == '__main__':
    with HTTPServer(('127.0.0.1', 0), Handler) as server:
        print(server.server_address[1], flush=True)
        server.serve_forever()
