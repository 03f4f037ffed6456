"""The insurer's books read from the records (product.md §8): policy versions and installments become the
written amounts, the claims ledger and the reserve history the claims' columns of :mod:`mamori.books`.

Written amounts (§8.1), each on its effective date and earned over ``[effective, the policy's end date)``:

- the issue (or a renewal's first version): the annual premium of the payment method — annual: the annual
  premium; monthly: 12 × the monthly premium;
- a change: annual — the premium difference charged (+) or refunded (−); monthly — the changed installments'
  differences, ``(new − old monthly premium) × the months left``;
- a cancellation: annual — minus the refund; monthly — minus the installments it cancelled;
- a lapse (on the date cover ended): minus the installments the lapse cancelled.

Claims (§8.2): the accident date is the incident's discovery date (JST); paid is the claims ledger by date
(corrections included); the case reserve is the reserve history (``ReserveChange``) as known at a date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from mamori import books
from mamori.usecases.books import Records
from mamori.web.billing.models import Installment
from mamori.web.books.models import CloseDocument
from mamori.web.claimsdesk.models import Claim, LedgerEntry, ReserveChange
from mamori.web.policies.models import Policy, PolicyVersion
from mamori.web.portfolio.models import PortfolioRun

JST = ZoneInfo("Asia/Tokyo")


def _jst_day(at: dt.datetime) -> int:
    return books.day(at.astimezone(JST).date())


def _cancelled_installments() -> dict[tuple[int, int], int]:
    """(policy id, cancelling version id) → the sum of the installments that version cancelled."""
    sums: dict[tuple[int, int], int] = defaultdict(int)
    rows = Installment.objects.filter(status=Installment.Status.CANCELLED, cancelled_by__isnull=False)
    for policy_id, version_id, amount in rows.values_list("policy_id", "cancelled_by_id", "amount_yen"):
        sums[(policy_id, version_id)] += amount
    return sums


def _industries() -> dict[int, str]:
    """Policy id → the industry of its first version's rated risk (read in the database, not per object)."""
    rows = PolicyVersion.objects.filter(number=1).values_list("policy_id", "inputs__industry")
    return {policy_id: industry if isinstance(industry, str) else "?" for policy_id, industry in rows}


def records() -> Records:
    """Every policy's written amounts and every claim's records, as the columns the books are made of. Rows
    are read as tuples (``values_list``), one query per table, never an object per policy."""
    cancelled = _cancelled_installments()
    industries = _industries()
    numbers: list[str] = []
    industry: list[str] = []
    version_label: list[str] = []
    cols: dict[str, list[int]] = {"policy": [], "amount": [], "effective": [], "term_end": []}
    sources: list[str] = []

    def add(index: int, amount: int, effective: dt.date, end: dt.date, source: str) -> None:
        if amount:
            cols["policy"].append(index)
            cols["amount"].append(amount)
            cols["effective"].append(books.day(effective))
            cols["term_end"].append(books.day(end))
            sources.append(source)

    policies = Policy.objects.order_by("number").values_list(
        "pk", "number", "payment", "end_date", "status", "ended_at", "product_version__product_id",
        "product_version__version",
    )  # fmt: skip
    index_of: dict[int, int] = {}
    facts: list[tuple[str, bool, dt.date]] = []
    lapsed: list[tuple[int, dt.datetime]] = []
    for pk, number, payment, end, status, ended_at, product, version in policies:
        index_of[pk] = len(numbers)
        numbers.append(number)
        industry.append(industries.get(pk, "?"))
        version_label.append(f"{product}/{version}")
        facts.append((number, payment == "monthly", end))
        if status == Policy.Status.LAPSED and ended_at is not None:
            lapsed.append((pk, ended_at))
    versions = PolicyVersion.objects.order_by("policy_id", "number").values_list(
        "policy_id", "pk", "number", "reason", "effective_date", "monthly_premium_yen", "annual_premium_yen",
        "premium_difference_yen", "months_left",
    )  # fmt: skip
    previous_monthly: dict[int, int] = {}
    version_ids: dict[int, list[int]] = defaultdict(list)
    for policy_id, pk, n, reason, effective, monthly_yen, annual_yen, difference, months_left in versions:
        index = index_of[policy_id]
        number, monthly, end = facts[index]
        name = f"{number}/v{n}"
        version_ids[policy_id].append(pk)
        if reason in (PolicyVersion.Reason.ISSUE, PolicyVersion.Reason.RENEWAL) or policy_id not in previous_monthly:
            add(index, 12 * monthly_yen if monthly else annual_yen, effective, end, f"{name} {reason.lower()}")
        elif reason == PolicyVersion.Reason.CHANGE:
            before = previous_monthly[policy_id]
            amount = (monthly_yen - before) * (months_left or 0) if monthly else difference
            add(index, amount, effective, end, f"{name} change")
        elif reason == PolicyVersion.Reason.CANCELLATION:
            amount = -cancelled.pop((policy_id, pk), 0) if monthly else difference
            add(index, amount, effective, end, f"{name} cancellation")
        previous_monthly[policy_id] = monthly_yen
    for policy_id, ended_at in lapsed:
        index = index_of[policy_id]
        amount = sum(cancelled.pop((policy_id, pk), 0) for pk in version_ids[policy_id])
        add(index, -amount, ended_at.astimezone(JST).date(), facts[index][2], f"{facts[index][0]} lapse")
    written = books.WrittenAmounts.of(cols["policy"], cols["amount"], cols["effective"], cols["term_end"])
    claims, claim_ids = _claims()
    return Records(numbers, industry, version_label, written, sources, claims, claim_ids)


