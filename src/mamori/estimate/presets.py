"""The eight incidents of product.md §6 as adjustable scenarios (``presets/NN_*.json``).

A preset is an estimate document like any other (interfaces.md §1.5) with its assumptions written out
(``assumptions_ja``, ``assumptions_en``). A document that names ``"preset": N`` starts from it: the
objects ``business``, ``incident``, ``quantities`` and ``plan`` are merged key by key (the document's
keys win), every other key the document gives replaces the preset's.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from mamori.errors import FieldError, InvalidInput
from mamori.io import jsonio

__all__ = ["MERGED_OBJECTS", "PRESET_FIELD", "PRESET_FOLDER", "load", "numbers", "resolve"]

PRESET_FOLDER: Final = Path(__file__).resolve().parent / "presets"
PRESET_FIELD: Final = "preset"
#: Objects of a document merged key by key into its preset's; any other key replaces the preset's.
MERGED_OBJECTS: Final = ("business", "incident", "quantities", "plan")


@functools.cache
def _files() -> Mapping[int, Path]:
    found: dict[int, Path] = {}
    for path in sorted(PRESET_FOLDER.glob("*.json")):
        number = int(path.name.split("_", 1)[0])
        found[number] = path
    return found


def numbers() -> tuple[int, ...]:
    """The preset numbers (1–8: the incidents of product.md §6)."""
    return tuple(_files())


@functools.cache
def _load(number: int) -> Mapping[str, Any]:
    document = jsonio.loads(_files()[number].read_bytes())
    if not isinstance(document, dict):  # pragma: no cover - the shipped presets are objects (tested)
        raise TypeError(f"preset {number} is not a JSON object")
    return document


def load(number: int) -> dict[str, Any]:
    """A fresh copy of preset ``number`` (a known number) as a parsed document."""
    copied: dict[str, Any] = _copy(_load(number))
    return copied


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def number_of(value: Any, field: str = PRESET_FIELD) -> int:
    """A preset number from a document (an integer) or the command line (digits); InvalidInput otherwise."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number not in _files():
        raise InvalidInput([FieldError(field, "E_CHOICE", {"value": value, "allowed": list(numbers())})])
    return number


def resolve(
    document: Mapping[str, Any] | None, preset: int | str | None = None
) -> tuple[dict[str, Any], int | None, tuple[str, ...]]:
    """The document to estimate, the preset it starts from (or None) and the keys it overrides.

    ``preset`` is the command line's ``--preset``; a document may name its own ``"preset"``, which must
    then be the same one.
    """
    given = {} if document is None else dict(document)
    in_document = given.pop(PRESET_FIELD, None)
    chosen = None if preset is None else number_of(preset)
    if in_document is not None:
        named = number_of(in_document)
        if chosen is not None and named != chosen:
            raise InvalidInput([FieldError(PRESET_FIELD, "E_PRESET_CONFLICT", {"value": named, "given": chosen})])
        chosen = named
    if chosen is None:
        return given, None, ()
    merged = load(chosen)
    for key, value in given.items():
        base = merged.get(key)
        if key in MERGED_OBJECTS and isinstance(base, dict) and isinstance(value, dict):
            merged[key] = {**base, **value}
        else:
            merged[key] = value
    return merged, chosen, tuple(given)
