"""What the incident, support-desk and claim pages send and show. The form is kept as typed (a draft); the
core's documents are built from it here (date-times typed in Japan time get the product's offset, counts
and amounts may carry thousands separators), and whatever cannot be read is passed on as typed, so that
the core names the field. Choices and names come from the policy's product version."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from mamori import catalog as catalog_mod
from mamori import i18n
from mamori.claims import schema
from mamori.errors import FieldError
from mamori.web.incidents import documents

#: Inputs of the incident form that are text as typed.
INCIDENT_TEXT = (
    "policy_number",
    "summary",
    "occurred_at",
    "discovered_at",
    "claim_made_at",
    "country",
    "data_description",
    "affected_persons",
    "affected_businesses",
    "culprit",
)
#: Check boxes of the incident form (the personal-data ones are those of the claim document).
INCIDENT_FLAGS = ("third_party_indication", "attack_confirmed", *documents.PERSONAL_DATA_KEYS)
#: Accident types ticked on the form; T0 comes from the third-party check box.
TICKED_TYPES = ("A1", "A2", "A3", "A4")
CULPRITS = schema.CULPRITS
#: The business-interruption inputs of product.md §3.4, in the order of the form.
BI_TIMES = ("outage_start", "outage_end")
BI_AMOUNTS = (
    "fiscal_revenue",
    "operating_profit",
    "fixed_costs",
    "standard_revenue",
    "actual_revenue",
    "saved_fixed_costs",
    "prevention_spent",
    "revenue_loss_avoided",
    "continuation_spent",
    "costs_avoided",
)
COST_TEXT = ("item", "amount", "persons", "businesses", "betterment", "bearer", "description")
_WHOLE = re.compile(r"^[+-]?\d+$")
_SEGMENT = re.compile(r"\[\d+\]")


def uuid_or_none(value: Any) -> uuid.UUID | None:
    """An id of the form as a UUID; None when empty or not one (an id typed by hand finds nothing)."""
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def whole_or_none(value: Any) -> int | None:
    """A numeric id of the form (a vendor, a payment); None when empty or not a whole number."""
    read = whole_number(value, empty=None)
    return read if isinstance(read, int) else None


def _checked(data: QueryDict | Mapping[str, Any], name: str) -> bool:
    return data.get(name) in ("on", "true", "1", True)


# ------------------------------------------------------------------------------------------ incident


def incident_draft(data: QueryDict) -> dict[str, Any]:
    """The incident form exactly as typed: texts, the ticked accident types, the check boxes."""
    draft: dict[str, Any] = {name: str(data.get(name, ""))[:5000] for name in INCIDENT_TEXT}
    draft["accident_types"] = [str(t)[:8] for t in data.getlist("accident_types")][:8]
    for flag in INCIDENT_FLAGS:
        draft[flag] = _checked(data, flag)
    return draft


def incident_values(draft: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the form shows: a saved draft, or a new report (an incident in Japan by default)."""
    values: dict[str, Any] = dict.fromkeys(INCIDENT_TEXT, "")
    values["country"] = "JP"
    values["accident_types"] = []
    values.update(dict.fromkeys(INCIDENT_FLAGS, False))
    if draft:
        values.update({k: v for k, v in draft.items() if k in values})
    return values


def local_instant(text: Any, tz: dt.tzinfo) -> Any:
    """An ISO date-time from a form's ``datetime-local`` (read in ``tz``); empty: None; unreadable: as typed."""
    raw = str(text or "").strip()
    if not raw:
        return None
    try:
        at = dt.datetime.fromisoformat(raw)
    except ValueError:
        return raw
    return (at if at.tzinfo is not None else at.replace(tzinfo=tz)).isoformat()


def whole_number(text: Any, *, empty: Any = 0) -> Any:
    """A whole number as typed (``3,400``, full-width digits); empty: ``empty``; anything else: as typed."""
    raw = unicodedata.normalize("NFKC", str(text or "")).strip().replace(",", "").replace("_", "")
    if not raw:
        return empty
    return int(raw) if _WHOLE.match(raw) else str(text)


def incident_block(draft: Mapping[str, Any], tz: dt.tzinfo) -> dict[str, Any]:
    """The incident block of a claim document (interfaces.md §1.3) from the form; the core validates it."""
    block: dict[str, Any] = {
        "accident_types": list(draft.get("accident_types") or []),
        "country": str(draft.get("country") or "").strip().upper(),
        "attack_confirmed": bool(draft.get("attack_confirmed")),
        "third_party_indication": bool(draft.get("third_party_indication")),
        "affected_persons": whole_number(draft.get("affected_persons")),
        "affected_businesses": whole_number(draft.get("affected_businesses")),
        "personal_data": {k: bool(draft.get(k)) for k in documents.PERSONAL_DATA_KEYS},
    }
    for name in ("discovered_at", "occurred_at", "claim_made_at"):
        at = local_instant(draft.get(name), tz)
        if at is not None:
            block[name] = at
    if draft.get("culprit"):
        block["culprit"] = draft["culprit"]
    return block


def local_input(at: dt.datetime | None) -> str:
    """An instant as a ``datetime-local`` value in the site's time zone (Japan)."""
    return "" if at is None else timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