def _claims() -> tuple[books.ClaimRecords, list[str]]:
    rows = list(Claim.objects.select_related("incident").order_by("created_at", "id"))
    index = {c.pk: i for i, c in enumerate(rows)}
    accident = []
    for claim in rows:
        discovered = claim.incident.discovered_at or claim.created_at
        accident.append(_jst_day(discovered))
    payments = [
        (index[claim_id], _jst_day(at), expense + liability + bi)
        for claim_id, at, expense, liability, bi in LedgerEntry.objects.order_by("at", "id").values_list(
            "claim_id", "at", "expense_yen", "liability_yen", "bi_yen"
        )
    ]
    reserves = [
        (index[claim_id], _jst_day(at), reserve)
        for claim_id, at, reserve in ReserveChange.objects.order_by("at", "id").values_list(
            "claim_id", "at", "reserve_yen"
        )
    ]
    return books.ClaimRecords.of(accident, payments, reserves), [str(c.pk) for c in rows]


def latest_portfolio_answer() -> dict[str, Any] | None:
    """The latest portfolio run's answer with its id (for the close's 1-in-200), or None."""
    run = PortfolioRun.objects.order_by("-created_at").first()
    if run is None:
        return None
    return {**run.answer, "run": str(run.pk), "run_at": run.created_at.isoformat()}


# ------------------------------------------------------------------------------------------ queries


def _require(user: Any) -> None:
    from mamori import authority
    from mamori.web.accounts import selectors as accounts

    authority.require(accounts.subject_of(user), authority.Action.BOOKS)


def close_documents_visible(user: Any) -> QuerySet[CloseDocument]:
    """The close documents asked for (administrators: every one; anyone else: none)."""
    from mamori.errors import Denied

    try:
        _require(user)
    except Denied:
        return CloseDocument.objects.none()
    return CloseDocument.objects.all()


def read_as_of(raw: Any) -> dt.date:
    """A query's ``as_of``: a date (default: today in JST); anything else is 422 naming ``as_of``."""
    from mamori import calendar
    from mamori.errors import FieldError, InvalidInput
    from mamori.rating import values

    if raw in (None, ""):
        return calendar.today_in(JST)
    read = values.read_date(raw)
    if isinstance(read, values.Failure):
        raise InvalidInput([FieldError("as_of", str(read), {"value": raw})])
    return read


def read_ratio(raw: Any) -> float | None:
    from mamori.books.triangle import _number
    from mamori.errors import FieldError, InvalidInput

    if raw in (None, ""):
        return None
    number = _number(raw)
    if number is None or number < 0:
        raise InvalidInput([FieldError("loss_ratio", "E_LOSS_RATIO", {"value": raw, "minimum": 0})])
    return number


def premium(*, user: Any, as_of: Any) -> dict[str, Any]:
    """``GET /api/v1/books/premium`` (administrators)."""
    from mamori.usecases import books as usecase

    _require(user)
    return usecase.premium_answer(records(), read_as_of(as_of))


def written(*, user: Any, as_of: Any) -> list[dict[str, Any]]:
    """Every written amount with its record and what it has earned (administrators): the premium's trace."""
    from mamori.usecases import books as usecase

    _require(user)
    return usecase.written_rows(records(), read_as_of(as_of))


def triangle(*, user: Any, as_of: Any, basis: str, period: str) -> dict[str, Any]:
    """``GET /api/v1/books/triangle`` (administrators): the long form."""
    from mamori.usecases import books as usecase

    _require(user)
    day = read_as_of(as_of)
    result = usecase.triangle_of(records(), as_of=day, basis=basis, period=period)
    cells = [{**c, "value": round(c["value"])} for c in result.long()]
    return {"as_of": day.isoformat(), "basis": basis, "period": period, "triangle": cells}


def reserves(*, user: Any, as_of: Any, method: str, basis: str, period: str, loss_ratio: Any) -> dict[str, Any]:
    """``GET /api/v1/books/reserves`` (administrators); ``bf`` takes the portfolio's loss ratio when none is
    given."""
    from mamori.usecases import books as usecase

    _require(user)
    day = read_as_of(as_of)
    ratio = read_ratio(loss_ratio)
    if ratio is None and method == "bf":
        run = latest_portfolio_answer()
        ratio = (run or {}).get("premium", {}).get("loss_ratio")
    return usecase.reserves_answer(records(), as_of=day, method=method, basis=basis, period=period, loss_ratio=ratio)


def close(*, user: Any, month: Any, loss_ratio: Any = None) -> dict[str, Any]:
    """The monthly close (administrators)."""
    from mamori.usecases import books as usecase

    _require(user)
    return usecase.close(
        records(), month=usecase.parse_month(month), loss_ratio=read_ratio(loss_ratio),
        portfolio=latest_portfolio_answer(),
    )  # fmt: skip
