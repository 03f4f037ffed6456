"""Use cases of the insurer's books (``product.md`` §8; ``interfaces.md`` §1.7 and §2 ``/api/v1/books/…``).

- :func:`reserve_file` — ``mamori reserve TRIANGLE``: a triangle read from CSV or Parquet (long or wide form),
  reserved by the chain ladder, Mack or Bornhuetter–Ferguson;
- :class:`Records` — the web application's records (policy versions, installments, the claims ledger and the
  reserve history) as the columns of :mod:`mamori.books`; the web shell reads them, these functions answer:
  :func:`premium_answer`, :func:`triangle_of`, :func:`reserves_answer` and :func:`close` (the monthly close,
  each figure with the records it came from).

Nothing here imports Django; every input is checked (an ``as_of`` before any record, an unknown basis or
period, a month that is not ``YYYY-MM``) and refused as one :class:`InvalidInput` before anything is done.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from mamori import books
from mamori.books import ClaimRecords, Triangle, WrittenAmounts
from mamori.errors import FieldError, InvalidInput

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "Records",
    "check_as_of",
    "close",
    "premium_answer",
    "read_premium",
    "read_triangle",
    "reserve_file",
    "reserves_answer",
    "triangle_of",
    "triangle_table",
]

_MONTH: Final = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


# ------------------------------------------------------------------------------------------ files


def read_triangle(path: Path, *, field_name: str = "TRIANGLE") -> Triangle:
    """A triangle from a CSV or Parquet file: long (``origin``, ``age``, ``value``) or wide (``origin`` and one
    column per age). Row numbers in messages are the file's (a CSV's header is row 1)."""
    from mamori.io import tables

    table = tables.read_table(path, field=field_name)
    first = 2 if tables.format_of(path, field_name) == "csv" else 1
    names = table.column_names
    columns = {name: table.column(name).to_pylist() for name in names}
    if {"origin", "age", "value"} <= set(names):
        rows = [{k: columns[k][i] for k in ("origin", "age", "value")} for i in range(table.num_rows)]
        return books.from_long(rows, first_row=first)
    if "origin" not in names:
        raise InvalidInput([FieldError("origin", "E_REQUIRED", {"allowed": ["origin, age, value", "origin, 1, 2, …"]})])
    wide_rows = [[columns[name][i] for name in names] for i in range(table.num_rows)]
    return books.from_wide([str(n) for n in names], wide_rows, first_row=first)


def read_premium(path: Path) -> dict[str, float]:
    """``--premium FILE``: ``origin``, ``earned_premium`` per row."""
    from mamori.io import tables

    table = tables.read_table(path, field="premium")
    missing = [c for c in ("origin", "earned_premium") if c not in table.column_names]
    if missing:
        raise InvalidInput([FieldError(c, "E_REQUIRED", {}) for c in missing])
    out: dict[str, float] = {}
    errors = []
    first = 2 if tables.format_of(path, "premium") == "csv" else 1
    values = table.column("earned_premium").to_pylist()
    for n, (origin, value) in enumerate(zip(table.column("origin").to_pylist(), values, strict=True), start=first):
        number = books.triangle._number(value)
        if number is None or number < 0:
            errors.append(FieldError("earned_premium", "E_NUMBER", {"value": value}, row=n))
            continue
        out[str(origin).strip()] = number
    if errors:
        raise InvalidInput(errors)
    return out


def reserve_file(
    path: Path,
    *,
    method: str = "chainladder",
    premium: Path | None = None,
    loss_ratio: float | None = None,
    tail: float = 1.0,
) -> dict[str, Any]:
    """``mamori reserve TRIANGLE``: the answer of ``interfaces.md`` §1.7."""
    triangle = read_triangle(path)
    premiums = read_premium(premium) if premium is not None else None
    return books.reserve(triangle, method=method, tail=tail, premium=premiums, loss_ratio=loss_ratio).as_dict()


def triangle_table(triangle: Triangle) -> pa.Table:
    """The long form as a table (``origin``, ``age``, ``value``) for ``mamori books triangle OUT``."""
    import pyarrow as pa

    rows = triangle.long()
    return pa.table(
        {
            "origin": pa.array([r["origin"] for r in rows], pa.string()),
            "age": pa.array([r["age"] for r in rows], pa.int64()),
            "value": pa.array([round(r["value"]) for r in rows], pa.int64()),
        }
    )


# ------------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class Records:
    """The books' records as columns. ``policies`` are policy numbers; ``industry`` and ``version`` are per
    policy; ``written`` the written amounts (``WrittenAmounts.policy`` indexes ``policies``); ``sources``
    says, per written amount, which record it comes from (``P-…/v2 change``); ``claims`` the claims' records
    with ``claim_ids`` naming them."""

    policies: Sequence[str]
    industry: Sequence[str]
    version: Sequence[str]
    written: WrittenAmounts
    sources: Sequence[str]
    claims: ClaimRecords
    claim_ids: Sequence[str] = field(default_factory=tuple)

    def first_day(self) -> dt.date | None:
        days = [int(self.written.effective.min())] if len(self.written) else []
        first_claim = self.claims.first_day()
        if first_claim is not None:
            days.append(first_claim)
        return books.from_day(min(days)) if days else None


def check_as_of(records: Records, as_of: dt.date, *, name: str = "as_of") -> None:
    """An ``as_of`` before any record is refused (``E_AS_OF_BEFORE``), naming the first record's date."""
    first = records.first_day()
    if first is not None and as_of < first:
        raise InvalidInput([FieldError(name, "E_AS_OF_BEFORE", {"value": as_of.isoformat(), "minimum": first})])


