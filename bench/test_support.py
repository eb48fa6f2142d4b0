"""What the benchmarks need to run cases in-process: the outbox read through the WSGI app."""
from __future__ import annotations

import io
import json
from urllib.parse import urlsplit


def mail_reader(app):
    """A ``RunContext.mail_reader`` that GETs the outbox from ``app`` without a socket."""
    def read(url: str) -> list[dict]:
        parts = urlsplit(url)
        body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": parts.path, "QUERY_STRING": parts.query,
                             "wsgi.input": io.BytesIO(b""), "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80"},
                            lambda status, headers, exc=None: None))
        return json.loads(body)
    return read
