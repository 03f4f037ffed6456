"""What the pages' forms show and send: the choices come from the product version, the values are the
core's raw inputs (the same names as the API and the CLI), and every value typed is kept on a redisplay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import QueryDict

from mamori import catalog as catalog_mod
from mamori import i18n
from mamori.errors import FieldError, InvalidInput
from mamori.rating import engine, inputs
from mamori.rating.inputs import ENTITY_TYPES
from mamori.web.accounts import roles
from mamori.web.accounts import services as account_services
from mamori.web.quotes.models import Quote

#: Inputs of the quote page that are plain values (the rest are check boxes).
TEXT_FIELDS = (
    "industry",
    "revenue",
    "liability_limit",
    "expense_limit",
    "deductible",
    "payment",
    "overseas_share",
    "north_america_share",
    "bi_limit",
    "start",
    "entity",
)


def _yen(amount: int, lang: i18n.Lang) -> str:
    return i18n.text("yen", lang, amount=f"{amount:,}")


def quote_defaults(version: catalog_mod.ProductVersion) -> dict[str, Any]:
    r = version.rating
    return {
        "industry": "wholesale" if "wholesale" in r.industries else next(iter(r.industries)),
        "revenue": str(r.reference_revenue),
        "liability_limit": str(r.liability_default),
        "expense_limit": str(r.expense_default),
        "deductible": str(r.deductible_default),
        "payment": r.payment_codes[0],
        "bi_limit": str(r.bi_default),
        "entity": inputs.ENTITY_TYPES[0],
        # Nothing is ticked for the customer: a measure counts only when they declare it (issue 15).
        "measures": [],
    }


def quote_raw(data: QueryDict | Mapping[str, Any]) -> dict[str, Any]:
    """The core's raw inputs from the form (empty fields are absent; they take the defaults)."""
    raw: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value not in (None, ""):
            raw[name] = value
    getlist = getattr(data, "getlist", None)
    raw["measures"] = getlist("measures") if getlist else list(data.get("measures") or [])
    counted = data.get("security_measures")
    if not raw["measures"] and counted not in (None, ""):
        # A number of measures declared elsewhere (the loss estimate's plans): kept instead of the ticks.
        del raw["measures"]
        raw["security_measures"] = counted
    for flag in ("pd_rider", "new_business"):
        raw[flag] = data.get(flag) in ("on", "true", "1", True)
    return raw


def quote_form(version: catalog_mod.ProductVersion, raw: Mapping[str, Any], lang: i18n.Lang) -> dict[str, Any]:
    """Choices with their labels, and the values to show."""
    r = version.rating
    return {
        "values": raw,
        "industries": [(code, f"{ic.name(lang)}") for code, ic in r.industries.items()],
        "liability": [(o.amount, _yen(o.amount, lang)) for o in r.liability],
        "expense": [(o.amount, _yen(o.amount, lang)) for o in r.expense],
        "deductible": [(o.amount, _yen(o.amount, lang)) for o in r.deductible],
        "bi": [(o.amount, _yen(o.amount, lang) if o.amount else i18n.text("none", lang)) for o in r.bi],
        "payments": [
            (
                code,
                i18n.text(
                    f"payment.{code}" if code in ("monthly", "annual") else "quote.payment.other",
                    lang,
                    installments=m.installments,
                    code=code,
                ),
            )
            for code, m in r.payments.items()
        ],
        "entities": [(e, i18n.label(f"entity.{e}", lang)) for e in inputs.ENTITY_TYPES],
        "measures": [(m.id, m.ja if lang == "ja" else m.en) for m in r.measures],
        "selected_measures": set(raw.get("measures") or []),
    }


def quote_view(quote: engine.Quote, lang: i18n.Lang) -> dict[str, Any]:
    """The result panel: premiums, each multiplier and detail with its label, the reasons."""
    return {
        "status": quote.status,
        "status_text": i18n.text(f"quote.{quote.status}", lang),
        "premiums": [
            (i18n.text(f"quote.payment.{code}", lang, installments=m.installments), quote.premium.by_method[code])
            for code, m in quote.version.rating.payments.items()
        ]
        if quote.premium
        else [],
        "factors": [(i18n.factor_label(k, lang), _shown(k, v)) for k, v in quote.multipliers.items()],
        "details": [(i18n.factor_label(k, lang), _shown(k, v)) for k, v in quote.details.items()],
        "reasons": [(r.code, r.message(lang)) for r in quote.reasons],
        "version": quote.version,
    }


