"""Load and validate a product version from its files into one :class:`ProductVersion`.

A version is a set of files (``product.toml``, ``industries.csv``, ``security_measures.toml``,
``coverage.toml``, ``support.toml``): from a folder (:class:`~mamori.catalog.repository.FolderCatalog`)
or from anywhere else that holds their bytes (a database). Every file is validated; a broken or
inconsistent one, or a key nothing reads, raises :class:`ProductDataError` naming the file, the key and
the problem. The SHA-256 content hash of the files lets every quote name the exact data it used.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Final

from mamori import calendar, money
from mamori.catalog.coverage import load_coverage
from mamori.catalog.model import (
    INDUSTRY_STATUSES,
    Curve,
    IndustryClass,
    LimitOption,
    PaymentMethod,
    PolicyRules,
    ProductVersion,
    RatingTables,
    ReasonText,
    SecurityMeasure,
    Term,
)
from mamori.catalog.reader import SOURCES, Document, ProductDataError, Table
from mamori.catalog.support import load_regulatory, load_support

__all__ = ["REQUIRED_FILES", "content_hash", "load_version"]

REQUIRED_FILES: Final = (
    "product.toml",
    "industries.csv",
    "security_measures.toml",
    "coverage.toml",
    "support.toml",
)
#: Reason codes the eligibility rules of the core give; the product words each of them.
RULE_REASONS: Final = ("R_INDUSTRY", "R_REVENUE", "R_OVERSEAS", "D_INDUSTRY")
#: Reasons policy administration gives (product.md §5): a change widening cover with an incident open.
ADMINISTRATION_REASONS: Final = ("R_OPEN_INCIDENT",)
#: The currency the core computes in: integer yen, no minor unit.
CURRENCY: Final = "JPY"
#: Payment methods the public contract names (``monthly_premium``, ``annual_premium``).
CONTRACT_PAYMENTS: Final = ("monthly", "annual")


def content_hash(files: Mapping[str, bytes]) -> str:
    """SHA-256 over every file's name and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(files[name])
        digest.update(b"\0")
    return digest.hexdigest()


def load_version(files: Mapping[str, bytes], *, origin: str) -> ProductVersion:
    """Validate the files of one version (name → bytes) into a :class:`ProductVersion`."""
    for name in REQUIRED_FILES:
        if name not in files:
            raise ProductDataError(f"{origin}/{name}", "(file)", "P_MISSING")
    main = Document("product.toml", files["product.toml"])
    root = main.root
    product = root.table("product")
    product_id = product.text("id")
    version = product.text("version")
    effective = product.tagged("effective_from")
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        raise product.fail("effective_from", "P_TOML_DATE", value=effective)
    name_ja, name_en = product.text("name_ja"), product.text("name_en")
    currency = product.text("currency")
    if currency != CURRENCY:
        raise product.fail("currency", "P_CURRENCY", currency=CURRENCY)
    tz_raw = product.text("timezone")
    try:
        offset = calendar.parse_utc_offset(tz_raw).utcoffset(None)
    except ValueError:
        raise product.fail("timezone", "P_UTC_OFFSET", value=tz_raw) from None
    tz = dt.timezone(offset, product.text("timezone_name"))

    term_node = root.table("term")
    term_months = term_node.integer("months", term_node.tagged("months"), minimum=1)
    start_raw = term_node.text("start_time", term_node.tagged("start_time"))
    try:
        start_time = dt.time.fromisoformat(start_raw)
    except ValueError:
        raise term_node.fail("start_time", "P_HH_MM", value=start_raw) from None

    rating = _rating(root, files, main)
    policy = _policy_rules(root)
    coverage_doc = Document("coverage.toml", files["coverage.toml"])
    coverage = load_coverage(coverage_doc)
    support_doc = Document("support.toml", files["support.toml"])
    support = load_support(support_doc)
    regulatory = load_regulatory(support_doc)
    for doc in (main, coverage_doc, support_doc):
        doc.finish()

    sources = {**main.sources, **coverage_doc.sources, **support_doc.sources}
    return ProductVersion(
        id=product_id,
        version=version,
        effective_from=effective,
        name_ja=name_ja,
        name_en=name_en,
        currency=currency,
        tz=tz,
        content_hash=content_hash(files),
        origin=origin,
        term=Term(months=term_months, start_time=start_time),
        rating=rating,
        coverage=coverage,
        support=support,
        regulatory=regulatory,
        policy=policy,
        sources=MappingProxyType(sources),
    )


# ------------------------------------------------------------------------------------------ policy

#: Lapse grace rules a product file may name: the last day of the calendar month this many months after
#: the month of the due date (product.md §5: "the last day of the calendar month after its due date").
_LAPSE_GRACE_MONTHS: Final = MappingProxyType({"end_of_month": 0, "end_of_next_month": 1, "end_of_month_after_next": 2})


