"""What the incident would cost the business, by loss kind (product.md §7.2, §7.3).

A scenario becomes cost lines, each explaining itself: the JNSA damages of every record group (levels,
factors, persons, claim rate) and every unit cost of the data (unit cost × quantity, with its source);
and the business interruption of the outage (revenue of the outage hours × the industry's profit rate).
Each line is claimed as a coverage item of the product, or as a kind no policy pays (ransom, fines,
own staff time), so the loss by kind follows the product's own sections.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from mamori import money
from mamori.catalog import ProductDataError, ProductVersion
from mamori.claims import rules
from mamori.errors import FieldError, InvalidInput
from mamori.estimate import jnsa
from mamori.estimate.data import CostKind, EstimateData, IndustryEconomics, Sourced
from mamori.estimate.scenario import Scenario
from mamori.estimate.timeline import Instants

__all__ = [
    "JNSA_KIND",
    "KINDS",
    "UNINSURABLE",
    "Assessment",
    "BIEstimate",
    "CostLine",
    "Losses",
    "assess",
    "line_id",
]

#: The loss kinds of an estimate, in the order shown (product.md §7.3).
KINDS: Final = ("expense", "liability", "bi", "uninsurable")
#: The kind of a record group's JNSA damages line (every other line names a unit cost of the data).
JNSA_KIND: Final = "jnsa"
#: The loss kind of the lines no policy pays (never-covered kinds of the product).
UNINSURABLE: Final = "uninsurable"
_PERSON: Final = "person"


@dataclass(frozen=True, slots=True, kw_only=True)
class CostLine:
    """One cost line: ``unit_cost × quantity`` (× ``rate`` for expected damages), claimed as ``item``."""

    id: str  # the line's id in the claim document
    kind: str  # a unit cost of the data, or JNSA_KIND
    item: str  # coverage item or never-covered kind of the product
    loss_kind: str  # expense | liability | uninsurable
    unit: str
    unit_cost: int
    quantity: int
    rate: Decimal | None  # the claim rate applied to JNSA damages, else None
    amount: int
    sourced: Sourced
    record: int | None = None  # the record group (0-based) of a JNSA line


@dataclass(frozen=True, slots=True, kw_only=True)
class BIEstimate:
    """Business interruption: the outage's revenue × the industry's profit rate (product.md §3.4, §7.2)."""

    hours: int
    indemnity_hours: int  # the part of the outage inside the indemnity period
    revenue: int
    economics: IndustryEconomics
    operating_profit: int  # of the fiscal year: revenue × operating margin, rounded down
    fixed_costs: int  # revenue × fixed-cost ratio, rounded down
    profit_rate: Decimal
    standard_revenue: int  # revenue of the whole outage (a year earlier)
    indemnity_revenue: int  # revenue of the part inside the indemnity period
    loss: int
    sourced: Sourced


@dataclass(frozen=True, slots=True, kw_only=True)
class Losses:
    """The loss by kind; ``total`` is their sum."""

    expense: int
    liability: int
    bi: int
    uninsurable: int
    uninsurable_by_item: Mapping[str, int]  # RANSOM, FINE, INTERNAL_STAFF → yen

    @property
    def total(self) -> int:
        return self.expense + self.liability + self.bi + self.uninsurable

    def by_kind(self) -> dict[str, int]:
        return {"expense": self.expense, "liability": self.liability, "bi": self.bi, "uninsurable": self.uninsurable}


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """The loss of a scenario, explained: record groups, cost lines, business interruption, totals."""

    high_social_responsibility: bool
    social_responsibility_from: str  # "document" | "industry"
    records: tuple[jnsa.RecordDamages, ...]
    lines: tuple[CostLine, ...]
    bi: BIEstimate | None
    losses: Losses
    quantities: Mapping[str, int]  # every unit cost's quantity, defaults resolved
    instants: Instants


def line_id(kind: str, record: int | None = None) -> str:
    """The claim line id of a cost line: the unit cost's id, or ``records[N]`` (1-based) for damages."""
    return f"records[{record + 1}]" if record is not None else kind


def _economics(scenario: Scenario, data: EstimateData) -> IndustryEconomics:
    economics = data.industries.get(scenario.industry)
    if economics is None:
        raise ProductDataError("business.toml", f"industries.{scenario.industry}", "P_MISSING")
    return economics


def _loss_kind(item: str, version: ProductVersion, where: str) -> str:
    terms = version.coverage
    if item in terms.items:
        section = terms.items[item].section
        if section not in ("expense", "liability"):  # pragma: no cover - the product's items hold no BI lines
            raise ProductDataError("costs.toml", where, "P_NOT_EXPENSE_OR_LIABILITY", {"value": item})
        return section
    if item in terms.never_covered:
        return UNINSURABLE
    raise ProductDataError("costs.toml", where, "P_NOT_A_COST_ITEM", {"value": item, "version": version.label()})


def _record_lines(records: tuple[jnsa.RecordDamages, ...], scenario: Scenario, data: EstimateData) -> list[CostLine]:
    item = "LI_DAMAGES"
    _loss_kind(item, scenario.version, "(records)")
    expected = scenario.liability_basis == "expected"
    return [
        CostLine(
            id=line_id(JNSA_KIND, i),
            kind=JNSA_KIND,
            item=item,
            loss_kind="liability",
            unit=_PERSON,
            unit_cost=r.per_person,
            quantity=r.persons,
            rate=r.claim_rate if expected else None,
            amount=r.expected if expected else r.total,
            sourced=data.jnsa.model,
            record=i,
        )
        for i, r in enumerate(records)
        if r.total > 0
    ]


