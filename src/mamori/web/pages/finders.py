"""A static-files finder for the Japanese font that the project installs (japanize-matplotlib's
IPAexGothic): served as ``mamori/fonts/ipaexg.ttf``, a fallback for browsers without a Japanese font."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

from mamori.web.policies.certificate import font_path

PREFIX = "mamori/fonts"


class PackagedFontFinder(BaseFinder):
    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if path == f"{PREFIX}/{font_path().name}":
            return [str(font_path())] if find_all else str(font_path())
        return [] if find_all else None

    def list(self, ignore_patterns: Any) -> Any:
        storage = FileSystemStorage(location=str(font_path().parent))
        storage.prefix = PREFIX  # collectstatic places the file under this prefix
        yield font_path().name, storage