def _policy_rules(root: Table) -> PolicyRules:
    """``[policy]``: renewal offer, lapse grace and the rounding of pro-rata changes and refunds."""
    node = _sourced(root, "policy")
    grace = node.text("lapse_grace")
    if grace not in _LAPSE_GRACE_MONTHS:
        raise node.fail("lapse_grace", "P_CHOICE", allowed=list(_LAPSE_GRACE_MONTHS), value=grace)
    rounding_raw = node.text("refund_rounding")
    try:
        refund_rounding = money.Rounding[rounding_raw]
    except KeyError:
        allowed = [m.name for m in money.Rounding]
        raise node.fail("refund_rounding", "P_CHOICE", allowed=allowed, value=rounding_raw) from None
    return PolicyRules(
        renewal_offer_days=node.integer("renewal_offer_days", minimum=1),
        lapse_grace=grace,
        lapse_grace_months=_LAPSE_GRACE_MONTHS[grace],
        refund_unit=node.integer("refund_unit", minimum=1),
        refund_rounding=refund_rounding,
        claim_payment_approval_above=node.integer("claim_payment_approval_above", minimum=0),
    )


# ------------------------------------------------------------------------------------------ rating


def _rounding(rating: Table) -> money.Rounding:
    raw = rating.text("rounding_mode")
    try:
        return money.Rounding[raw]
    except KeyError:
        allowed = [m.name for m in money.Rounding]
        raise rating.fail("rounding_mode", "P_CHOICE", allowed=allowed, value=raw) from None


def _limit_tables(limits: Table) -> dict[str, tuple[LimitOption, ...]]:
    """The option tables; more cover never costs less, and the reference conditions exist."""
    tables = {
        "liability": _options(limits.table("liability"), allow_refer=True),
        "expense": _options(limits.table("expense")),
        "deductible": _options(limits.table("deductible")),
        "bi": _options(limits.table("bi"), value_key="loading"),
    }
    for name, options in tables.items():
        _check_monotonic(limits.table(name), options, rising=name != "deductible")
    if not any(o.factor == 1 for o in tables["liability"]) or not any(o.factor == 1 for o in tables["expense"]):
        raise limits.fail("", "P_REFERENCE_OPTIONS")
    bi = tables["bi"]
    if bi[0].amount != 0 or bi[0].factor != 0:
        raise limits.table("bi").fail("options", "P_BI_FIRST_OPTION")
    return tables


def _reasons(node: Table, liability: tuple[LimitOption, ...]) -> dict[str, ReasonText]:
    """Every reason a rule or a referral option gives, and no other."""
    reasons: dict[str, ReasonText] = {}
    for code in node:
        entry = node.table(code)
        kind = entry.req("kind")
        if kind not in ("refer", "decline"):
            raise entry.fail("kind", "P_CHOICE", allowed=["refer", "decline"], value=kind)
        reasons[code] = ReasonText(code, "refer" if kind == "refer" else "decline", entry.text("ja"), entry.text("en"))
    option_reasons = [o.refer for o in liability if o.refer is not None]
    for needed in (*RULE_REASONS, *ADMINISTRATION_REASONS, *option_reasons):
        if needed not in reasons:
            raise node.fail(str(needed), "P_REASON_MISSING")
    for code in reasons:
        if code not in RULE_REASONS and code not in ADMINISTRATION_REASONS and code not in option_reasons:
            raise node.fail(code, "P_REASON_UNUSED")
    return reasons


def _measure_terms(node: Table, items: tuple[SecurityMeasure, ...]) -> tuple[Decimal, int]:
    node.source()
    per_item = node.decimal("per_item")
    reference_count = node.integer("reference_count", node.tagged("reference_count"))
    if not 0 <= reference_count <= len(items):
        raise node.fail("reference_count", "P_BETWEEN", minimum=0, maximum=len(items), value=reference_count)
    if per_item * len(items) >= 1:
        raise node.fail("per_item", "P_MEASURES_TOO_STRONG")
    return per_item, reference_count


def _sourced(root: Table, *path: str) -> Table:
    node = root
    for name in path:
        node = node.table(name)
    node.source()
    return node


