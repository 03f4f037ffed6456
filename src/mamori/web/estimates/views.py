"""The public estimate page: pick an incident of the product page or describe one's own business and
incident, and see what it would cost, what each plan would pay and cost, and quote the chosen plan.

``GET ?preset=N`` shows a preset at once; ``POST`` the form. Words come from the core's message catalogue
(``messages/estimate.toml``), so the page, the CLI and the API say the same thing in Japanese and English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from mamori import i18n
from mamori.errors import InvalidInput
from mamori.web.estimates import selectors, services
from mamori.web.productdb import selectors as productdb

#: Words of the page, keys of ``[texts."estimate.web.*"]``.
_WORDS = (
    "title", "intro", "pick", "own", "business", "industry", "revenue", "employees", "records", "categories",
    "persons", "response", "outage_hours", "plan", "liability", "expense", "deductible", "bi", "submit", "result",
    "loss", "paid", "uninsured", "total", "payout", "plans", "premium", "chosen", "quote", "lines", "worksheet",
    "sources", "factors", "per_person", "keep", "assumptions", "errors", "illustrative", "published",
    "all_plans", "plan_role", "accident_type", "accident_type_auto", "unpaid",
)  # fmt: skip
_BUSINESS = ("industry", "revenue", "employees")
_PLAN = ("liability_limit", "expense_limit", "deductible", "bi_limit")
_KINDS = ("expense", "liability", "bi", "uninsurable")


def _lang() -> i18n.Lang:
    return i18n.as_lang(get_language())


def _number(text: str) -> int | str:
    """A count typed on the page (``8,000`` or ``８０００``); anything else is kept for the core to refuse."""
    cleaned = text.replace(",", "").replace("，", "").strip()
    normal = cleaned.translate({0xFF10 + d: ord("0") + d for d in range(10)})
    return int(normal) if normal.isdigit() else text


def estimate_document(data: QueryDict | Mapping[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The loss-estimate document of the form (empty fields are absent) and the preset chosen."""

    def given(name: str) -> str:
        value = data.get(name)
        return value.strip() if isinstance(value, str) else ""

    document: dict[str, Any] = {}
    business: dict[str, Any] = {name: given(name) for name in _BUSINESS if given(name)}
    if "employees" in business:
        business["employees"] = _number(business["employees"])
    if business:
        document["business"] = business
    getlist = getattr(data, "getlist", None)
    categories = [c for c in (getlist("categories") if getlist else data.get("categories") or []) if c]
    if categories or given("persons"):
        document["records"] = [
            {"categories": categories, "persons": _number(given("persons")) if given("persons") else None}
        ]
    if given("response"):
        document["response"] = given("response")
    if given("outage_hours"):
        document["outage_hours"] = _number(given("outage_hours"))
    if given("accident_type"):
        document["incident"] = {"accident_types": [given("accident_type")]}
    plan = {name: given(name) for name in _PLAN if given(name)}
    if plan:
        document["plan"] = plan
    return (document or None), (given("preset") or None)


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole > 0 else 0.0


def _reference_measures() -> int:
    return productdb.catalog().latest().rating.measure_reference_count


def result_view(answer: dict[str, Any], lang: i18n.Lang, *, measures: int | None = None) -> dict[str, Any]:
    """What the page shows of an answer: loss and payout by kind (with bar widths), the plans, the quote."""
    losses, left = answer["losses"], answer["uninsured_by_kind"]
    total = losses["total"]
    kinds = [
        {
            "key": kind,
            "label": i18n.text(f"estimate.kind.{kind}", lang),
            "loss": losses[kind],
            "paid": losses[kind] - left[kind],
            "uninsured": left[kind],
            "width": _share(losses[kind], total),
            "paid_width": _share(losses[kind] - left[kind], total),
        }
        for kind in _KINDS
    ]
    plan = answer["plan"]
    # The worksheet names a cost line by the estimator's internal id: the reader sees the item's name only.
    for step in answer.get("payout", {}).get("worksheet", []):
        if step.get("line") and isinstance(step.get("note"), str):
            step["note"] = step["note"].replace(f"{step['line']}「", "「").replace(f"{step['line']} ", "")
    return {
        "kinds": kinds,
        "total": total,
        "payout": answer["payout"]["payable_total"],
        "uninsured": answer["uninsured"],
        "payout_width": _share(answer["payout"]["payable_total"], total),
        "payout_left_width": round(100 - _share(answer["payout"]["payable_total"], total), 1),
        # A plan's decision by its words, never the stored value ("referred"; issue 15).
        "plans": [{**p, "status_text": i18n.text(f"quote.{p['status']}", lang)} for p in answer["plans"]],
        "shortlist": [{**p, "status_text": i18n.text(f"quote.{p['status']}", lang)} for p in answer["shortlist"]],
        "unpaid": [
            {**u, "label": i18n.text(f"estimate.kind.{u['kind']}", lang)} for u in answer["unpaid"] if u["reason"]
        ],
        "chosen": plan,
        "quote": {
            "industry": answer["business"]["industry"],
            "revenue": answer["business"]["revenue"],
            **{name: plan[name] for name in _PLAN},
            # The plans are rated with the product's reference number of security measures: the quote made
            # from the chosen plan carries it, so that its premium is the plan's (issue 15).
            **({"security_measures": measures} if measures is not None else {}),
        },
    }


@require_http_methods(["GET", "POST"])
def estimate_page(request: HttpRequest) -> HttpResponse:
    lang = _lang()
    source = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {
        "t": {word: i18n.text(f"estimate.web.{word}", lang) for word in _WORDS},
        "presets": selectors.estimate_presets(lang=lang),
        "choices": selectors.estimate_choices(lang=lang),
        "values": {
            k: source.get(k, "")
            for k in ("preset", *_BUSINESS, "persons", "response", "outage_hours", "accident_type", *_PLAN)
        },
        "checked": set(source.getlist("categories")),
        "hypothetical": i18n.text("estimate.hypothetical", lang),
    }
    document, preset = estimate_document(source)
    if document is None and preset is None:
        return render(request, "mamori/estimate.html", context)
    try:
        answer = services.estimate_calculate(document=document, preset=preset, lang=lang)
    except InvalidInput as exc:
        context["errors"] = exc.messages(lang, plain=True)
        return render(request, "mamori/estimate.html", context, status=422)
    context.update(answer=answer, view=result_view(answer, lang, measures=_reference_measures()))
    return render(request, "mamori/estimate.html", context)
