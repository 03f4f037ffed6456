"""Estimating an incident's loss and each plan's payout with the web application's product catalogue.

Nothing is stored: an estimate is a calculation a visitor may repeat at will (the quote it leads to is
saved by the quote page).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mamori import i18n
from mamori.estimate import answer
from mamori.usecases.estimate import estimate_loss
from mamori.web.productdb import selectors as productdb


def estimate_calculate(
    *, document: bytes | Mapping[str, Any] | None, preset: int | str | None = None, lang: i18n.Lang
) -> dict[str, Any]:
    """The answer of ``mamori estimate --json`` for a document and/or a preset. Raises InvalidInput."""
    result = estimate_loss(productdb.catalog(), document, preset=preset)
    return answer.to_json_dict(result, lang)