def _rating(root: Table, files: Mapping[str, bytes], main: Document) -> RatingTables:
    rating = root.table("rating")
    limits = root.table("limits")
    tables = _limit_tables(limits)
    reasons = _reasons(root.table("reasons"), tables["liability"])
    items = _measures(Document("security_measures.toml", files["security_measures.toml"]), main)
    per_item, reference_count = _measure_terms(root.table("security_measures"), items)
    overseas = _sourced(root, "overseas")
    refer_above = overseas.decimal("refer_above_share")
    if refer_above > 1:
        raise overseas.fail("refer_above_share", "P_SHARE", value=refer_above)
    industries = _industries(files["industries.csv"], main.sources)
    curve_class = rating.text("curve_class")
    if curve_class not in industries or industries[curve_class].anchor_low is None:
        raise rating.fail("curve_class", "P_CURVE_CLASS", value=curve_class)
    reference_revenue = rating.integer("reference_revenue", rating.tagged("reference_revenue"), minimum=1)
    upper_revenue = rating.integer("upper_anchor_revenue", rating.tagged("upper_anchor_revenue"), minimum=1)
    if upper_revenue <= reference_revenue:
        raise rating.fail("upper_anchor_revenue", "P_ABOVE", other="rating.reference_revenue")
    liability, expense, deductible, bi = (tables[k] for k in ("liability", "expense", "deductible", "bi"))

    return RatingTables(
        reference_revenue=reference_revenue,
        upper_anchor_revenue=upper_revenue,
        curve_class=curve_class,
        revenue_floor=rating.integer("revenue_floor", rating.tagged("revenue_floor"), minimum=1),
        rounding_unit=rating.integer("rounding_unit", rating.tagged("rounding_unit"), minimum=1),
        rounding_mode=_rounding(rating),
        liability=liability,
        liability_default=_default(limits.table("liability"), liability),
        expense=expense,
        expense_default=_default(limits.table("expense"), expense),
        expense_default_at_most=limits.table("expense").integer("default_at_most"),
        deductible=deductible,
        deductible_default=_default(limits.table("deductible"), deductible),
        bi=bi,
        bi_default=_default(limits.table("bi"), bi),
        pd_loading=_sourced(root, "riders", "pd").decimal("loading"),
        measures=items,
        measure_per_item=per_item,
        measure_reference_count=reference_count,
        overseas_other_loading=overseas.decimal("other_loading"),
        overseas_na_loading=overseas.decimal("north_america_loading"),
        overseas_refer_above=refer_above,
        referral_revenue_above=_sourced(root, "referral").integer("revenue_above", minimum=1),
        reasons=MappingProxyType(reasons),
        industries=MappingProxyType(industries),
        curves=MappingProxyType(_curves(industries, curve_class, reference_revenue, upper_revenue)),
        payments=MappingProxyType(_payments(root.table("payments"))),
    )


def _payments(node: Table) -> dict[str, PaymentMethod]:
    methods: dict[str, PaymentMethod] = {}
    for code in node:
        t = node.table(code)
        src = t.source()
        methods[code] = PaymentMethod(
            code=code,
            installments=t.integer("installments", minimum=1),
            months_per_installment=t.integer("months_per_installment", minimum=1),
            divisor=t.decimal("divisor", positive=True),
            minimum=t.integer("minimum", t.tagged("minimum", default_source=src)),
        )
    for needed in CONTRACT_PAYMENTS:
        if needed not in methods:
            raise node.fail(needed, "P_PAYMENT_MISSING")
    return methods


def _measures(doc: Document, main: Document) -> tuple[SecurityMeasure, ...]:
    root = doc.root
    root.source()
    items: list[SecurityMeasure] = []
    for item in root.tables("items"):
        items.append(SecurityMeasure(item.text("id"), item.text("ja"), item.text("en")))
    if len({m.id for m in items}) != len(items):
        raise root.fail("items", "P_DUPLICATE_IDS")
    doc.finish()
    main.sources.update(doc.sources)
    return tuple(items)


def _options(node: Table, *, value_key: str = "factor", allow_refer: bool = False) -> tuple[LimitOption, ...]:
    node.source()
    options: list[LimitOption] = []
    for entry in node.tables("options"):
        amount = entry.integer("amount")
        refer = entry.opt("refer")
        if refer is not None:
            if not allow_refer:
                raise entry.fail("refer", "P_NO_REFERRAL")
            if value_key in entry:
                raise entry.fail(value_key, "P_EITHER_REFER", key=value_key)
            options.append(LimitOption(amount, None, entry.text("refer")))
            continue
        options.append(LimitOption(amount, entry.decimal(value_key)))
    amounts = [o.amount for o in options]
    if amounts != sorted(set(amounts)):
        raise node.fail("options", "P_INCREASING")
    return tuple(options)


def _check_monotonic(node: Table, options: tuple[LimitOption, ...], *, rising: bool) -> None:
    """More cover costs more: a higher limit (or lower deductible) never has a lower factor."""
    priced = [o for o in options if o.factor is not None]
    for lo, hi in itertools.pairwise(priced):
        assert lo.factor is not None and hi.factor is not None  # noqa: S101 - narrowed by the filter
        if (hi.factor < lo.factor) if rising else (hi.factor > lo.factor):
            raise node.fail(
                "options",
                "P_PREMIUM_FALLS" if rising else "P_PREMIUM_RISES",
                amount=hi.amount,
                factor=str(hi.factor),
                other_amount=lo.amount,
                other_factor=str(lo.factor),
            )