def _shown(key: str, value: Any) -> str:
    if key in ("base",):
        return f"{value:,.2f}"
    if key == "revenue_rated":
        return f"{int(value):,}"
    return f"{value:.6f}".rstrip("0").rstrip(".")


def saved_quote_view(quote: Quote, lang: i18n.Lang) -> dict[str, Any]:
    result = quote.result
    return {
        "status": quote.status,
        "status_text": i18n.text(f"quote.{quote.status}", lang),
        "factors": [
            (i18n.factor_label(k, lang), f"{float(v):,.6f}".rstrip("0").rstrip("."))
            for k, v in result.get("factors_exact", {}).items()
        ],
        "reasons": [(r["code"], r.get(f"message_{lang}") or r.get("message")) for r in result.get("reasons", [])],
        "inputs": result.get("inputs", {}),
        "summary": cover_summary(quote, lang),
    }


def cover_summary(quote: Quote, lang: i18n.Lang) -> list[tuple[str, str]]:
    """What the cover of a quote includes, in words (shown before applying; issue 15)."""
    risk = quote.risk
    yes, no = i18n.text("summary.included", lang), i18n.text("summary.not_included", lang)
    payment = i18n.text(
        f"payment.{risk.payment}" if risk.payment in ("monthly", "annual") else "quote.payment.other",
        lang,
        installments=12 if risk.payment == "monthly" else 1,
        code=risk.payment,
    )
    rows = [
        (i18n.label("industry", lang), _industry_name(quote, lang)),
        (i18n.label("revenue", lang), _yen(risk.revenue, lang)),
        (i18n.label("liability_limit", lang), _yen(risk.liability_limit, lang)),
        (i18n.label("expense_limit", lang), _yen(risk.expense_limit, lang)),
        (i18n.label("deductible", lang), _yen(risk.deductible, lang)),
        (i18n.label("bi_limit", lang), _yen(risk.bi_limit, lang) if risk.bi_limit else no),
        (i18n.label("pd_rider", lang), yes if risk.pd_rider else no),
        (i18n.text("summary.support", lang), yes),
        (i18n.label("payment", lang), payment),
        (i18n.label("start", lang), _date(risk.start, lang)),
    ]
    return [(label[:1].upper() + label[1:], value) for label, value in rows]


def underwriting_view(app: Any, lang: i18n.Lang) -> dict[str, Any]:
    """The underwriting page: the risk in words (no raw record), the formula's indicative premium as a suggestion."""
    from mamori.rating.inputs import Risk
    from mamori.web.productdb import selectors as productdb

    risk = Risk.from_stored(app.inputs)
    version = productdb.catalog().by_hash(app.product_version.content_hash)
    no = i18n.text("summary.not_included", lang)
    measures = {m.id: (m.ja if lang == "ja" else m.en) for m in version.rating.measures}
    declared = [measures.get(m, m) for m in risk.measures] if risk.measures is not None else []
    industry = version.rating.industries.get(risk.industry)
    rows = [
        (i18n.label("industry", lang), industry.name(lang) if industry else risk.industry),
        (i18n.label("revenue", lang), _yen(risk.revenue, lang)),
        (i18n.label("entity", lang), i18n.label(f"entity.{risk.entity}", lang)),
        (i18n.label("liability_limit", lang), _yen(risk.liability_limit, lang)),
        (i18n.label("expense_limit", lang), _yen(risk.expense_limit, lang)),
        (i18n.label("deductible", lang), _yen(risk.deductible, lang)),
        (i18n.label("bi_limit", lang), _yen(risk.bi_limit, lang) if risk.bi_limit else no),
        (i18n.label("pd_rider", lang), i18n.text("summary.included", lang) if risk.pd_rider else no),
        (i18n.label("overseas_share", lang), f"{risk.overseas_pct}%"),
        (i18n.label("north_america_share", lang), f"{risk.north_america_pct}%"),
        (i18n.label("measures", lang), "、".join(declared) if declared else str(risk.measures_declared)),
    ]
    suggested = engine.indicative_premium(version, risk)
    return {
        "risk_rows": [(label[:1].upper() + label[1:], value) for label, value in rows],
        "suggested": suggested.by_method if suggested is not None else None,
        "suggested_monthly": suggested.monthly if suggested is not None else None,
    }


