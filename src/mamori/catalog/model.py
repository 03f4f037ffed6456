"""A product version as one frozen aggregate: identity, term, rating tables, payments, coverage, support.

Built by :mod:`mamori.catalog.loader` from a version's files and handed to every use case by a
:class:`~mamori.catalog.repository.Catalog`; nothing in the core looks a version up by itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from mamori import calendar, money
from mamori.catalog.coverage import CoverageTerms
from mamori.catalog.support import RegulatoryTerms, SupportTerms

__all__ = [
    "Curve",
    "IndustryClass",
    "LimitOption",
    "PaymentMethod",
    "PolicyRules",
    "ProductVersion",
    "RatingTables",
    "ReasonText",
    "SecurityMeasure",
    "Term",
]

IndustryStatus = Literal["quote", "refer", "decline"]
INDUSTRY_STATUSES = ("quote", "refer", "decline")
ReasonKind = Literal["refer", "decline"]
#: The option tables of a quote: limits and deductible (factor) and the BI option (loading).
OPTION_TABLES = ("liability", "expense", "deductible", "bi")


@dataclass(frozen=True, slots=True)
class LimitOption:
    """One selectable amount of a limit or deductible and its factor (or loading)."""

    amount: int
    factor: Decimal | None  # None when choosing the option refers the quote
    refer: str | None = None  # reason code when the option needs an underwriter


@dataclass(frozen=True, slots=True)
class IndustryClass:
    code: str
    name_ja: str
    name_en: str
    jsic: str
    status: IndustryStatus
    anchor_low: int | None  # published monthly premium at the reference revenue
    anchor_high: int | None  # published monthly premium at the upper anchor revenue
    class_factor: Decimal | None  # multiplier of the curve class when no anchors are published
    source: str
    note_ja: str = ""
    note_en: str = ""

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en


@dataclass(frozen=True, slots=True)
class SecurityMeasure:
    id: str
    ja: str
    en: str


@dataclass(frozen=True, slots=True)
class ReasonText:
    code: str
    kind: ReasonKind
    ja: str
    en: str

    def render(self, lang: str, **values: object) -> str:
        template = self.ja if lang == "ja" else self.en
        return template.format(**values).strip()


@dataclass(frozen=True, slots=True)
class Curve:
    """Normalised rating curve of one class: ``M_ref(R) = scale × A × (R/R_low)^b`` (Decimal)."""

    anchor_low: Decimal  # A of the curve class (yen per month at R_low)
    anchor_high: Decimal  # B of the curve class (at R_high)
    exponent: Decimal  # b = ln(B/A) / ln(R_high/R_low)
    scale: Decimal  # f_i for classes rated on another class's curve, else 1


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    """How the premium is paid: ``installments`` of ``round(M × months / divisor)`` (at least ``minimum``).

    Monthly: 12 installments of the monthly premium (months 1, divisor 1). Annual: one payment of
    ``M × 12 / 1.02`` (the 2 % installment loading taken off).
    """

    code: str
    installments: int
    months_per_installment: int
    divisor: Decimal
    minimum: int


@dataclass(frozen=True, slots=True)
class Term:
    months: int
    start_time: dt.time  # cover starts and ends at this time of day (16:00)


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyRules:
    """Policy administration (product.md §5): renewal offer, lapse grace, rounding of pro-rata amounts."""

    renewal_offer_days: int  # the renewal offer is due this many days before the end date
    lapse_grace: str  # the rule's name in the product file ("end_of_next_month")
    lapse_grace_months: int  # unpaid by the last day of the month this many months after the due month: lapse
    refund_unit: int  # pro-rata refunds and charges are a multiple of this many yen
    refund_rounding: money.Rounding  # and rounded so (DOWN: 切り捨て)
    claim_payment_approval_above: int  # a claim's payments above this total need a second claims user


@dataclass(frozen=True)
class RatingTables:
    reference_revenue: int
    upper_anchor_revenue: int
    curve_class: str
    revenue_floor: int
    rounding_unit: int
    rounding_mode: money.Rounding
    liability: tuple[LimitOption, ...]
    liability_default: int
    expense: tuple[LimitOption, ...]
    expense_default: int
    expense_default_at_most: int
    deductible: tuple[LimitOption, ...]
    deductible_default: int
    bi: tuple[LimitOption, ...]  # factor = loading
    bi_default: int
    pd_loading: Decimal
    measures: tuple[SecurityMeasure, ...]
    measure_per_item: Decimal
    measure_reference_count: int
    overseas_other_loading: Decimal
    overseas_na_loading: Decimal
    overseas_refer_above: Decimal
    referral_revenue_above: int
    reasons: Mapping[str, ReasonText]
    industries: Mapping[str, IndustryClass]
    curves: Mapping[str, Curve]  # only for classes with status "quote"
    payments: Mapping[str, PaymentMethod]  # in file order; the first is the default

    @property
    def measure_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.measures)

    @property
    def payment_codes(self) -> tuple[str, ...]:
        return tuple(self.payments)

    def options(self, table: str) -> tuple[LimitOption, ...]:
        options: tuple[LimitOption, ...] = getattr(self, table)
        return options

    def option(self, table: str, amount: int) -> LimitOption | None:
        for opt in self.options(table):
            if opt.amount == amount:
                return opt
        return None

    def allowed_amounts(self, table: str) -> tuple[int, ...]:
        return tuple(o.amount for o in self.options(table))

    def default_amount(self, table: str) -> int:
        default: int = getattr(self, f"{table}_default")
        return default

    def default_expense_for(self, liability_limit: int) -> int:
        """Largest expense option not above the liability limit, at most ``expense_default_at_most``."""
        ceiling = min(liability_limit, self.expense_default_at_most)
        fitting = [o.amount for o in self.expense if o.amount <= ceiling]
        return max(fitting) if fitting else min(o.amount for o in self.expense)

    @property
    def published_classes(self) -> tuple[str, ...]:
        """The classes with published anchors: the rows of the product page's premium table."""
        return tuple(code for code, ic in self.industries.items() if ic.anchor_low is not None)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a version is one loaded object
class ProductVersion:
    id: str
    version: str
    effective_from: dt.date
    name_ja: str
    name_en: str
    currency: str
    tz: dt.tzinfo
    content_hash: str
    origin: str  # where it was loaded from (a folder, a database row), for messages
    term: Term
    rating: RatingTables
    coverage: CoverageTerms
    support: SupportTerms
    regulatory: RegulatoryTerms
    policy: PolicyRules
    sources: Mapping[str, str] = field(default_factory=dict)  # "file:key" → published|illustrative

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en

    def term_start_at(self, start: dt.date) -> dt.datetime:
        """Cover starts at the start time (16:00) of the start date in the product's time zone."""
        return calendar.at_time(start, self.term.start_time, self.tz)

    def term_end_date(self, start: dt.date) -> dt.date:
        """The end of the term: the same calendar date ``term.months`` later; 29 Feb → 28 Feb. The one
        definition of the end of a term (the end instant, due dates, months left and expiry use it)."""
        return calendar.add_months(start, self.term.months)

    def term_end_at(self, start: dt.date) -> dt.datetime:
        """The end instant: :meth:`term_end_date` at the start time (16:00) in the product's time zone."""
        return calendar.at_time(self.term_end_date(start), self.term.start_time, self.tz)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """Today's date where the product is sold."""
        return calendar.today_in(self.tz, now)

    def label(self) -> str:
        return f"{self.id} {self.version}"
