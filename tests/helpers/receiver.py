"""A webhook receiver on 127.0.0.1 for tests: records each request (headers, body) and answers
the statuses it is given, in turn (the last repeats); it may hang until released."""

from __future__ import annotations

import http.server
import threading


class Receiver:
    def __init__(self, statuses=(200,), hang: bool = False):
        self.statuses = list(statuses)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.release = threading.Event()  # set: a hanging receiver answers
        if not hang:
            self.release.set()
        self.arrived = threading.Event()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                owner.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                owner.arrived.set()
                owner.release.wait(30)
                status = owner.statuses.pop(0) if len(owner.statuses) > 1 else owner.statuses[0]
                self.send_response(status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
