"""Bilingual messages of the core: Japanese first, English available everywhere."""

from __future__ import annotations

import functools
import locale
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

Lang = Literal["ja", "en"]
LANGS: Final[tuple[Lang, ...]] = ("ja", "en")
_CATALOG: Final = Path(__file__).parent / "messages.toml"


@functools.cache
def _catalog() -> Mapping[str, Any]:
    with _CATALOG.open("rb") as fh:
        return tomllib.load(fh)


def default_lang() -> Lang:
    """Language from the locale: English only when the locale asks for a non-Japanese language.

    Japanese is the first language of the product, so an unset, ``C`` or ``POSIX`` locale gives Japanese.
    """
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return _lang_of(value)
    current = locale.getlocale(locale.LC_CTYPE)[0] or ""
    return _lang_of(current)


def _lang_of(value: str) -> Lang:
    code = value.split(":", maxsplit=1)[0].split(".", maxsplit=1)[0].lower()
    if code in ("", "c", "posix") or code.startswith("ja"):
        return "ja"
    return "en"


def label(field: str, lang: Lang) -> str:
    fields: Mapping[str, Mapping[str, str]] = _catalog()["fields"]
    entry = fields.get(field)
    return entry[lang] if entry else field


def factor_label(key: str, lang: Lang) -> str:
    factors: Mapping[str, Mapping[str, str]] = _catalog()["factors"]
    entry = factors.get(key)
    return entry[lang] if entry else key


def message(code: str, lang: Lang, **params: Any) -> str:
    """The text of message ``code`` in ``lang`` with ``params`` filled in."""
    entry: Mapping[str, str] = _catalog()["errors"][code]
    return entry[lang].format(**params)
