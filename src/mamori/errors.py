"""Input errors: every one names the field, the value given and the values allowed (ja/en)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mamori import i18n


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid input field. ``params`` fill the message template of ``code``."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def message(self, lang: i18n.Lang) -> str:
        params = dict(self.params)
        allowed = params.get("allowed")
        if isinstance(allowed, list | tuple):
            params["allowed"] = ", ".join(str(a) for a in allowed)
        return i18n.message(self.code, lang, field=self.field, label=i18n.label(self.field, lang), **params)

    def to_dict(self, lang: i18n.Lang) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "code": self.code, "message": self.message(lang)}
        allowed = self.params.get("allowed")
        if allowed is not None:
            out["allowed"] = list(allowed) if isinstance(allowed, list | tuple) else allowed
        return out


class InvalidInput(ValueError):
    """The input cannot be rated. Nothing was decided and nothing is written."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(e.message("en") for e in self.errors))

    def messages(self, lang: i18n.Lang) -> list[str]:
        return [e.message(lang) for e in self.errors]
