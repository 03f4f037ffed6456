"""The claim-calculation document (interfaces.md §1.3): parse and validate into frozen dataclasses.

Everything is validated before anything is calculated. A bad document raises :class:`DocumentError`
carrying every problem found, each as (JSON path, what was expected, what was given), with messages in
Japanese and English. Unknown keys are refused so that a misspelt amount (``"betterment "``) can never
be silently ignored and paid.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from mamori import product as product_mod
from mamori.claims import terms as terms_mod

__all__ = [
    "BIInputs",
    "ClaimDocument",
    "Cost",
    "DocumentError",
    "Incident",
    "Issue",
    "PersonalData",
    "Policy",
    "PriorPayments",
    "parse_document",
]

POLICY_STATUSES: Final = ("in_force", "cancelled", "lapsed")
CULPRITS: Final = ("external", "former_employee", "employee", "director")
BEARERS: Final = ("insured", "culprit")

_MISSING: Final = object()

#: What was expected, in English and Japanese; ``{x}`` placeholders are filled from the issue.
EXPECTED: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "json": ("a valid JSON document", "正しいJSON形式の文書"),
        "object": ("a JSON object {{...}}", "JSONオブジェクト {{...}}"),
        "array": ("a JSON array [...]", "JSON配列 [...]"),
        "required": ("this field, which is missing", "この項目（必須項目が指定されていません）"),
        "unknown": ("a known field name ({allowed}); this field is unknown", "指定できる項目：{allowed}"),
        "yen": ("a whole number of yen, 0 or more", "0以上の整数（円）"),
        "signed_yen": ("a whole number of yen", "整数（円）"),
        "positive_yen": ("a whole number of yen above 0", "1以上の整数（円）"),
        "count": ("a whole number, 0 or more", "0以上の整数"),
        "bool": ("true or false", "true または false"),
        "date": ("a date written YYYY-MM-DD", "日付（YYYY-MM-DD）"),
        "datetime": (
            "a date-time with a UTC offset, e.g. 2026-06-10T09:00:00+09:00",
            "タイムゾーン（時差）付きの日時。例：2026-06-10T09:00:00+09:00",
        ),
        "enum": ("one of {allowed}", "次のいずれか：{allowed}"),
        "text": ("a non-empty string", "空でない文字列"),
        "unique_id": ("an id not used by another cost line", "他の費用行と重複しないID"),
        "country": (
            "a two-letter ISO 3166 country code in capitals, e.g. JP",
            "ISO 3166 の国コード（英大文字2文字、例：JP）",
        ),
        "accident_types": ("a non-empty list of {allowed}", "次の値からなる空でない配列：{allowed}"),
        "not_above_amount": ("at most the line's amount ({limit:,} yen)", "この行の金額（{limit:,}円）以下"),
        "condolence_only": ("only on EX_CONDOLENCE lines", "EX_CONDOLENCE の行にのみ指定できます"),
        "liability_only": ("only on liability lines ({allowed})", "賠償責任の行（{allowed}）にのみ指定できます"),
        "sublimit_item": ("an item with a sublimit: {allowed}", "内枠の支払限度額がある費目：{allowed}"),
        "product": (
            "a start date on or after {earliest} (no product is in force before it)",
            "{earliest}以降の保険始期日（それより前に始まる商品はありません）",
        ),
        "not_after_start": ("a date not after the policy start date ({limit})", "保険始期日（{limit}）以前の日付"),
        "ended_needed": (
            "the date-time the cover ended, because status is {status}",
            "補償の終了日時（状態が {status} のため必須）",
        ),
        "ended_null": ("null, because status is in_force", "null（状態が in_force のため）"),
        "within_term": (
            "a date-time from {start} to {end} (the policy period)",
            "保険期間内の日時（{start} ～ {end}）",
        ),
        "not_after_discovery": ("not after discovered_at", "discovered_at 以前の日時"),
        "not_before_occurrence": ("not before occurred_at", "occurred_at 以降の日時"),
        "after_outage_start": ("after outage_start", "outage_start より後の日時"),
    }
)


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem of a document: where (a JSON path), what was expected, and what was given."""

    path: str
    expected: str  # a key of EXPECTED
    got: str  # the given value as JSON, or "(missing)"
    params: tuple[tuple[str, Any], ...] = ()

    def expected_text(self, lang: str) -> str:
        en, ja = EXPECTED[self.expected]
        return (ja if lang == "ja" else en).format(**dict(self.params))

    def message(self, lang: str) -> str:
        if self.expected == "unknown" and lang == "ja":
            return f"{self.path}：この項目は指定できません（{self.expected_text('ja')}）"
        if lang == "ja":
            return f"{self.path}：{self.expected_text('ja')}を指定してください（入力値：{self.got}）"
        return f"{self.path}: expected {self.expected_text('en')}; got {self.got}"


