"""A desk's REST API on 127.0.0.1 serving recorded answers, for pull sync tests.

``answers`` maps a key (the request's path plus the query parameter named by ``page_by``) to
a list of (status, headers, body) answered in turn; the last one is repeated. Every request
is kept in ``requests``.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class DeskServer:
    def __init__(self, page_by: str):
        self.page_by = page_by
        self.answers: dict[tuple[str, str], list] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                server.requests.append((parts.path, query, dict(self.headers)))
                queue = server.answers.get((parts.path, query.get(server.page_by, "")))
                if not queue:
                    status, headers, body = 404, {}, {"error": "no recorded answer"}
                else:
                    status, headers, body = queue.pop(0) if len(queue) > 1 else queue[0]
                raw = json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, path: str, page: str, *answers):
        self.answers[(path, str(page))] = list(answers)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
