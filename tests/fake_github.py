"""A local stand-in for GitHub's issue-comments REST API, served over real HTTP on 127.0.0.1.

Only what the sticky comment uses: list a pull request's comments (paged, with a
``Link: rel="next"`` header as GitHub sends), create one, update one. It checks
the bearer token and keeps every request so tests can count them.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeGitHub:
    token: str = "ghs_fake-token"
    repository: str = "acme/video-config"
    comments: dict[int, list[dict]] = field(default_factory=dict)  # issue number -> comments
    requests: list[tuple[str, str]] = field(default_factory=list)
    refuse_writes: int | None = None  # answer writes with this status (e.g. 403, as for a fork's token)
    next_id: int = 1000
    url: str = ""

    def add(self, number: int, body: str, user: str = "someone") -> dict:
        self.next_id += 1
        comment = {"id": self.next_id, "body": body, "user": {"login": user},
                   "html_url": f"https://github.example/{self.repository}/pull/{number}#issuecomment-{self.next_id}"}
        self.comments.setdefault(number, []).append(comment)
        return comment


def serve(fake: FakeGitHub):
    """Start the fake; return (server, thread). ``fake.url`` is its API URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _answer(self, status: int, data, headers: dict | None = None) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {fake.token}":
                self._answer(401, {"message": "Bad credentials"})
                return False
            return True

        def _body(self) -> dict:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            fake.requests.append(("GET", parts.path))
            if not self._authorised():
                return
            match = re.fullmatch(rf"/repos/{fake.repository}/issues/(\d+)/comments", parts.path)
            if not match:
                return self._answer(404, {"message": "Not Found"})
            query = parse_qs(parts.query)
            per_page, page = int(query.get("per_page", ["30"])[0]), int(query.get("page", ["1"])[0])
            everything = fake.comments.get(int(match.group(1)), [])
            chunk = everything[(page - 1) * per_page: page * per_page]
            headers = {}
            if page * per_page < len(everything):
                headers["Link"] = f'<{fake.url}{parts.path}?per_page={per_page}&page={page + 1}>; rel="next"'
            self._answer(200, chunk, headers)

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            fake.requests.append(("POST", parts.path))
            if not self._authorised():
                return
            match = re.fullmatch(rf"/repos/{fake.repository}/issues/(\d+)/comments", parts.path)
            if not match:
                return self._answer(404, {"message": "Not Found"})
            if fake.refuse_writes:
                return self._answer(fake.refuse_writes, {"message": "Resource not accessible by integration"})
            self._answer(201, fake.add(int(match.group(1)), self._body()["body"], "github-actions[bot]"))

        def do_PATCH(self) -> None:
            parts = urlsplit(self.path)
            fake.requests.append(("PATCH", parts.path))
            if not self._authorised():
                return
            match = re.fullmatch(rf"/repos/{fake.repository}/issues/comments/(\d+)", parts.path)
            found = [c for cs in fake.comments.values() for c in cs if match and c["id"] == int(match.group(1))]
            if not found:
                return self._answer(404, {"message": "Not Found"})
            if fake.refuse_writes:
                return self._answer(fake.refuse_writes, {"message": "Resource not accessible by integration"})
            found[0]["body"] = self._body()["body"]
            self._answer(200, found[0])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