def terms_in_words(terms: list[tuple[str, Any, Any]], lang: i18n.Lang) -> list[tuple[str, str, str]]:
    """(term, now, asked for) with the term's label and the values as amounts or included/not (no raw record)."""

    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return i18n.text("summary.included" if value else "summary.not_included", lang)
        try:
            amount = int(value)
        except (TypeError, ValueError):
            return str(value)
        return _yen(amount, lang) if amount else i18n.text("summary.not_included", lang)

    out = []
    for name, before, after in terms:
        label = i18n.label(name, lang)
        out.append((label[:1].upper() + label[1:], shown(before), shown(after)))
    return out


def _date(day: Any, lang: i18n.Lang) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang == "ja" else f"{day.day} {day:%b} {day.year}"


def _industry_name(quote: Quote, lang: i18n.Lang) -> str:
    from mamori.web.productdb import selectors as productdb

    try:
        version = productdb.catalog().by_hash(quote.product_version.content_hash)
        return version.rating.industries[quote.risk.industry].name(lang)
    except (KeyError, LookupError):
        return quote.risk.industry


def application_values(data: QueryDict | None, quote: Quote) -> dict[str, Any]:
    if data is None:
        return {
            "start": quote.risk.start.isoformat(),
            "payment": quote.risk.payment,
            "consent": False,
            "intent": False,
            "name": "",
            "entity": quote.risk.entity,
            "address": "",
            "email": "",
            "new_business": False,
        }
    return {
        "start": data.get("start", ""),
        "payment": data.get("payment", ""),
        "consent": data.get("consent") == "on",
        "intent": data.get("intent") == "on",
        "name": data.get("name", ""),
        "entity": data.get("entity", ""),
        "address": data.get("address", ""),
        "email": data.get("email", ""),
        "new_business": data.get("new_business") == "on",
    }


def business_of(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in ("name", "entity", "address", "email", "new_business")}


def signup(values: Mapping[str, str]) -> User:
    """A new policyholder user with their business (InvalidInput naming each field)."""
    errors: list[FieldError] = []
    username = values.get("username", "").strip()
    if not username:
        errors.append(FieldError("username", "E_REQUIRED"))
    elif (
        len(username) > 150
        or not all(ch.isalnum() or ch in "@.+-_" for ch in username)
        or User.objects.filter(username__iexact=username).exists()
    ):
        # Never "this name is taken" with the name: the same words as any other name that cannot be used.
        errors.append(FieldError("username", "E_USERNAME_UNAVAILABLE", {}))
    password = values.get("password", "")
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        errors.append(FieldError("password", "E_PASSWORD", {"problem": " ".join(exc.messages)}))
    if not values.get("name", "").strip():
        errors.append(FieldError("business.name", "E_REQUIRED"))
    if values.get("entity") not in ENTITY_TYPES:
        errors.append(
            FieldError("business.entity", "E_CHOICE", {"value": values.get("entity"), "allowed": list(ENTITY_TYPES)})
        )
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            business = account_services.business_create(
                name=values["name"].strip(),
                entity=values["entity"],
                address=values.get("address", ""),
                email=values.get("email", ""),
            )
            return account_services.user_create(
                username=username,
                password=password,
                role=roles.POLICYHOLDER,
                business=business,
                email=values.get("email", ""),
            )
    except IntegrityError:
        raise InvalidInput([FieldError("username", "E_USERNAME_UNAVAILABLE", {})]) from None


def change_options(version: catalog_mod.ProductVersion, lang: i18n.Lang) -> dict[str, Any]:
    r = version.rating
    return {
        "liability": [(o.amount, _yen(o.amount, lang)) for o in r.liability],
        "expense": [(o.amount, _yen(o.amount, lang)) for o in r.expense],
        "deductible": [(o.amount, _yen(o.amount, lang)) for o in r.deductible],
        "bi": [(o.amount, _yen(o.amount, lang) if o.amount else i18n.text("none", lang)) for o in r.bi],
    }


def changes_of(data: QueryDict) -> dict[str, Any]:
    """Only the terms the user changed (a select left on "no change" is not a change)."""
    changes: dict[str, Any] = {}
    for name in ("liability_limit", "expense_limit", "deductible", "bi_limit"):
        value = data.get(name)
        if value not in (None, ""):
            changes[name] = value
    rider = data.get("pd_rider")
    if rider in ("add", "remove"):
        changes["pd_rider"] = rider == "add"
    return changes
