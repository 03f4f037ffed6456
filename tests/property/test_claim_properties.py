"""Properties of the claim calculation that must hold for every valid document, and of the errors of every
invalid one (hypothesis)."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mamori import catalog as catalog_mod
from mamori import i18n
from mamori.claims.result import ClaimResult
from mamori.errors import InvalidInput
from mamori.usecases import claims as claim_usecases

JST = dt.timezone(dt.timedelta(hours=9))
CATALOG = catalog_mod.FolderCatalog()
ITEMS = (
    "EX_ISOLATION",
    "EX_ATTACK_CHECK",
    "EX_FORENSICS",
    "EX_CALL_CENTER",
    "EX_MEDIA",
    "EX_CONDOLENCE",
    "EX_DATA_RESTORE",
    "EX_PREVENTION",
    "EX_LEGAL",
    "LI_DAMAGES",
    "LI_DEFENCE",
    "LI_COOPERATION",
    "PD_DAMAGES",
)
NEVER = ("RANSOM", "FINE", "INTERNAL_STAFF")
SUBLIMIT_ITEMS = ("EX_ATTACK_CHECK", "EX_PREVENTION")
yen = st.integers(min_value=0, max_value=200_000_000)
small_yen = st.integers(min_value=0, max_value=20_000_000)


def iso(at: dt.datetime) -> str:
    return at.isoformat()


@st.composite
def cost_lines(draw: st.DrawFn) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for i in range(draw(st.integers(min_value=0, max_value=7))):
        item = draw(st.sampled_from(ITEMS + NEVER))
        amount = draw(small_yen)
        line: dict[str, Any] = {"id": f"c{i}", "item": item, "amount": amount}
        if item != "RANSOM" and draw(st.booleans()):
            line["betterment"] = draw(st.integers(min_value=0, max_value=amount))
        if item in ("LI_DAMAGES", "PD_DAMAGES") and draw(st.booleans()):
            line["contractual_excess"] = draw(st.integers(min_value=0, max_value=amount - line.get("betterment", 0)))
        if item == "EX_CONDOLENCE" and draw(st.booleans()):
            line["persons"] = draw(st.integers(min_value=0, max_value=5_000))
            line["businesses"] = draw(st.integers(min_value=0, max_value=50))
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            line["bearer"] = "culprit"
        lines.append(line)
    return lines


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.dates(min_value=dt.date(2025, 4, 1), max_value=dt.date(2028, 12, 31)))
    start_at = dt.datetime.combine(start, dt.time(16, 0), tzinfo=JST)

    def around(days: int = 400) -> dt.datetime:
        minutes = draw(st.integers(min_value=-30 * 24 * 60, max_value=days * 24 * 60))
        return start_at + dt.timedelta(minutes=minutes)

    discovered = around()
    occurred = discovered - dt.timedelta(minutes=draw(st.integers(min_value=0, max_value=90 * 24 * 60)))
    claim_made = None if draw(st.booleans()) else occurred + dt.timedelta(days=draw(st.integers(0, 300)))
    status = draw(st.sampled_from(("in_force", "in_force", "cancelled", "lapsed")))
    ended_at = None
    if status != "in_force":
        ended_at = iso(start_at + dt.timedelta(days=draw(st.integers(min_value=0, max_value=364))))
    retro = start - dt.timedelta(days=draw(st.integers(min_value=0, max_value=800)))
    bi: dict[str, Any] | None = None
    if draw(st.booleans()):
        outage_start = around()
        bi = {
            "outage_start": iso(outage_start),
            "outage_end": iso(outage_start + dt.timedelta(minutes=draw(st.integers(1, 30 * 24 * 60)))),
            "standard_revenue": draw(yen),
            "actual_revenue": draw(yen),
            "fiscal_revenue": draw(st.integers(min_value=1, max_value=10_000_000_000)),
            "operating_profit": draw(st.integers(min_value=-1_000_000_000, max_value=1_000_000_000)),
            "fixed_costs": draw(st.integers(min_value=0, max_value=2_000_000_000)),
            "saved_fixed_costs": draw(small_yen),
            "prevention_spent": draw(small_yen),
            "revenue_loss_avoided": draw(yen),
            "continuation_spent": draw(small_yen),
            "costs_avoided": draw(small_yen),
        }
    return {
        "policy": {
            "start_date": start.isoformat(),
            "liability_limit": draw(yen),
            "expense_limit": draw(yen),
            "deductible": draw(st.sampled_from((0, 100_000, 300_000, 500_000, 1_000_000))),
            "bi_limit": draw(st.sampled_from((0, 10_000_000, 30_000_000, 50_000_000))),
            "pd_rider": draw(st.booleans()),
            "retroactive_date": retro.isoformat(),
            "status": status,
            "ended_at": ended_at,
        },
        "prior_payments": {
            "expense": draw(small_yen),
            "liability": draw(small_yen),
            "bi": draw(small_yen),
            "sublimits": {code: draw(st.integers(0, 12_000_000)) for code in SUBLIMIT_ITEMS},
        },
        "incident": {
            "accident_types": sorted(draw(st.sets(st.sampled_from(("A1", "A2", "A3", "A4", "T0")), min_size=1))),
            "discovered_at": iso(discovered),
            "claim_made_at": None if claim_made is None else iso(claim_made),
            "occurred_at": iso(occurred),
            "country": draw(st.sampled_from(("JP", "JP", "US", "DE"))),
            "attack_confirmed": draw(st.booleans()),
            "culprit": draw(st.sampled_from((None, "external", "former_employee", "employee", "director"))),
            "state_backed": draw(st.integers(0, 9)) == 0,
            "known_before_first_policy": draw(st.integers(0, 9)) == 0,
            "affected_persons": draw(st.integers(0, 20_000)),
            "affected_businesses": draw(st.integers(0, 100)),
        },
        "costs": draw(cost_lines()),
        "bi": bi,
    }


def calc(doc: dict[str, Any]) -> ClaimResult:
    return claim_usecases.calculate_claim(CATALOG, doc)


def payouts(r: ClaimResult) -> tuple[int, int, int, int]:
    return (r.payable_total, r.expense.payable, r.liability.payable, r.bi.payable)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_nothing_paid_is_negative(doc: dict[str, Any]) -> None:
    r = calc(doc)
    assert min(payouts(r)) >= 0
    assert all(0 <= line.covered <= line.claimed for line in r.lines)
    assert r.deductible_applied >= 0
    assert r.payable_total == r.expense.payable + r.liability.payable + r.bi.payable


@settings(max_examples=300, deadline=None)
@given(documents())
def test_payable_never_exceeds_a_limit_net_of_prior_payments(doc: dict[str, Any]) -> None:
    r = calc(doc)
    p, prior = doc["policy"], doc["prior_payments"]
    assert r.expense.payable <= max(p["expense_limit"] - prior["expense"], 0)
    assert r.liability.payable <= max(p["liability_limit"] - prior["liability"], 0)
    assert r.bi.payable <= max(p["bi_limit"] - prior["bi"], 0)
    sublimits = {"EX_ATTACK_CHECK": 10_000_000, "EX_PREVENTION": p["expense_limit"] // 10}
    for code, sublimit in sublimits.items():
        covered = sum(line.covered for line in r.lines if line.item == code)
        assert covered <= max(sublimit - prior["sublimits"][code], 0)
    persons = doc["incident"]["affected_persons"]
    businesses = doc["incident"]["affected_businesses"]
    for cost, line in zip(doc["costs"], r.lines, strict=True):
        if cost["item"] == "EX_CONDOLENCE":
            cap = 1_000 * cost.get("persons", persons) + 50_000 * cost.get("businesses", businesses)
            assert line.covered <= cap


@settings(max_examples=200, deadline=None)
@given(documents(), st.integers(min_value=1, max_value=5_000_000))
def test_raising_the_deductible_never_raises_the_payout(doc: dict[str, Any], more: int) -> None:
    higher = copy.deepcopy(doc)
    higher["policy"]["deductible"] += more
    low, high = calc(doc), calc(higher)
    assert all(h <= lo for h, lo in zip(payouts(high), payouts(low), strict=True))


@settings(max_examples=200, deadline=None)
@given(documents(), st.sampled_from(("expense_limit", "liability_limit", "bi_limit")), st.integers(1, 100_000_000))
def test_raising_a_limit_never_lowers_the_payout(doc: dict[str, Any], limit: str, more: int) -> None:
    if limit == "bi_limit" and doc["policy"]["bi_limit"] == 0:
        doc["policy"]["bi_limit"] = 10_000_000  # purchasing the option is not "raising a limit"
    higher = copy.deepcopy(doc)
    higher["policy"][limit] += more
    low, high = calc(doc), calc(higher)
    assert all(h >= lo for h, lo in zip(payouts(high), payouts(low), strict=True))


@settings(max_examples=200, deadline=None)
@given(
    documents(),
    st.sampled_from((*NEVER, "culprit")),
    small_yen,
    st.integers(min_value=0, max_value=8),
)
def test_adding_an_excluded_line_changes_nothing(doc: dict[str, Any], kind: str, amount: int, at: int) -> None:
    extra: dict[str, Any] = (
        {"id": "extra", "item": "LI_DAMAGES", "amount": amount, "bearer": "culprit"}
        if kind == "culprit"
        else {"id": "extra", "item": kind, "amount": amount}
    )
    more = copy.deepcopy(doc)
    more["costs"].insert(min(at, len(more["costs"])), extra)
    before, after = calc(doc), calc(more)
    assert payouts(after) == payouts(before)
    assert after.deductible_applied == before.deductible_applied
    assert [ln.covered for ln in after.lines if ln.id != "extra"] == [ln.covered for ln in before.lines]


@settings(max_examples=300, deadline=None)
@given(documents())
def test_the_worksheet_steps_add_up_to_the_payable_amounts(doc: dict[str, Any]) -> None:
    r = calc(doc)
    chains: dict[tuple[str | None, str | None], list[tuple[int | None, int | None]]] = {}
    for step in r.worksheet:
        if step.after is None:
            continue
        chains.setdefault((step.section, step.line), []).append((step.before, step.after))
    # Each line and each section is a chain: every step starts where the previous one ended.
    for key, chain in chains.items():
        for (_, prev_after), (before, _) in itertools.pairwise(chain):
            assert before == prev_after, key
    for line in r.lines:
        chain = chains[(line.section, line.id)]
        assert (chain[0][0], chain[-1][1]) == (line.claimed, line.covered)
    for name, section in (("expense", r.expense), ("liability", r.liability), ("bi", r.bi)):
        chain = chains.get((name, None))
        if chain is None:
            assert section.payable == 0
            continue
        line_total = sum(ln.covered for ln in r.lines if ln.section == name)
        if name != "bi":
            assert chain[0][1] == line_total == section.covered
        assert chain[-1][1] == section.payable
    total = [s for s in r.worksheet if s.step == "total"]
    assert [s.amount for s in total] == [r.payable_total]
    deductibles = sum(s.amount or 0 for s in r.worksheet if s.step == "deductible")
    assert deductibles == r.deductible_applied


# ------------------------------------------------------------------------------ invalid documents

#: Any JSON value, with strings that look like the dates, date-times, codes and numbers of a document.
TRICKY_TEXT = st.sampled_from(
    (
        "", " ", "2026-04-01", "2026-02-30", "9999-12-31", "2026-06-10T09:00:00", "2026-06-10T09:00:00+09:00",
        "2026-06-10T25:00:00+09:00", "1781078400", "JP", "jp", "A1", "A9", "in_force", "EX_FORENSICS", "100", "x" * 300,
    )
)  # fmt: skip
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | TRICKY_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3),
    max_leaves=6,
)


def places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place of a document a value can be put: each key and item, and a new key in each object."""
    found = [path]
    if isinstance(node, dict):
        found.append((*path, "__new_key__"))
        for key, value in node.items():
            found.extend(places(value, (*path, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(places(value, (*path, i)))
    return found


@st.composite
def broken_documents(draw: st.DrawFn) -> dict[str, Any] | Any:
    doc = draw(documents())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(places(doc)))
        value = draw(JSON_VALUES)
        if not path:
            return value
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        last = path[-1]
        if last == "__new_key__":
            last = draw(st.text(min_size=1, max_size=12))
        if draw(st.integers(0, 5)) == 0 and isinstance(node, dict) and last in node:
            del node[last]
        else:
            node[last] = value
    return doc


@settings(max_examples=400, deadline=None)
@given(broken_documents())
def test_every_problem_has_a_catalogued_code_and_names_its_field_in_both_languages(doc: Any) -> None:
    try:
        claim_usecases.calculate_claim(CATALOG, doc if isinstance(doc, dict) else json.dumps(doc))
    except InvalidInput as exc:
        catalogue = i18n.catalogue()["errors"]
        for error in exc.errors:
            assert error.code != "E_INVALID", error  # every kind of pydantic error is mapped
            assert error.code in catalogue, error
            for lang in i18n.LANGS:
                message = error.message(lang)
                assert error.field in message or error.field == "$", (lang, message)
                assert "Input should" not in message, message  # never pydantic's own English
            body = exc.to_dict("ja")
            assert all(entry["message"] for entry in body["errors"])
            json.dumps(body)  # the 422 body is JSON
