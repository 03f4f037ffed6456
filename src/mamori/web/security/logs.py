"""Structured logs: one JSON object per line (python-json-logger), each carrying the id of the request it
belongs to (``request_id``; ``-`` outside a request)."""

from __future__ import annotations

import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("mamori_request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
