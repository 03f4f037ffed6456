"""Properties of the claims ledger (mamori.claims.ledger) with the core's calculation: under any sequence
of claims, payments, corrections and changed costs in a policy year — each payment checked against a fresh
calculation whose prior payments are what the ledger holds for the other claims — the year's payments
never exceed a section's limit or a sublimit, no claim is paid more than its calculation allows, and a
correction never takes back more than was paid."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from mamori import catalog as catalog_mod
from mamori import usecases
from mamori.claims import ledger

CATALOG = catalog_mod.FolderCatalog()
VERSION = CATALOG.get("2025-04")
POLICY = {
    "start_date": "2026-04-01",
    "liability_limit": 30_000_000,
    "expense_limit": 10_000_000,
    "deductible": 100_000,
    "bi_limit": 0,
    "pd_rider": False,
    "retroactive_date": "2026-04-01",
    "status": "in_force",
    "ended_at": None,
}
INCIDENT = {
    "accident_types": ["T0", "A1", "A2"],
    "discovered_at": "2026-06-10T09:00:00+09:00",
    "claim_made_at": "2026-06-20T09:00:00+09:00",
    "occurred_at": "2026-06-01T09:00:00+09:00",
    "country": "JP",
    "attack_confirmed": True,
    "culprit": "external",
    "affected_persons": 10,
    "personal_data": {"improper_purpose": True},
}
ITEMS = ("EX_FORENSICS", "EX_PREVENTION", "EX_ATTACK_CHECK", "EX_DATA_RESTORE", "LI_DAMAGES", "LI_DEFENCE", "RANSOM")
SUBLIMITED = VERSION.coverage.sublimit_items


def _sublimit(code: str) -> int:
    item = VERSION.coverage.items[code]
    if item.sublimit_amount is not None:
        return item.sublimit_amount
    assert item.sublimit_share is not None
    return int(item.sublimit_share * POLICY["expense_limit"])


@dataclass
class Claim:
    costs: list[dict[str, Any]]
    entries: list[ledger.Paid] = field(default_factory=list)


@dataclass
class Year:
    claims: list[Claim] = field(default_factory=list)

    def paid(self, claim: Claim) -> ledger.Paid:
        return ledger.total(claim.entries)

    def prior(self, claim: Claim) -> ledger.Paid:
        return ledger.total(e for c in self.claims if c is not claim for e in c.entries)

    def calculate(self, claim: Claim) -> Any:
        document = {
            "policy": POLICY,
            "prior_payments": self.prior(claim).to_prior(),
            "incident": INCIDENT,
            "costs": [{"id": f"c{n}", **line} for n, line in enumerate(claim.costs, start=1)],
            "bi": None,
        }
        return usecases.calculate_claim(CATALOG, document, version=VERSION)


lines = st.lists(
    st.fixed_dictionaries({"item": st.sampled_from(ITEMS), "amount": st.integers(0, 12_000_000)}),
    min_size=1,
    max_size=4,
)
#: (what, which claim, how much of what is allowed or paid, new cost lines): payments most often.
operations = st.lists(
    st.tuples(
        st.sampled_from(("pay", "pay", "pay", "correct", "cost", "claim")),
        st.integers(0, 5),
        st.floats(0.05, 1.2),
        lines,
    ),
    min_size=3,
    max_size=16,
)


def _invariants(year: Year) -> None:
    total = ledger.total(e for c in year.claims for e in c.entries)
    assert 0 <= total.expense <= POLICY["expense_limit"]
    assert 0 <= total.liability <= POLICY["liability_limit"]
    assert total.bi == 0
    for code, used in total.sublimits.items():
        assert 0 <= used <= _sublimit(code), (code, used)
    for claim in year.claims:
        paid = year.paid(claim)
        assert min(paid.expense, paid.liability, paid.bi) >= 0
        assert all(v >= 0 for v in paid.sublimits.values())


def _pay(year: Year, claim: Claim, share: float) -> None:
    result = year.calculate(claim)
    allowed = ledger.still_allowed(result, year.paid(claim))
    amount = int(allowed * share)
    if amount <= 0:
        return
    if amount > allowed:  # the service refuses this (409); the ledger would too
        try:
            ledger.allocate(result, year.paid(claim), amount, SUBLIMITED)
        except ValueError:
            return
        raise AssertionError("a payment above what is still allowed was allocated")
    part = ledger.allocate(result, year.paid(claim), amount, SUBLIMITED)
    assert part.amount == amount
    claim.entries.append(part)
    event("paid")


def _correct(year: Year, claim: Claim, share: float) -> None:
    paid = year.paid(claim)
    amount = int(paid.amount * share)
    if amount <= 0:
        return
    result = year.calculate(claim)
    if amount > paid.amount:
        try:
            ledger.allocate(result, paid, -amount, SUBLIMITED)
        except ValueError:
            return
        raise AssertionError("a correction above what was paid was allocated")
    part = ledger.allocate(result, paid, -amount, SUBLIMITED)
    assert part.amount == -amount
    claim.entries.append(part)
    event("corrected")


@given(st.lists(lines, min_size=1, max_size=4), operations)
def test_payments_of_a_policy_year_never_exceed_a_limit_or_a_sublimit(
    first: list[list[dict[str, Any]]], ops: list[tuple[str, int, float, list[dict[str, Any]]]]
) -> None:
    year = Year(claims=[Claim(costs=list(costs)) for costs in first])
    for what, which, share, costs in ops:
        claim = year.claims[which % len(year.claims)]
        if what == "pay":
            _pay(year, claim, share)
        elif what == "correct":
            _correct(year, claim, share)
        elif what == "cost":
            claim.costs = list(costs)  # costs revised: later payments follow the new calculation
        else:
            year.claims.append(Claim(costs=list(costs)))
        _invariants(year)


prevention_only = st.lists(
    st.fixed_dictionaries({"item": st.just("EX_PREVENTION"), "amount": st.integers(0, 3_000_000)}),
    min_size=1,
    max_size=3,
)


@given(st.lists(prevention_only, min_size=2, max_size=5), st.lists(st.tuples(st.integers(0, 4), st.floats(0.1, 1.0))))
def test_claims_of_one_sublimited_item_are_paid_at_most_its_sublimit_in_a_year(
    claims: list[list[dict[str, Any]]], payments: list[tuple[int, float]]
) -> None:
    """Independent of how payments are attributed: when every cost is of one sublimited item, all that
    the year pays is for that item, so the year pays at most its sublimit."""
    year = Year(claims=[Claim(costs=costs) for costs in claims])
    for which, share in [*payments, *((n, 1.0) for n in range(len(claims)))]:
        _pay(year, year.claims[which % len(year.claims)], share)
    total = ledger.total(e for c in year.claims for e in c.entries)
    assert total.amount <= _sublimit("EX_PREVENTION") == 1_000_000
    assert total.sublimits.get("EX_PREVENTION", 0) == total.amount


def test_the_deductible_falls_on_the_first_lines_and_a_sublimited_item_is_attributed_what_it_was_paid() -> None:
    year = Year()
    claim = Claim(costs=[{"item": "EX_FORENSICS", "amount": 50_000}, {"item": "EX_PREVENTION", "amount": 400_000}])
    year.claims.append(claim)
    result = year.calculate(claim)
    assert result.payable_total == 350_000
    first = ledger.allocate(result, ledger.Paid(), 200_000, SUBLIMITED)
    # payable 0..350,000 is covered 100,000..450,000: forensics covers 0..50,000 (all in the deductible)
    assert (first.expense, dict(first.sublimits)) == (200_000, {"EX_PREVENTION": 200_000})
    back = ledger.allocate(result, first, -50_000, SUBLIMITED)
    assert (back.expense, dict(back.sublimits)) == (-50_000, {"EX_PREVENTION": -50_000})


def test_a_correction_after_the_costs_changed_takes_back_only_what_was_attributed() -> None:
    """Found by the property above: paid for a line that is not sublimited, then the costs became a
    sublimited item's; taking the payment back must not leave that item a negative use."""
    year = Year()
    claim = Claim(costs=[{"item": "EX_FORENSICS", "amount": 100_001}])
    year.claims.append(claim)
    claim.entries.append(ledger.allocate(year.calculate(claim), ledger.Paid(), 1, SUBLIMITED))
    assert year.paid(claim) == ledger.Paid(expense=1)
    claim.costs = [{"item": "EX_PREVENTION", "amount": 100_001}]
    back = ledger.allocate(year.calculate(claim), year.paid(claim), -1, SUBLIMITED)
    assert (back.expense, dict(back.sublimits)) == (-1, {})