class DocumentError(ValueError):
    """A claim-calculation document is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(i.message("en") for i in self.issues))

    def messages(self, lang: str) -> list[str]:
        return [i.message(lang) for i in self.issues]


# ------------------------------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class Policy:
    start_date: dt.date
    liability_limit: int
    expense_limit: int
    deductible: int
    bi_limit: int
    pd_rider: bool
    retroactive_date: dt.date
    status: str
    ended_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class PriorPayments:
    expense: int = 0
    liability: int = 0
    bi: int = 0
    sublimits: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PersonalData:
    special_care: bool = False
    financial: bool = False
    improper_purpose: bool = False
    eu_residents: bool = False
    card_data: bool = False


@dataclass(frozen=True, slots=True)
class Incident:
    accident_types: frozenset[str]
    discovered_at: dt.datetime
    claim_made_at: dt.datetime | None
    occurred_at: dt.datetime | None
    country: str
    attack_confirmed: bool
    culprit: str | None
    state_backed: bool
    known_before_first_policy: bool
    affected_persons: int
    affected_businesses: int
    personal_data: PersonalData


@dataclass(frozen=True, slots=True)
class Cost:
    id: str
    item: str
    amount: int
    persons: int | None = None
    businesses: int | None = None
    betterment: int = 0
    contractual_excess: int = 0  # part of a liability amount owed only by contract, beyond the law
    bearer: str = "insured"


@dataclass(frozen=True, slots=True)
class BIInputs:
    outage_start: dt.datetime
    outage_end: dt.datetime
    fiscal_revenue: int
    operating_profit: int = 0
    fixed_costs: int = 0
    standard_revenue: int = 0
    actual_revenue: int = 0
    saved_fixed_costs: int = 0
    prevention_spent: int = 0
    revenue_loss_avoided: int = 0
    continuation_spent: int = 0
    costs_avoided: int = 0


@dataclass(frozen=True, slots=True)
class ClaimDocument:
    policy: Policy
    prior: PriorPayments
    incident: Incident
    costs: tuple[Cost, ...]
    bi: BIInputs | None
    product: product_mod.Product
    terms: terms_mod.CoverageTerms


# ------------------------------------------------------------------------------------------ parsing

_TOP_KEYS: Final = frozenset({"policy", "prior_payments", "incident", "costs", "bi"})
_POLICY_KEYS: Final = frozenset(
    {
        "start_date",
        "liability_limit",
        "expense_limit",
        "deductible",
        "bi_limit",
        "pd_rider",
        "retroactive_date",
        "status",
        "ended_at",
    }
)
_PRIOR_KEYS: Final = frozenset({"expense", "liability", "bi", "sublimits"})
_INCIDENT_KEYS: Final = frozenset(
    {
        "accident_types",
        "discovered_at",
        "claim_made_at",
        "occurred_at",
        "country",
        "attack_confirmed",
        "culprit",
        "state_backed",
        "known_before_first_policy",
        "affected_persons",
        "affected_businesses",
        "personal_data",
    }
)
_PD_KEYS: Final = ("special_care", "financial", "improper_purpose", "eu_residents", "card_data")
_COST_KEYS: Final = frozenset(
    {"id", "item", "amount", "persons", "businesses", "betterment", "contractual_excess", "bearer"}
)
_BI_YEN: Final = (
    "standard_revenue",
    "actual_revenue",
    "fixed_costs",
    "saved_fixed_costs",
    "prevention_spent",
    "revenue_loss_avoided",
    "continuation_spent",
    "costs_avoided",
)
_BI_KEYS: Final = frozenset({"outage_start", "outage_end", "fiscal_revenue", "operating_profit", *_BI_YEN})


def _got(value: Any) -> str:
    if value is _MISSING:
        return "(missing)"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Checker:
    """Collects issues while reading a parsed JSON value; every getter returns a safe fallback."""

    __slots__ = ("issues",)

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: str, expected: str, value: Any, **params: Any) -> None:
        self.issues.append(Issue(path, expected, _got(value), tuple(params.items())))

    def obj(self, value: Any, path: str, allowed: frozenset[str]) -> Mapping[str, Any] | None:
        if not isinstance(value, dict):
            self.add(path, "required" if value is _MISSING else "object", value)
            return None
        if not allowed.issuperset(value):
            for key in value:
                if key not in allowed:
                    self.add(f"{path}.{key}", "unknown", value[key], allowed=", ".join(sorted(allowed)))
        return value

    def integer(self, d: Mapping[str, Any], key: str, path: str, kind: str = "yen", default: Any = _MISSING) -> int:
        v = d.get(key, _MISSING)
        if type(v) is int and (v > 0 or (v == 0 and kind != "positive_yen") or kind == "signed_yen"):
            return v  # the common case first: a valid amount
        if v is _MISSING and default is not _MISSING:
            return int(default)
        # type() rather than isinstance(): JSON true/false are bools, which are ints in Python.
        if type(v) is not int or (kind in ("yen", "count") and v < 0) or (kind == "positive_yen" and v <= 0):
            self.add(f"{path}.{key}", "required" if v is _MISSING else kind, v)
            return 0
        return v

    def optional_count(self, d: Mapping[str, Any], key: str, path: str) -> int | None:
        v = d.get(key)
        if v is None:
            return None
        if type(v) is not int or v < 0:
            self.add(f"{path}.{key}", "count", v)
            return None
        return v

    def boolean(self, d: Mapping[str, Any], key: str, path: str, default: bool | None = False) -> bool:
        v = d.get(key, _MISSING)
        if v is _MISSING and default is not None:
            return default
        if type(v) is not bool:
            self.add(f"{path}.{key}", "required" if v is _MISSING else "bool", v)
            return False
        return v

    def choice(
        self, d: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...], default: Any = _MISSING
    ) -> str | None:
        v = d.get(key, _MISSING)
        if v is _MISSING and default is not _MISSING:
            return None if default is None else str(default)
        if v is None and default is None:
            return None
        if v not in allowed or not isinstance(v, str):
            shown = [*allowed, "null"] if default is None else list(allowed)
            self.add(f"{path}.{key}", "required" if v is _MISSING else "enum", v, allowed=", ".join(shown))
            return None
        return v

    def date(self, d: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> dt.date | None:
        v = d.get(key, _MISSING)
        if not required and v in (None, _MISSING):
            return None
        if isinstance(v, str) and len(v) == 10:
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                pass
        self.add(f"{path}.{key}", "required" if v is _MISSING else "date", v)
        return None

    def datetime(self, d: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> dt.datetime | None:
        v = d.get(key, _MISSING)
        if not required and v in (None, _MISSING):
            return None
        if isinstance(v, str) and len(v) >= 16:
            try:
                parsed = dt.datetime.fromisoformat(v)
            except ValueError:
                parsed = None
            # A naive date-time is an input error: the policy's 16:00 JST boundary needs an offset.
            if parsed is not None and parsed.utcoffset() is not None:
                return parsed
        self.add(f"{path}.{key}", "required" if v is _MISSING else "datetime", v)
        return None


def _policy(c: _Checker, raw: Any) -> tuple[Policy | None, product_mod.Product | None]:
    d = c.obj(raw, "$.policy", _POLICY_KEYS)
    if d is None:
        return None, None
    p = "$.policy"
    start = c.date(d, "start_date", p)
    product: product_mod.Product | None = None
    if start is not None:
        try:
            product = product_mod.product_for_start(start)
        except product_mod.NoProductInForce as exc:
            earliest = exc.earliest.isoformat() if exc.earliest else "?"
            c.add(f"{p}.start_date", "product", d.get("start_date"), earliest=earliest)
    retro = c.date(d, "retroactive_date", p, required=False)
    if retro is not None and start is not None and retro > start:
        c.add(f"{p}.retroactive_date", "not_after_start", d.get("retroactive_date"), limit=start.isoformat())
    status = c.choice(d, "status", p, POLICY_STATUSES, default="in_force") or "in_force"
    ended = c.datetime(d, "ended_at", p, required=False)
    if status == "in_force" and d.get("ended_at") is not None:
        c.add(f"{p}.ended_at", "ended_null", d.get("ended_at"))
    elif status != "in_force" and d.get("ended_at") is None:
        c.add(f"{p}.ended_at", "ended_needed", d.get("ended_at", _MISSING), status=status)
    if ended is not None and start is not None and product is not None:
        term_start, term_end = product.term_start_at(start), product.term_end_at(start)
        if not term_start <= ended <= term_end:
            c.add(
                f"{p}.ended_at",
                "within_term",
                d.get("ended_at"),
                start=term_start.isoformat(),
                end=term_end.isoformat(),
            )
    policy = Policy(
        start_date=start or dt.date.min,
        liability_limit=c.integer(d, "liability_limit", p),
        expense_limit=c.integer(d, "expense_limit", p),
        deductible=c.integer(d, "deductible", p),
        bi_limit=c.integer(d, "bi_limit", p, default=0),
        pd_rider=c.boolean(d, "pd_rider", p),
        # The retroactive date defaults to the start date: a first policy with no continuity.
        retroactive_date=retro or start or dt.date.min,
        status=status,
        ended_at=ended if status != "in_force" else None,
    )
    return policy, product


def _prior(c: _Checker, raw: Any, terms: terms_mod.CoverageTerms | None) -> PriorPayments:
    if raw is None:
        return PriorPayments()
    p = "$.prior_payments"
    d = c.obj(raw, p, _PRIOR_KEYS)
    if d is None:
        return PriorPayments()
    sublimits: dict[str, int] = {}
    raw_sub = d.get("sublimits")
    if raw_sub is not None:
        if not isinstance(raw_sub, dict):
            c.add(f"{p}.sublimits", "object", raw_sub)
        else:
            with_sub = terms.sublimit_items if terms else ()
            for code in raw_sub:
                if terms is not None and code not in with_sub:
                    c.add(f"{p}.sublimits.{code}", "sublimit_item", raw_sub[code], allowed=", ".join(with_sub))
                else:
                    sublimits[code] = c.integer(raw_sub, code, f"{p}.sublimits")
    return PriorPayments(
        expense=c.integer(d, "expense", p, default=0),
        liability=c.integer(d, "liability", p, default=0),
        bi=c.integer(d, "bi", p, default=0),
        sublimits=sublimits,
    )


_ACCIDENT_TYPE_SET: Final = frozenset(terms_mod.ACCIDENT_TYPES)
_PD_KEY_SET: Final = frozenset(_PD_KEYS)


def _accident_types(raw: Any) -> frozenset[str] | None:
    """A non-empty list of known accident types as a set, else None."""
    if not isinstance(raw, list) or not raw:
        return None
    try:
        types = frozenset(raw)
    except TypeError:  # an unhashable element (a list or an object) is not a type either
        return None
    # Only strings equal the known types, so a number or true in the list is refused too.
    return types if types <= _ACCIDENT_TYPE_SET else None


def _incident(c: _Checker, raw: Any) -> Incident | None:
    p = "$.incident"
    d = c.obj(raw, p, _INCIDENT_KEYS)
    if d is None:
        return None
    types_raw = d.get("accident_types", _MISSING)
    types = _accident_types(types_raw)
    if types is None:
        types = frozenset()
        c.add(
            f"{p}.accident_types",
            "required" if types_raw is _MISSING else "accident_types",
            types_raw,
            allowed=", ".join(terms_mod.ACCIDENT_TYPES),
        )
    discovered = c.datetime(d, "discovered_at", p)
    claim_made = c.datetime(d, "claim_made_at", p, required=False)
    occurred = c.datetime(d, "occurred_at", p, required=False)
    if occurred is not None and discovered is not None and occurred > discovered:
        c.add(f"{p}.occurred_at", "not_after_discovery", d.get("occurred_at"))
    if occurred is not None and claim_made is not None and claim_made < occurred:
        c.add(f"{p}.claim_made_at", "not_before_occurrence", d.get("claim_made_at"))
    country = d.get("country", _MISSING)
    if not (isinstance(country, str) and len(country) == 2 and country.isascii() and country.isupper()):
        c.add(f"{p}.country", "required" if country is _MISSING else "country", country)
        country = ""
    pd_raw = d.get("personal_data")
    personal = PersonalData()
    if pd_raw is not None:
        pp = f"{p}.personal_data"
        pdd = c.obj(pd_raw, pp, _PD_KEY_SET)
        if pdd is not None:
            personal = PersonalData(*[c.boolean(pdd, k, pp) for k in _PD_KEYS])
    return Incident(
        accident_types=types,
        discovered_at=discovered or dt.datetime.min.replace(tzinfo=dt.UTC),
        claim_made_at=claim_made,
        occurred_at=occurred,
        country=str(country),
        attack_confirmed=c.boolean(d, "attack_confirmed", p),
        culprit=c.choice(d, "culprit", p, CULPRITS, default=None),
        state_backed=c.boolean(d, "state_backed", p),
        known_before_first_policy=c.boolean(d, "known_before_first_policy", p),
        affected_persons=c.integer(d, "affected_persons", p, "count", default=0),
        affected_businesses=c.integer(d, "affected_businesses", p, "count", default=0),
        personal_data=personal,
    )


def _costs(c: _Checker, raw: Any, terms: terms_mod.CoverageTerms | None) -> tuple[Cost, ...]:
    if not isinstance(raw, list):
        c.add("$.costs", "required" if raw is _MISSING else "array", raw)
        return ()
    kinds = terms.cost_kind_set if terms is not None else frozenset()
    liability_items = terms.liability_items if terms else ()
    seen: set[str] = set()
    costs: list[Cost] = []
    for i, entry in enumerate(raw):
        p = f"$.costs[{i}]"
        d = c.obj(entry, p, _COST_KEYS)
        if d is None:
            continue
        cid = d.get("id", _MISSING)
        if not isinstance(cid, str) or not cid.strip():
            c.add(f"{p}.id", "required" if cid is _MISSING else "text", cid)
            cid = f"#{i}"
        elif cid in seen:
            c.add(f"{p}.id", "unique_id", cid)
        seen.add(cid)
        item = d.get("item", _MISSING)
        if terms is not None and (not isinstance(item, str) or item not in kinds):
            c.add(f"{p}.item", "required" if item is _MISSING else "enum", item, allowed=", ".join(terms.cost_kinds))
            item = ""
        before = len(c.issues)
        amount = c.integer(d, "amount", p)
        amount_ok = len(c.issues) == before
        persons = c.optional_count(d, "persons", p)
        businesses = c.optional_count(d, "businesses", p)
        if item != "EX_CONDOLENCE" and ("persons" in d or "businesses" in d):
            for key in ("persons", "businesses"):
                if d.get(key) is not None:
                    c.add(f"{p}.{key}", "condolence_only", d[key])
        betterment = c.integer(d, "betterment", p, default=0)
        contractual = c.integer(d, "contractual_excess", p, default=0)
        if contractual and item not in liability_items:
            c.add(f"{p}.contractual_excess", "liability_only", contractual, allowed=", ".join(liability_items))
        if amount_ok and betterment + contractual > amount:
            key = "betterment" if betterment > amount else ("contractual_excess" if contractual else "betterment")
            c.add(f"{p}.{key}", "not_above_amount", d.get(key), limit=amount)
        bearer = c.choice(d, "bearer", p, BEARERS, default="insured") or "insured"
        costs.append(Cost(str(cid), str(item), amount, persons, businesses, betterment, contractual, bearer))
    return tuple(costs)


def _bi(c: _Checker, raw: Any) -> BIInputs | None:
    if raw is None:
        return None
    p = "$.bi"
    d = c.obj(raw, p, _BI_KEYS)
    if d is None:
        return None
    start = c.datetime(d, "outage_start", p)
    end = c.datetime(d, "outage_end", p)
    if start is not None and end is not None and end <= start:
        c.add(f"{p}.outage_end", "after_outage_start", d.get("outage_end"))
    values = {k: c.integer(d, k, p, default=0) for k in _BI_YEN}
    return BIInputs(
        outage_start=start or dt.datetime.min.replace(tzinfo=dt.UTC),
        outage_end=end or dt.datetime.min.replace(tzinfo=dt.UTC),
        # The profit rate divides by it: a zero revenue cannot give a rate.
        fiscal_revenue=c.integer(d, "fiscal_revenue", p, "positive_yen"),
        operating_profit=c.integer(d, "operating_profit", p, "signed_yen", default=0),
        **values,
    )


def parse_document(data: Any) -> ClaimDocument:
    """Validate a parsed JSON value as a claim-calculation document; raise DocumentError listing every issue."""
    c = _Checker()
    d = c.obj(data, "$", _TOP_KEYS)
    if d is None:
        raise DocumentError(c.issues)
    policy, product = _policy(c, d.get("policy", _MISSING))
    terms = terms_mod.terms_for(product) if product is not None else None
    prior = _prior(c, d.get("prior_payments"), terms)
    incident = _incident(c, d.get("incident", _MISSING))
    costs = _costs(c, d.get("costs", _MISSING), terms)
    bi = _bi(c, d.get("bi"))
    if c.issues or policy is None or product is None or terms is None or incident is None:
        raise DocumentError(c.issues)
    return ClaimDocument(policy, prior, incident, costs, bi, product, terms)
