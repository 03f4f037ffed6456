"""The product as data: load, validate and normalise a product version folder.

A product version lives in ``mamori/products/<id>/<version>/`` as reviewable TOML and CSV files. This
module turns the folder into frozen dataclasses, refusing a broken or inconsistent file with a
:class:`ProductDataError` that names the file, the key and the problem, and records a SHA-256 hash of
the folder's content so that every quote can name the exact data it was rated with.

Versions are chosen by the policy start date (:func:`product_for_start`).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

from mamori import money

__all__ = [
    "PRODUCTS_DIR",
    "IndustryClass",
    "LimitOption",
    "NoProductInForce",
    "Product",
    "ProductDataError",
    "ReasonText",
    "SecurityMeasure",
    "available_versions",
    "load_product",
    "product_for_start",
]

PRODUCTS_DIR: Final = Path(__file__).parent / "products"
DEFAULT_PRODUCT: Final = "sme-cyber"
SOURCES: Final = frozenset({"published", "illustrative"})
IndustryStatus = Literal["quote", "refer", "decline"]
INDUSTRY_STATUSES: Final = ("quote", "refer", "decline")
ReasonKind = Literal["refer", "decline"]


class ProductDataError(Exception):
    """A product data file is broken or inconsistent."""

    def __init__(self, file: Path | str, key: str, problem: str) -> None:
        self.file = str(file)
        self.key = key
        self.problem = problem
        super().__init__(f"{self.file}: {key}: {problem}")


class NoProductInForce(LookupError):
    """No version of the product is in force for the start date."""

    def __init__(self, product_id: str, start: dt.date, earliest: dt.date | None) -> None:
        self.product_id = product_id
        self.start = start
        self.earliest = earliest
        super().__init__(f"no version of {product_id} is in force on {start.isoformat()}")


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

    def render(self, lang: str, **values: Any) -> str:
        template = self.ja if lang == "ja" else self.en
        return template.format(**values).strip()


@dataclass(frozen=True, slots=True)
class Curve:
    """Normalised rating curve of one class: ``M_ref(R) = scale × A × (R/R_low)^b`` (Decimal)."""

    anchor_low: Decimal  # A of the curve class (yen per month at R_low)
    anchor_high: Decimal  # B of the curve class (at R_high)
    exponent: Decimal  # b = ln(B/A) / ln(R_high/R_low)
    scale: Decimal  # f_i for classes rated on another class's curve, else 1


@dataclass(frozen=True)
class Product:
    id: str
    version: str
    effective_from: dt.date
    name_ja: str
    name_en: str
    path: Path
    content_hash: str
    term_months: int
    start_time: dt.time
    tz: dt.timezone
    reference_revenue: int
    upper_anchor_revenue: int
    curve_class: str
    revenue_floor: int
    rounding_unit: int
    rounding_mode: money.Rounding
    installments: int
    installment_loading: Decimal
    minimum_monthly: int
    minimum_annual: int
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
    sources: Mapping[str, str] = field(default_factory=dict)  # "file:key" → published|illustrative

    @property
    def measure_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.measures)

    def option(self, table: str, amount: int) -> LimitOption | None:
        options: tuple[LimitOption, ...] = getattr(self, table)
        for opt in options:
            if opt.amount == amount:
                return opt
        return None

    def allowed_amounts(self, table: str) -> tuple[int, ...]:
        options: tuple[LimitOption, ...] = getattr(self, table)
        return tuple(o.amount for o in options)

    def default_expense_for(self, liability_limit: int) -> int:
        """Largest expense option not above the liability limit, at most ``expense_default_at_most``."""
        ceiling = min(liability_limit, self.expense_default_at_most)
        fitting = [o.amount for o in self.expense if o.amount <= ceiling]
        return max(fitting) if fitting else min(o.amount for o in self.expense)

    def term_start_at(self, start: dt.date) -> dt.datetime:
        return dt.datetime.combine(start, self.start_time, tzinfo=self.tz)

    def term_end_at(self, start: dt.date) -> dt.datetime:
        """Same calendar date ``term_months`` later at the start time; 29 Feb → 28 Feb."""
        return dt.datetime.combine(add_months(start, self.term_months), self.start_time, tzinfo=self.tz)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day-of-month ``months`` later, clipped to the month's last day (29 Feb + 12 → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in range(day.day, 27, -1):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    return dt.date(year, month, min(day.day, 28))


# ------------------------------------------------------------------------------------------ loading


class _Reader:
    """Typed access to a parsed file that names the file and key in every error."""

    def __init__(self, path: Path, data: Mapping[str, Any], sources: dict[str, str]) -> None:
        self.path = path
        self.data = data
        self.sources = sources

    def fail(self, key: str, problem: str) -> ProductDataError:
        return ProductDataError(self.path.name if self.path.parent == PRODUCTS_DIR else self.path, key, problem)

    def raw(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise self.fail(key, "missing")
            node = node[part]
        return node

    def value(self, key: str, *, tagged: bool = False, default_source: str | None = None) -> Any:
        """A value; ``tagged`` values are ``{value = ..., source = ...}`` tables."""
        node = self.raw(key)
        if isinstance(node, Mapping) and "value" in node:
            source = node.get("source")
            if source not in SOURCES:
                raise self.fail(f"{key}.source", f"must be one of {sorted(SOURCES)}, got {source!r}")
            self.sources[f"{self.path.name}:{key}"] = source
            return node["value"]
        if tagged:
            if default_source is None:
                raise self.fail(key, 'must be a table {value = ..., source = "published"|"illustrative"}')
            self.sources[f"{self.path.name}:{key}"] = default_source
        return node

    def integer(self, key: str, *, minimum: int | None = 0, **kw: Any) -> int:
        v = self.value(key, **kw)
        if not isinstance(v, int) or isinstance(v, bool):
            raise self.fail(key, f"must be an integer, got {v!r}")
        if minimum is not None and v < minimum:
            raise self.fail(key, f"must be at least {minimum}, got {v}")
        return v

    def text(self, key: str, **kw: Any) -> str:
        v = self.value(key, **kw)
        if not isinstance(v, str) or not v.strip():
            raise self.fail(key, f"must be a non-empty string, got {v!r}")
        return v

    def decimal(self, key: str, *, positive: bool = False, **kw: Any) -> Decimal:
        return self.to_decimal(key, self.value(key, **kw), positive=positive)

    def to_decimal(self, key: str, v: Any, *, positive: bool = False) -> Decimal:
        # Rates are written as strings ("0.85") so that no binary float ever touches them.
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise self.fail(key, f'must be a decimal written as a string (e.g. "0.85"), got {v!r}')
        try:
            d = Decimal(v)
        except InvalidOperation:
            raise self.fail(key, f"is not a decimal number: {v!r}") from None
        if not d.is_finite() or d < 0 or (positive and d == 0):
            raise self.fail(key, f"must be a {'positive' if positive else 'non-negative'} number, got {v!r}")
        return d

    def section_source(self, key: str) -> str:
        source = self.raw(f"{key}.source")
        if source not in SOURCES:
            raise self.fail(f"{key}.source", f"must be one of {sorted(SOURCES)}, got {source!r}")
        self.sources[f"{self.path.name}:{key}"] = source
        return str(source)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ProductDataError(path, "(file)", "missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProductDataError(path, "(syntax)", str(exc)) from None


def _options(r: _Reader, key: str, *, value_key: str = "factor", allow_refer: bool = False) -> tuple[LimitOption, ...]:
    r.section_source(key)
    raw = r.raw(f"{key}.options")
    if not isinstance(raw, list) or not raw:
        raise r.fail(f"{key}.options", "must be a non-empty list of {amount = ..., " + value_key + " = ...}")
    options: list[LimitOption] = []
    for i, entry in enumerate(raw):
        where = f"{key}.options[{i}]"
        if not isinstance(entry, Mapping):
            raise r.fail(where, "must be a table")
        amount = entry.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise r.fail(f"{where}.amount", f"must be a non-negative integer of yen, got {amount!r}")
        refer = entry.get("refer")
        if refer is not None:
            if not allow_refer:
                raise r.fail(f"{where}.refer", "this table does not allow referral options")
            if value_key in entry:
                raise r.fail(where, f"give either {value_key} or refer, not both")
            options.append(LimitOption(amount, None, str(refer)))
            continue
        if value_key not in entry:
            raise r.fail(where, f"missing {value_key}")
        options.append(LimitOption(amount, r.to_decimal(f"{where}.{value_key}", entry[value_key])))
    amounts = [o.amount for o in options]
    if amounts != sorted(set(amounts)):
        raise r.fail(f"{key}.options", "amounts must be strictly increasing")
    return tuple(options)


def _check_monotonic(r: _Reader, key: str, options: tuple[LimitOption, ...], *, rising: bool) -> None:
    """More cover costs more: a higher limit (or lower deductible) never has a lower factor."""
    priced = [o for o in options if o.factor is not None]
    for lo, hi in itertools.pairwise(priced):
        assert lo.factor is not None and hi.factor is not None  # noqa: S101 - narrowed by the filter
        if (hi.factor < lo.factor) if rising else (hi.factor > lo.factor):
            raise r.fail(
                f"{key}.options",
                f"factor of {hi.amount} ({hi.factor}) is {'below' if rising else 'above'} that of "
                f"{lo.amount} ({lo.factor}): premium would {'fall' if rising else 'rise'} as cover grows",
            )


def _default(r: _Reader, key: str, options: tuple[LimitOption, ...]) -> int:
    default = r.integer(f"{key}.default")
    if default not in {o.amount for o in options}:
        raise r.fail(f"{key}.default", f"{default} is not one of the options {[o.amount for o in options]}")
    return default


def _industries(path: Path, sources: dict[str, str]) -> dict[str, IndustryClass]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise ProductDataError(path, "(file)", "missing") from None
    required = {
        "code",
        "name_ja",
        "name_en",
        "jsic",
        "status",
        "anchor_low",
        "anchor_high",
        "class_factor",
        "source",
    }
    classes: dict[str, IndustryClass] = {}
    for line, row in enumerate(rows, start=2):
        missing = required - set(row)
        if missing:
            raise ProductDataError(path, f"line {line}", f"missing columns {sorted(missing)}")
        code = (row["code"] or "").strip()
        where = f"line {line} ({code or 'no code'})"
        if not code:
            raise ProductDataError(path, where, "code is empty")
        if code in classes:
            raise ProductDataError(path, where, f"duplicate industry code {code!r}")
        status = row["status"].strip()
        if status not in INDUSTRY_STATUSES:
            raise ProductDataError(path, f"{where}.status", f"must be one of {list(INDUSTRY_STATUSES)}, got {status!r}")
        source = row["source"].strip()
        if source not in SOURCES:
            raise ProductDataError(path, f"{where}.source", f"must be one of {sorted(SOURCES)}, got {source!r}")

        def _int(col: str, where: str = where, row: dict[str, str] = row) -> int | None:
            raw = (row[col] or "").strip()
            if not raw:
                return None
            if not raw.isdigit() or int(raw) <= 0:
                raise ProductDataError(path, f"{where}.{col}", f"must be a positive integer of yen, got {raw!r}")
            return int(raw)

        low, high = _int("anchor_low"), _int("anchor_high")
        raw_factor = (row["class_factor"] or "").strip()
        factor: Decimal | None = None
        if raw_factor:
            try:
                factor = Decimal(raw_factor)
            except InvalidOperation:
                raise ProductDataError(path, f"{where}.class_factor", f"not a decimal: {raw_factor!r}") from None
            if not factor.is_finite() or factor <= 0:
                raise ProductDataError(path, f"{where}.class_factor", f"must be positive, got {raw_factor!r}")
        if (low is None) != (high is None):
            raise ProductDataError(path, where, "give both anchors or neither")
        if status == "quote" and (low is None) == (factor is None):
            raise ProductDataError(path, where, "a quotable class needs either both anchors or a class_factor")
        if status != "quote" and (low is not None or factor is not None):
            raise ProductDataError(path, where, f"a class with status {status!r} must not carry rates")
        if low is not None and high is not None and high < low:
            raise ProductDataError(path, f"{where}.anchor_high", "must not be below anchor_low")
        for col in ("name_ja", "name_en"):
            if not (row[col] or "").strip():
                raise ProductDataError(path, f"{where}.{col}", "is empty")
        sources[f"{path.name}:{code}"] = source
        classes[code] = IndustryClass(
            code=code,
            name_ja=row["name_ja"].strip(),
            name_en=row["name_en"].strip(),
            jsic=(row["jsic"] or "").strip(),
            status=status,  # type: ignore[arg-type]  # checked against INDUSTRY_STATUSES above
            anchor_low=low,
            anchor_high=high,
            class_factor=factor,
            source=source,
            note_ja=(row.get("note_ja") or "").strip(),
            note_en=(row.get("note_en") or "").strip(),
        )
    if not classes:
        raise ProductDataError(path, "(file)", "no industry classes")
    return classes


def _content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(file.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load_product(folder: Path) -> Product:
    """Load, validate and normalise one product version folder."""
    sources: dict[str, str] = {}
    main = _Reader(folder / "product.toml", _read_toml(folder / "product.toml"), sources)

    product_id = main.text("product.id")
    version = main.text("product.version")
    effective = main.value("product.effective_from", tagged=True)
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        raise main.fail("product.effective_from", f"must be a TOML date (YYYY-MM-DD), got {effective!r}")

    term_months = main.integer("term.months", minimum=1, tagged=True)
    start_raw = main.text("term.start_time", tagged=True)
    try:
        start_time = dt.time.fromisoformat(start_raw)
    except ValueError:
        raise main.fail("term.start_time", f"must be HH:MM, got {start_raw!r}") from None
    offset_raw = main.text("term.utc_offset")
    try:
        tz = dt.datetime.strptime(offset_raw, "%z").tzinfo
    except ValueError:
        raise main.fail("term.utc_offset", f"must be like +09:00, got {offset_raw!r}") from None
    assert isinstance(tz, dt.timezone)  # noqa: S101 - strptime %z always yields a fixed offset

    rounding_mode_raw = main.text("rating.rounding_mode")
    try:
        rounding_mode = money.Rounding[rounding_mode_raw]
    except KeyError:
        allowed = [m.name for m in money.Rounding]
        raise main.fail("rating.rounding_mode", f"must be one of {allowed}, got {rounding_mode_raw!r}") from None

    liability = _options(main, "limits.liability", allow_refer=True)
    expense = _options(main, "limits.expense")
    deductible = _options(main, "limits.deductible")
    bi = _options(main, "limits.bi", value_key="loading")
    _check_monotonic(main, "limits.liability", liability, rising=True)
    _check_monotonic(main, "limits.expense", expense, rising=True)
    _check_monotonic(main, "limits.deductible", deductible, rising=False)
    _check_monotonic(main, "limits.bi", bi, rising=True)
    if not any(o.factor == 1 for o in liability) or not any(o.factor == 1 for o in expense):
        raise main.fail("limits", "the reference conditions need a liability and an expense option with factor 1")
    liability_default = _default(main, "limits.liability", liability)
    expense_default = _default(main, "limits.expense", expense)
    deductible_default = _default(main, "limits.deductible", deductible)
    bi_default = _default(main, "limits.bi", bi)

    reasons: dict[str, ReasonText] = {}
    raw_reasons = main.raw("reasons")
    if not isinstance(raw_reasons, Mapping):
        raise main.fail("reasons", "must be a table of reason tables")
    for code, body in raw_reasons.items():
        kind = main.text(f"reasons.{code}.kind")
        if kind not in ("refer", "decline"):
            raise main.fail(f"reasons.{code}.kind", f"must be 'refer' or 'decline', got {kind!r}")
        reasons[code] = ReasonText(
            code,
            "refer" if kind == "refer" else "decline",
            main.text(f"reasons.{code}.ja"),
            main.text(f"reasons.{code}.en"),
        )
        del body
    for needed in ("R_INDUSTRY", "R_REVENUE", "R_OVERSEAS", "D_INDUSTRY"):
        if needed not in reasons:
            raise main.fail(f"reasons.{needed}", "missing")
    for opt in liability:
        if opt.refer is not None and opt.refer not in reasons:
            raise main.fail("limits.liability.options", f"refer code {opt.refer!r} has no [reasons.{opt.refer}]")

    per_item = main.decimal("security_measures.per_item")
    main.section_source("security_measures")
    reference_count = main.integer("security_measures.reference_count", tagged=True)

    mpath = folder / "security_measures.toml"
    mreader = _Reader(mpath, _read_toml(mpath), sources)
    if mreader.raw("source") not in SOURCES:
        raise mreader.fail("source", f"must be one of {sorted(SOURCES)}")
    raw_items = mreader.raw("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise mreader.fail("items", "must be a non-empty list of [[items]]")
    items: list[SecurityMeasure] = []
    for i, item in enumerate(raw_items):
        if not isinstance(item, Mapping):
            raise mreader.fail(f"items[{i}]", "must be a table")
        ids = {"id": item.get("id"), "ja": item.get("ja"), "en": item.get("en")}
        for k, v in ids.items():
            if not isinstance(v, str) or not v.strip():
                raise mreader.fail(f"items[{i}].{k}", f"must be a non-empty string, got {v!r}")
        items.append(SecurityMeasure(str(ids["id"]), str(ids["ja"]), str(ids["en"])))
    if len({m.id for m in items}) != len(items):
        raise mreader.fail("items", "duplicate item ids")
    if not 0 <= reference_count <= len(items):
        raise main.fail("security_measures.reference_count", f"must be between 0 and {len(items)}")
    if per_item * len(items) >= 1:
        raise main.fail("security_measures.per_item", "declaring every item would make the premium zero or negative")

    main.section_source("overseas")
    other_loading = main.decimal("overseas.other_loading")
    na_loading = main.decimal("overseas.north_america_loading")
    refer_above = main.decimal("overseas.refer_above_share")
    if refer_above > 1:
        raise main.fail("overseas.refer_above_share", "is a share between 0 and 1")
    main.section_source("referral")
    main.section_source("riders.pd")

    industries = _industries(folder / "industries.csv", sources)
    curve_class = main.text("rating.curve_class")
    if curve_class not in industries or industries[curve_class].anchor_low is None:
        raise main.fail("rating.curve_class", f"{curve_class!r} is not an industry class with published anchors")

    reference_revenue = main.integer("rating.reference_revenue", minimum=1, tagged=True)
    upper_revenue = main.integer("rating.upper_anchor_revenue", minimum=1, tagged=True)
    if upper_revenue <= reference_revenue:
        raise main.fail("rating.upper_anchor_revenue", "must be above rating.reference_revenue")
    curves = _curves(industries, curve_class, reference_revenue, upper_revenue)

    return Product(
        id=product_id,
        version=version,
        effective_from=effective,
        name_ja=main.text("product.name_ja"),
        name_en=main.text("product.name_en"),
        path=folder,
        content_hash=_content_hash(folder),
        term_months=term_months,
        start_time=start_time,
        tz=tz,
        reference_revenue=reference_revenue,
        upper_anchor_revenue=upper_revenue,
        curve_class=curve_class,
        revenue_floor=main.integer("rating.revenue_floor", minimum=1, tagged=True),
        rounding_unit=main.integer("rating.rounding_unit", minimum=1, tagged=True),
        rounding_mode=rounding_mode,
        installments=main.integer("rating.installments", minimum=1, tagged=True),
        installment_loading=main.decimal("rating.installment_loading", tagged=True),
        minimum_monthly=main.integer("rating.minimum_monthly", tagged=True),
        minimum_annual=main.integer("rating.minimum_annual", tagged=True),
        liability=liability,
        liability_default=liability_default,
        expense=expense,
        expense_default=expense_default,
        expense_default_at_most=main.integer("limits.expense.default_at_most"),
        deductible=deductible,
        deductible_default=deductible_default,
        bi=bi,
        bi_default=bi_default,
        pd_loading=main.decimal("riders.pd.loading"),
        measures=tuple(items),
        measure_per_item=per_item,
        measure_reference_count=reference_count,
        overseas_other_loading=other_loading,
        overseas_na_loading=na_loading,
        overseas_refer_above=refer_above,
        referral_revenue_above=main.integer("referral.revenue_above", minimum=1),
        reasons=MappingProxyType(reasons),
        industries=MappingProxyType(industries),
        curves=MappingProxyType(curves),
        sources=MappingProxyType(dict(sources)),
    )


def _curves(
    industries: Mapping[str, IndustryClass], curve_class: str, low_revenue: int, high_revenue: int
) -> dict[str, Curve]:
    """Normalise every quotable class to (A, B, b, scale) at load time."""
    with money.decimal_context():
        ratio_ln = (Decimal(high_revenue) / Decimal(low_revenue)).ln()

        def own(ic: IndustryClass, scale: Decimal) -> Curve:
            assert ic.anchor_low is not None and ic.anchor_high is not None  # noqa: S101 - checked by loader
            a, b = Decimal(ic.anchor_low), Decimal(ic.anchor_high)
            return Curve(anchor_low=a, anchor_high=b, exponent=(b / a).ln() / ratio_ln, scale=scale)

        base = own(industries[curve_class], Decimal(1))
        curves: dict[str, Curve] = {}
        for code, ic in industries.items():
            if ic.status != "quote":
                continue
            if ic.anchor_low is not None:
                curves[code] = own(ic, Decimal(1))
            else:
                assert ic.class_factor is not None  # noqa: S101 - checked by loader
                curves[code] = Curve(base.anchor_low, base.anchor_high, base.exponent, ic.class_factor)
        return curves


# ------------------------------------------------------------------------------------------ registry


@functools.cache
def available_versions(product_id: str = DEFAULT_PRODUCT) -> tuple[Product, ...]:
    """Every version of a product shipped in the package, oldest first (loaded and validated once)."""
    base = PRODUCTS_DIR / product_id
    if not base.is_dir():
        raise ProductDataError(base, "(folder)", f"no product {product_id!r}")
    versions = [load_product(p) for p in sorted(base.iterdir()) if (p / "product.toml").is_file()]
    if not versions:
        raise ProductDataError(base, "(folder)", "no product versions")
    versions.sort(key=lambda p: p.effective_from)
    for earlier, later in itertools.pairwise(versions):
        if earlier.effective_from == later.effective_from:
            raise ProductDataError(later.path, "product.effective_from", f"same as version {earlier.version}")
    return tuple(versions)


def product_for_start(start: dt.date, product_id: str = DEFAULT_PRODUCT) -> Product:
    """The version in force for a policy starting on ``start`` (the latest effective on or before it)."""
    versions = available_versions(product_id)
    in_force = [p for p in versions if p.effective_from <= start]
    if not in_force:
        raise NoProductInForce(product_id, start, versions[0].effective_from)
    return in_force[-1]
