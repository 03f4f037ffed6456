"""Bilingual texts of the core: Japanese first, English available everywhere.

The message catalogue is every ``messages/*.toml`` file of the package, merged (a code may be defined
once). Product-specific wording (reasons, security measures, coverage terms) lives with the product
data instead; this catalogue holds what is the same for every product: input-error messages, field
labels and the words of readable output.
"""

from __future__ import annotations

import functools
import locale
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

__all__ = ["LANGS", "Lang", "default_lang", "factor_label", "label", "problem_template", "template", "text"]

Lang = Literal["ja", "en"]
LANGS: Final[tuple[Lang, ...]] = ("ja", "en")
_FOLDER: Final = Path(__file__).parent / "messages"
_INDEX: Final = re.compile(r"\[\d+\]")


@functools.cache
def catalogue() -> Mapping[str, Mapping[str, Mapping[str, str]]]:
    """Every message file merged by group (``fields``, ``errors``, ``problems``, ``factors``, ``texts``)."""
    merged: dict[str, dict[str, Mapping[str, str]]] = {}
    for path in sorted(_FOLDER.glob("*.toml")):
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
        for group, entries in data.items():
            target = merged.setdefault(group, {})
            for key, entry in entries.items():
                if key in target:
                    raise ValueError(f"{path.name}: [{group}.{key}] is defined twice in the message catalogue")
                target[key] = entry
    return merged


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


def as_lang(value: str | None) -> Lang:
    """``ja`` or ``en`` from a language tag (``ja-JP``, ``en-GB``, ``EN``); Japanese when unknown."""
    return "en" if (value or "").lower().startswith("en") else "ja"


def label(field: str, lang: Lang) -> str:
    """The label of a field or a document path (``costs[2].amount`` is labelled as ``costs.amount``)."""
    fields = catalogue().get("fields", {})
    for key in (field, _INDEX.sub("", field), field.rsplit(".", 1)[-1]):
        entry = fields.get(key)
        if entry:
            return entry[lang]
    return field


def factor_label(key: str, lang: Lang) -> str:
    entry = catalogue().get("factors", {}).get(key)
    return entry[lang] if entry else key


def template(code: str, lang: Lang) -> str:
    """The template of error ``code`` in ``lang`` (filled by :class:`mamori.errors.FieldError`)."""
    return catalogue()["errors"][code][lang]


def problem_template(code: str, lang: Lang) -> str | None:
    """The template of problem ``code`` (``[problems]``: what is wrong with a file or a data value), or None."""
    entry = catalogue().get("problems", {}).get(code)
    return entry[lang] if entry else None


def text(key: str, lang: Lang, **params: Any) -> str:
    """A word or sentence of readable output (``[texts.*]``) in ``lang``."""
    return catalogue()["texts"][key][lang].format(**params)