def _default_quantity(kind: CostKind, persons: int, businesses: int) -> int:
    if kind.default == "persons":
        return persons
    if kind.default == "businesses":
        return businesses
    assert isinstance(kind.default, int)  # noqa: S101 - validated when loaded
    return kind.default


def quantities(scenario: Scenario, data: EstimateData) -> dict[str, int]:
    """Every unit cost's quantity: the scenario's, else the kind's default."""
    persons, businesses = scenario.persons, scenario.incident.affected_businesses
    return {
        kid: scenario.quantities.get(kid, _default_quantity(kind, persons, businesses))
        for kid, kind in data.kinds.items()
    }


def _unit_lines(counts: Mapping[str, int], scenario: Scenario, data: EstimateData) -> list[CostLine]:
    lines = []
    for kid, kind in data.kinds.items():
        quantity = counts[kid]
        if quantity == 0:
            continue
        lines.append(
            CostLine(
                id=line_id(kid),
                kind=kid,
                item=kind.item,
                loss_kind=_loss_kind(kind.item, scenario.version, f"kinds.{kid}.item"),
                unit=kind.unit,
                unit_cost=kind.unit_cost,
                quantity=quantity,
                rate=None,
                amount=kind.unit_cost * quantity,
                sourced=kind.sourced,
            )
        )
    return lines


def _bi(scenario: Scenario, data: EstimateData, instants: Instants) -> BIEstimate | None:
    hours = scenario.outage_hours
    if hours == 0:
        return None
    economics = _economics(scenario, data)
    revenue = scenario.revenue
    operating_profit = money.to_yen(revenue * economics.operating_margin, mode=money.Rounding.DOWN)
    fixed_costs = money.to_yen(revenue * economics.fixed_cost_ratio, mode=money.Rounding.DOWN)
    rate = rules.profit_rate(operating_profit, fixed_costs, revenue)
    indemnity_hours = min(hours, instants.indemnity_hours())
    standard = revenue * hours // data.hours_per_year
    # The loss is the claim calculation's own measure of lost profit, so that payout never exceeds it.
    return BIEstimate(
        hours=hours,
        indemnity_hours=indemnity_hours,
        revenue=revenue,
        economics=economics,
        operating_profit=operating_profit,
        fixed_costs=fixed_costs,
        profit_rate=rate,
        standard_revenue=standard,
        indemnity_revenue=revenue * indemnity_hours // data.hours_per_year,
        loss=rules.lost_profit(standard, 0, rate, 0),
        sourced=data.profit,
    )


def _losses(lines: list[CostLine], bi: BIEstimate | None) -> Losses:
    by_kind = dict.fromkeys(("expense", "liability", UNINSURABLE), 0)
    by_item: dict[str, int] = {}
    for line in lines:
        by_kind[line.loss_kind] += line.amount
        if line.loss_kind == UNINSURABLE:
            by_item[line.item] = by_item.get(line.item, 0) + line.amount
    return Losses(
        expense=by_kind["expense"],
        liability=by_kind["liability"],
        bi=0 if bi is None else bi.loss,
        uninsurable=by_kind[UNINSURABLE],
        uninsurable_by_item=MappingProxyType(by_item),
    )


def _check_bounds(lines: list[CostLine]) -> None:
    """Every line within the amounts a claim document can carry (persons × damages can be vast)."""
    problems = [
        FieldError(
            "quantities" if line.record is None else f"records[{line.record}].persons",
            "E_ESTIMATE_TOO_LARGE",
            {"line": line.id, "amount": f"{line.amount:,}", "maximum": f"{money.MAX_YEN:,}"},
        )
        for line in lines
        if line.amount > money.MAX_YEN
    ]
    if problems:
        raise InvalidInput(problems)


def assess(scenario: Scenario, data: EstimateData, instants: Instants) -> Assessment:
    """The loss of ``scenario`` by kind, every figure with what it came from."""
    economics = _economics(scenario, data)
    given = scenario.high_social_responsibility
    high = economics.high_social_responsibility if given is None else given
    records = tuple(
        jnsa.record_damages(
            r.categories,
            r.persons,
            model=data.jnsa,
            high_social_responsibility=high,
            response=scenario.response,
            claim_rate=scenario.claim_rate,
        )
        for r in scenario.records
    )
    counts = quantities(scenario, data)
    lines = [*_unit_lines(counts, scenario, data), *_record_lines(records, scenario, data)]
    _check_bounds(lines)
    bi = _bi(scenario, data, instants)
    return Assessment(
        high_social_responsibility=high,
        social_responsibility_from="industry" if given is None else "document",
        records=records,
        lines=tuple(_ordered(lines)),
        bi=bi,
        losses=_losses(lines, bi),
        quantities=MappingProxyType(counts),
        instants=instants,
    )


def _ordered(lines: list[CostLine]) -> list[CostLine]:
    """Expenses, then liability, then what no policy pays (each in data order; damages first in liability)."""
    rank = {"expense": 0, "liability": 1, UNINSURABLE: 2}
    return sorted(lines, key=lambda line: (rank[line.loss_kind], line.record is None))