# ------------------------------------------------------------------------------------------ errors


def short_field(field: str) -> str:
    """The form input a document path names: ``incident.personal_data.financial`` → ``financial``,
    ``costs[2].amount`` → ``amount``, ``bi.outage_start`` → ``outage_start``; a whole-document one: ``general``."""
    if field in ("", "$"):
        return "general"
    return _SEGMENT.sub("", field).rsplit(".", 1)[-1] or "general"


def errors_for(
    errors: Iterable[FieldError], lang: i18n.Lang, *, known: Iterable[str], prefix: str = ""
) -> dict[str, list[str]]:
    """Messages by the form input they belong to (``prefix.name``); any other under ``prefix.general``."""
    names = set(known)
    shown: dict[str, list[str]] = {}
    for error in errors:
        name = short_field(error.field)
        key = name if name in names else "general"
        shown.setdefault(f"{prefix}.{key}" if prefix else key, []).append(error.message(lang, plain=True))
    return shown


# ------------------------------------------------------------------------------------------ names


def accident_type_choices(version: catalog_mod.ProductVersion, lang: i18n.Lang) -> list[tuple[str, str]]:
    return [(code, version.coverage.accident_types[code].get(lang)) for code in TICKED_TYPES]


def accident_type_names(version: catalog_mod.ProductVersion, codes: Iterable[str], lang: i18n.Lang) -> list[str]:
    types = version.coverage.accident_types
    return [types[c].get(lang) if c in types else c for c in codes]


def phase_names(version: catalog_mod.ProductVersion, lang: i18n.Lang) -> dict[str, str]:
    return {p.id: p.ja if lang == "ja" else p.en for p in version.support.phases}


def vendor_categories(version: catalog_mod.ProductVersion, lang: i18n.Lang) -> list[tuple[str, str]]:
    return [(vid, v.ja if lang == "ja" else v.en) for vid, v in version.support.vendors.items()]


def cost_item_choices(version: catalog_mod.ProductVersion, lang: i18n.Lang) -> list[tuple[str, str]]:
    """Every item a cost line may name (coverage items, then the never-covered kinds), with its name."""
    return [(code, f"{version.coverage.name(code, lang)} ({code})") for code in version.coverage.cost_kinds]


# ------------------------------------------------------------------------------------------ claims


def cost_line(data: QueryDict) -> tuple[dict[str, Any], dict[str, str]]:
    """A cost line of a claim document from the form, and the form as typed."""
    typed = {name: str(data.get(name, "")).strip() for name in COST_TEXT}
    line: dict[str, Any] = {"item": typed["item"], "amount": whole_number(typed["amount"], empty="")}
    for name in ("persons", "businesses"):
        if typed[name]:
            line[name] = whole_number(typed[name])
    if typed["betterment"]:
        line["betterment"] = whole_number(typed["betterment"])
    if typed["bearer"]:
        line["bearer"] = typed["bearer"]
    line["description"] = typed["description"][:300]
    return line, typed


def bi_typed(data: QueryDict | Mapping[str, Any] | None) -> dict[str, str]:
    return {name: str((data or {}).get(name) or "") for name in (*BI_TIMES, *BI_AMOUNTS)}


def bi_stored(bi: Mapping[str, Any] | None) -> dict[str, str]:
    """A claim's stored BI inputs as the form shows them (times in Japan time)."""
    typed = bi_typed(bi)
    for name in BI_TIMES:
        try:
            typed[name] = local_input(dt.datetime.fromisoformat(typed[name])) if typed[name] else ""
        except ValueError:
            continue
    return typed


def bi_inputs(typed: Mapping[str, str], tz: dt.tzinfo) -> dict[str, Any]:
    """The BI inputs of a claim document from the form (empty amounts are left out: the core's zero)."""
    bi: dict[str, Any] = {}
    for name in BI_TIMES:
        bi[name] = local_instant(typed.get(name), tz) or typed.get(name, "")
    for name in BI_AMOUNTS:
        if str(typed.get(name, "")).strip():
            bi[name] = whole_number(typed[name])
    return bi


def worksheet(
    answer: Mapping[str, Any] | None, version: catalog_mod.ProductVersion, lang: i18n.Lang
) -> dict[str, Any] | None:
    """The worksheet (算定明細) of a calculation's answer in ``lang``: totals, lines, steps, exclusions."""
    if answer is None:
        return None
    terms = version.coverage
    sections = answer["sections"]
    return {
        "total": answer["payable_total"],
        "deductible": answer.get("deductible"),
        "deductible_applied": answer["deductible_applied"],
        "sections": [
            {
                "name": terms.name(key, lang),
                "covered": sections[key].get("covered"),
                "payable": sections[key]["payable"],
            }
            for key in ("expense", "liability", "bi")
        ],
        "lines": [{**line, "name": terms.name(line["item"], lang)} for line in answer["lines"]],
        "steps": answer["worksheet"],
        "exclusions": [
            (code, terms.exclusions[code].text.get(lang) if code in terms.exclusions else code)
            for code in answer["exclusions"]
        ],
    }
