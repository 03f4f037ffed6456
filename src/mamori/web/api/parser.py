"""Request bodies read as strict JSON (a key given twice, NaN or Infinity is refused, never last-wins)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from mamori.io import jsonio


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        if not request.body:
            return {}
        return jsonio.loads(request.body)