def _choice(name: str, value: str, allowed: Sequence[str]) -> FieldError | None:
    return None if value in allowed else FieldError(name, "E_CHOICE", {"value": value, "allowed": list(allowed)})


def _grouped(book: books.Book, labels: Sequence[str]) -> dict[str, dict[str, int]]:
    names = sorted(set(labels))
    index = {n: i for i, n in enumerate(names)}
    codes = np.asarray([index[x] for x in labels], dtype=np.int64)
    return {names[g]: p.as_dict() for g, p in enumerate(book.grouped(codes, len(names)))}


def premium_answer(records: Records, as_of: dt.date, *, per_policy: bool = True) -> dict[str, Any]:
    """``GET /api/v1/books/premium``: written, earned and unearned as of the end of ``as_of``, in total, per
    policy, by industry and by product version (``product.md`` §8.1)."""
    check_as_of(records, as_of)
    book = books.premium(records.written, as_of, len(records.policies))
    answer: dict[str, Any] = {"as_of": as_of.isoformat(), **book.total.as_dict()}
    if per_policy:
        answer["policies"] = [
            {"number": n, "written": int(w), "earned": int(e), "unearned": int(w - e)}
            for n, w, e in zip(records.policies, book.written, book.earned, strict=True)
        ]
    answer["by_industry"] = _grouped(book, records.industry)
    answer["by_product_version"] = _grouped(book, records.version)
    answer["by_month"] = [
        {"month": month, **p.as_dict()} for month, p in books.monthly(records.written, months_to(records, as_of), as_of)
    ]
    return answer


#: The premium by month covers at most this many months up to ``as_of``.
MONTHS_SHOWN: Final = 36


def months_to(records: Records, as_of: dt.date) -> list[str]:
    """The months from the first record's (at most :data:`MONTHS_SHOWN` back) to ``as_of``'s, as ``YYYY-MM``."""
    first = records.first_day() or as_of
    index = max(first.year * 12 + first.month - 1, as_of.year * 12 + as_of.month - MONTHS_SHOWN)
    last = as_of.year * 12 + as_of.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, last + 1)]


def written_rows(records: Records, as_of: dt.date) -> list[dict[str, Any]]:
    """Every written amount with the record it comes from and what it has earned as of ``as_of``: the trace
    of each premium figure back to the policy versions and installments."""
    check_as_of(records, as_of)
    w = records.written
    earned = books.earned(w, books.day(as_of))
    return [
        {
            "policy": records.policies[int(w.policy[i])],
            "source": records.sources[i],
            "effective": books.from_day(int(w.effective[i])).isoformat(),
            "term_end": books.from_day(int(w.term_end[i])).isoformat(),
            "written": int(w.amount[i]) if w.effective[i] <= books.day(as_of) else 0,
            "earned": int(earned[i]),
        }
        for i in range(len(w))
    ]


def triangle_of(records: Records, *, as_of: dt.date, basis: str, period: str) -> Triangle:
    """The paid or incurred triangle of the claims valued at ``as_of`` (``product.md`` §8.2)."""
    problems = [e for e in (_choice("basis", basis, books.BASES), _choice("period", period, books.PERIODS)) if e]
    if problems:
        raise InvalidInput(problems)
    check_as_of(records, as_of)
    return books.from_claims(records.claims, as_of=as_of, basis=basis, period=period)


def earned_by_origin(records: Records, origins: Sequence[str], period: str) -> dict[str, float]:
    """The premium earned during each accident period (the exposure of Bornhuetter–Ferguson)."""
    out = {}
    for origin in origins:
        first, last = books.period_bounds(origin, period)
        before = books.earned(records.written, books.day(first) - 1).sum()
        out[origin] = float(books.earned(records.written, books.day(last)).sum() - before)
    return out


def reserves_answer(  # noqa: PLR0913 — the query's parameters, keyword-only
    records: Records,
    *,
    as_of: dt.date,
    method: str,
    basis: str = "incurred",
    period: str = "quarter",
    loss_ratio: float | None = None,
    tail: float = 1.0,
) -> dict[str, Any]:
    """``GET /api/v1/books/reserves``: the reserves of the book's triangle (``interfaces.md`` §1.7); for
    ``bf`` the a-priori loss ratio applies to the premium earned in each accident period."""
    problem = _choice("method", method, books.METHODS)
    if problem:
        raise InvalidInput([problem])
    triangle = triangle_of(records, as_of=as_of, basis=basis, period=period)
    if not triangle.origins:
        return {"method": method, "factors": [], "origins": [], "total": {"latest": 0, "ultimate": 0, "ibnr": 0}}
    premium = earned_by_origin(records, triangle.origins, period) if method == "bf" else None
    answer = books.reserve(triangle, method=method, tail=tail, premium=premium, loss_ratio=loss_ratio).as_dict()
    return {**answer, "as_of": as_of.isoformat(), "basis": basis, "period": period}


