"""What ``mamori books triangle`` and ``mamori books close`` ask of the web application's database."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from mamori import books
from mamori.web import server


def _ready() -> None:
    server.configure(demo=bool(os.environ.get("MAMORI_DEMO")))
    server.migrate_and_register()


def triangle(*, as_of: dt.date, basis: str, period: str) -> books.Triangle:
    _ready()  # before the models are imported
    from mamori.usecases import books as usecase
    from mamori.web.books import selectors

    return usecase.triangle_of(selectors.records(), as_of=as_of, basis=basis, period=period)


def close(*, month: str, loss_ratio: float | None) -> dict[str, Any]:
    _ready()  # before the models are imported
    from mamori.usecases import books as usecase
    from mamori.web.books import selectors

    return usecase.close(
        selectors.records(), month=month, loss_ratio=loss_ratio, portfolio=selectors.latest_portfolio_answer()
    )
