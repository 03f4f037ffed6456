"""gunicorn's workers (threaded by default, or sync), answering what gunicorn itself refuses (a request
line or headers too long, a malformed request) in the one error shape of interfaces.md §2 — JSON
``{"errors": [...]}`` — instead of its HTML page. The request could not be read, so its language is
unknown: Japanese first."""

from __future__ import annotations

import json
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

from mamori.errors import FieldError

_CODES = {400: "E_BAD_REQUEST", 414: "E_URI_TOO_LONG", 431: "E_BAD_REQUEST", 500: "E_SERVER", 501: "E_BAD_REQUEST"}


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    code = _CODES.get(status_int, "E_BAD_REQUEST" if status_int < 500 else "E_SERVER")
    params: dict[str, Any] = {"maximum": 8190} if code == "E_URI_TOO_LONG" else {}
    if code == "E_SERVER":
        params["request_id"] = "-"
    body = json.dumps({"errors": [FieldError("$", code, params).to_dict("ja")]}, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Cache-Control: no-store\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin1") + body)


class _JsonErrors:
    """gunicorn's refusals in the one error shape, for every request of this worker process."""

    def init_process(self) -> None:
        util.write_error = write_json_error  # this process answers only for Mamori
        super().init_process()  # type: ignore[misc]


class JsonErrorWorker(_JsonErrors, SyncWorker):  # gunicorn ships no type information
    """One request at a time per process (no keep-alive)."""


class JsonErrorThreadWorker(_JsonErrors, ThreadWorker):  # gunicorn ships no type information
    """``mamori serve``'s default: a few threads per process and kept-alive connections, so that a thread
    waiting for the database leaves the processor to another request."""