def _default(node: Table, options: tuple[LimitOption, ...]) -> int:
    default = node.integer("default")
    if default not in {o.amount for o in options}:
        raise node.fail("default", "P_DEFAULT_NOT_OPTION", value=default, allowed=[o.amount for o in options])
    return default


_CSV: Final = "industries.csv"
_INDUSTRY_COLUMNS: Final = (
    "code", "name_ja", "name_en", "jsic", "status", "anchor_low", "anchor_high", "class_factor", "source",
    "note_ja", "note_en",
)  # fmt: skip


def _industries(data: bytes, sources: dict[str, str]) -> dict[str, IndustryClass]:
    try:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
        header = tuple(reader.fieldnames or ())
        rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ProductDataError(_CSV, "(file)", "P_CSV_UNREADABLE", {"detail": str(exc)}) from None
    if set(header) != set(_INDUSTRY_COLUMNS) or len(header) != len(_INDUSTRY_COLUMNS):
        raise ProductDataError(
            _CSV, "(header)", "P_CSV_HEADER", {"allowed": list(_INDUSTRY_COLUMNS), "value": list(header)}
        )
    classes: dict[str, IndustryClass] = {}
    for line, row in enumerate(rows, start=2):
        ic = _industry(line, row)
        if ic.code in classes:
            raise ProductDataError(_CSV, f"line {line} ({ic.code})", "P_DUPLICATE_CODE", {"value": ic.code})
        sources[f"{_CSV}:{ic.code}"] = ic.source
        classes[ic.code] = ic
    if not classes:
        raise ProductDataError(_CSV, "(file)", "P_NO_INDUSTRIES")
    return classes


def _cell_yen(row: dict[str, str], col: str, where: str) -> int | None:
    raw = (row[col] or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) <= 0:
        raise ProductDataError(_CSV, f"{where}.{col}", "P_POSITIVE_YEN", {"value": raw})
    return int(raw)


def _cell_factor(row: dict[str, str], where: str) -> Decimal | None:
    raw = (row["class_factor"] or "").strip()
    if not raw:
        return None
    try:
        factor = Decimal(raw)
    except InvalidOperation:
        raise ProductDataError(_CSV, f"{where}.class_factor", "P_DECIMAL", {"value": raw}) from None
    if not factor.is_finite() or factor <= 0:
        raise ProductDataError(_CSV, f"{where}.class_factor", "P_POSITIVE", {"value": raw})
    return factor


def _industry(line: int, row: dict[str, str]) -> IndustryClass:
    """One row of industries.csv: a class quotes on its own anchors or scales the curve class."""
    if None in row:
        raise ProductDataError(_CSV, f"line {line}", "P_CSV_EXTRA_CELLS")
    code = (row["code"] or "").strip()
    where = f"line {line} ({code or 'no code'})"
    if not code:
        raise ProductDataError(_CSV, where, "P_CODE_EMPTY")
    status = (row["status"] or "").strip()
    if status not in INDUSTRY_STATUSES:
        raise ProductDataError(
            _CSV, f"{where}.status", "P_CHOICE", {"allowed": list(INDUSTRY_STATUSES), "value": status}
        )
    source = (row["source"] or "").strip()
    if source not in SOURCES:
        raise ProductDataError(_CSV, f"{where}.source", "P_CHOICE", {"allowed": list(SOURCES), "value": source})
    low, high = _cell_yen(row, "anchor_low", where), _cell_yen(row, "anchor_high", where)
    factor = _cell_factor(row, where)
    if (low is None) != (high is None):
        raise ProductDataError(_CSV, where, "P_ANCHORS_BOTH")
    if status == "quote" and (low is None) == (factor is None):
        raise ProductDataError(_CSV, where, "P_ANCHORS_OR_FACTOR")
    if status != "quote" and (low is not None or factor is not None):
        raise ProductDataError(_CSV, where, "P_STATUS_RATES", {"value": status})
    if low is not None and high is not None and high < low:
        raise ProductDataError(_CSV, f"{where}.anchor_high", "P_NOT_BELOW", {"other": "anchor_low"})
    for col in ("name_ja", "name_en"):
        if not (row[col] or "").strip():
            raise ProductDataError(_CSV, f"{where}.{col}", "P_EMPTY")
    return IndustryClass(
        code=code,
        name_ja=row["name_ja"].strip(),
        name_en=row["name_en"].strip(),
        jsic=(row["jsic"] or "").strip(),
        status=status,  # type: ignore[arg-type]  # checked against INDUSTRY_STATUSES above
        anchor_low=low,
        anchor_high=high,
        class_factor=factor,
        source=source,
        note_ja=(row["note_ja"] or "").strip(),
        note_en=(row["note_en"] or "").strip(),
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