# ------------------------------------------------------------------------------------------ the close


def parse_month(value: Any, name: str = "month") -> str:
    text = str(value).strip() if value is not None else ""
    if not _MONTH.fullmatch(text):
        raise InvalidInput([FieldError(name, "E_MONTH", {"value": value})])
    return text


def close(
    records: Records,
    *,
    month: str,
    loss_ratio: float | None = None,
    portfolio: Mapping[str, Any] | None = None,
    period: str = "quarter",
) -> dict[str, Any]:
    """The monthly close (``product.md`` §8): the month's written, earned and unearned premium; paid, case
    reserves and incurred at the month's end; IBNR by method; loss ratios by accident period; the portfolio's
    1-in-200 from the latest run (``portfolio``: its answer, net of the treaty when it holds one). Every
    figure names its source."""
    month = parse_month(month)
    first, last = books.month_bounds(month)
    check_as_of(records, last, name="month")
    book = books.premium(records.written, last, len(records.policies))
    in_month = books.monthly(records.written, [month])[0][1]
    at = books.day(last)
    position = records.claims.at(at)
    paid_in_month = int(records.claims.at(at).paid.sum() - records.claims.at(books.day(first) - 1).paid.sum())
    a_priori, a_priori_source = loss_ratio, "given"
    if a_priori is None and portfolio is not None:
        ratio = (portfolio.get("premium") or {}).get("loss_ratio")
        if ratio is not None:
            a_priori, a_priori_source = float(ratio), "portfolio run: AAL ÷ charged premium"
    ibnr: dict[str, Any] = {}
    for method in books.METHODS:
        if method == "bf" and a_priori is None:
            ibnr[method] = None
            continue
        answer = reserves_answer(records, as_of=last, method=method, period=period, loss_ratio=a_priori)
        ibnr[method] = answer
    triangle = triangle_of(records, as_of=last, basis="incurred", period=period)
    earned = earned_by_origin(records, triangle.origins, period)
    cl = ibnr["chainladder"]
    ultimate = {o["origin"]: o["ultimate"] for o in cl["origins"]}
    by_origin = []
    for origin, row in zip(triangle.origins, triangle.values, strict=True):
        premium = round(earned[origin])
        incurred = round(row[-1]) if row else 0
        by_origin.append(
            {
                "origin": origin,
                "earned_premium": premium,
                "incurred": incurred,
                "ultimate": ultimate.get(origin, incurred),
                "incurred_loss_ratio": round(incurred / premium, 4) if premium else None,
                "ultimate_loss_ratio": round(ultimate.get(origin, incurred) / premium, 4) if premium else None,
            }
        )
    return {
        "month": month,
        "as_of": last.isoformat(),
        "premium": {
            "written_in_month": in_month.written,
            "earned_in_month": in_month.earned,
            "written_to_date": book.total.written,
            "earned_to_date": book.total.earned,
            "unearned": book.total.unearned,
            "policies": len(records.policies),
            "written_amounts": len(records.written),
            "source": "policy versions (issue, changes, cancellations) and cancelled installments (lapses)",
        },
        "claims": {
            "paid_in_month": paid_in_month,
            "paid_to_date": int(position.paid.sum()),
            "case_reserves": int(position.reserve.sum()),
            "incurred": int(position.incurred.sum()),
            "claims": records.claims.claims,
            "open_with_reserve": int((position.reserve > 0).sum()),
            "source": "claim payments (paid, corrections included) and the reserve history as known at the month's end",
        },
        "ibnr": {
            "period": period,
            "basis": "incurred",
            "loss_ratio": a_priori,
            "loss_ratio_source": a_priori_source if a_priori is not None else None,
            "by_method": {m: _summary(a) for m, a in ibnr.items()},
            "detail": ibnr,
        },
        "by_accident_period": by_origin,
        "portfolio": _portfolio_figure(portfolio),
    }


def _summary(answer: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    total = answer["total"]
    return {"ibnr": total["ibnr"], "ultimate": total["ultimate"], "se": total.get("se")}


def _portfolio_figure(answer: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The 1-in-200 aggregate loss of the latest portfolio run: net of its treaty when it holds one, else gross
    (labelled so)."""
    if answer is None:
        return None
    net = answer.get("net")
    if isinstance(net, Mapping) and isinstance(net.get("aep"), Mapping) and "200" in net["aep"]:
        return {"aep_200": net["aep"]["200"], "basis": "net", "run": answer.get("run")}
    aep = answer.get("aep") or {}
    return {"aep_200": aep.get("200"), "basis": "gross (the run has no treaty)", "run": answer.get("run")}
