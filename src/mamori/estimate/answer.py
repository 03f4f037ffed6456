"""An estimate as shown: the JSON of interfaces.md §1.5 (plus explanatory keys) and a readable text.

Every figure carries what it came from: a record group its levels and factors, a cost line its unit
cost, quantity and source, business interruption its revenue, hours and profit rate. The payout is the
claim calculation's own answer (:func:`mamori.claims.answer.to_json_dict`), worksheet included; the
plan comparison shows each plan's premium (the rating engine's quote) beside its payout.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from mamori import i18n
from mamori.claims import answer as claim_answer
from mamori.estimate.data import YEN_UNIT, EstimateData, Sourced
from mamori.estimate.jnsa import RecordDamages
from mamori.estimate.losses import JNSA_KIND, KINDS, BIEstimate, CostLine
from mamori.estimate.result import Estimate, PlanOutcome, shortlist

__all__ = ["render_text", "to_json_dict"]


def _rate(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "ja" else f" ({text})"


def _sourced(s: Sourced, lang: str) -> dict[str, str]:
    return {"source": s.source, "reference": s.reference(lang)}


# ------------------------------------------------------------------------------------------ JSON


def _record_json(r: RecordDamages, used: int, data: EstimateData, lang: str) -> dict[str, Any]:
    model = data.jnsa
    return {
        "categories": list(r.categories),
        "category_names": [model.categories[c].name(lang) for c in r.categories],
        "persons": r.persons,
        "x": r.x,
        "y": r.y,
        "x_from": list(r.x_from),
        "y_from": list(r.y_from),
        "sensitivity": r.sensitivity,
        "identifiability": r.identifiability,
        "identified_by": list(r.identified_by),
        "social_responsibility": r.social_responsibility,
        "response": r.response,
        "per_person": r.per_person,
        "total": r.total,
        "expected": r.expected,
        "claim_rate": _rate(r.claim_rate),
        "used": used,
        "formula": _formula(r, data),
        **_sourced(model.model, lang),
    }


def _factors(r: RecordDamages, data: EstimateData) -> str:
    """``500 × 2 × 6 × 1 × 1``: the base and the four factors of a record group."""
    return f"{data.jnsa.base} × {r.sensitivity} × {r.identifiability} × {r.social_responsibility} × {r.response}"


def _formula(r: RecordDamages, data: EstimateData) -> str:
    return f"{_factors(r, data)} = {r.per_person:,}"


def _line_json(line: CostLine, est: Estimate, lang: str) -> dict[str, Any]:
    data = est.data
    claimed = {ln.id: ln for ln in est.chosen.claim.lines}.get(line.id)
    return {
        "id": line.id,
        "kind": line.kind,
        "name": _line_name(line, data, lang),
        "item": line.item,
        "item_name": est.version.coverage.name(line.item, lang),
        "loss_kind": line.loss_kind,
        "unit": line.unit,
        "unit_name": data.units[line.unit].name(lang),
        "unit_cost": line.unit_cost,
        "quantity": line.quantity,
        "rate": None if line.rate is None else _rate(line.rate),
        "amount": line.amount,
        "covered": None if claimed is None else claimed.covered,
        "exclusion": None if claimed is None else claimed.exclusion,
        **_sourced(line.sourced, lang),
    }


def _line_name(line: CostLine, data: EstimateData, lang: i18n.Lang | str) -> str:
    if line.kind == JNSA_KIND and line.record is not None:
        return i18n.text("estimate.record_line", "ja" if lang == "ja" else "en", index=line.record + 1)
    return data.kinds[line.kind].name(lang)


def _bi_json(bi: BIEstimate | None, data: EstimateData, lang: str) -> dict[str, Any] | None:
    if bi is None:
        return None
    return {
        "hours": bi.hours,
        "indemnity_hours": bi.indemnity_hours,
        "hours_per_year": data.hours_per_year,
        "revenue": bi.revenue,
        "operating_margin": _rate(bi.economics.operating_margin),
        "fixed_cost_ratio": _rate(bi.economics.fixed_cost_ratio),
        "operating_profit": bi.operating_profit,
        "fixed_costs": bi.fixed_costs,
        "profit_rate": _rate(bi.profit_rate),
        "standard_revenue": bi.standard_revenue,
        "indemnity_revenue": bi.indemnity_revenue,
        "loss": bi.loss,
        **_sourced(bi.sourced, lang),
    }


def _plan_json(outcome: PlanOutcome, chosen: PlanOutcome, lang: str) -> dict[str, Any]:
    plan, q, claim = outcome.plan, outcome.quote, outcome.claim
    more_premium = None
    if q.monthly_premium is not None and chosen.quote.monthly_premium is not None:
        more_premium = q.monthly_premium - chosen.quote.monthly_premium
    return {
        "liability_limit": plan.liability_limit,
        "expense_limit": plan.expense_limit,
        "deductible": plan.deductible,
        "bi_limit": plan.bi_limit,
        "chosen": outcome.plan == chosen.plan,
        "status": q.status,
        "monthly_premium": q.monthly_premium,
        "annual_premium": q.annual_premium,
        "reasons": [reason.to_dict(lang) for reason in q.reasons],
        "payable_total": outcome.payable_total,
        "payable": {"expense": claim.expense.payable, "liability": claim.liability.payable, "bi": claim.bi.payable},
        "uninsured": outcome.uninsured,
        "compared_with_chosen": {
            "monthly_premium": more_premium,
            "payable_total": outcome.payable_total - chosen.payable_total,
        },
    }


def _texts(est: Estimate, lang: str) -> tuple[str | None, list[str]]:
    s = est.scenario
    ja = lang == "ja"
    title = None if s.title is None else s.title[0 if ja else 1]
    assumptions = s.assumptions[0 if ja else 1] or s.assumptions[1 if ja else 0]
    return title, list(assumptions)


def _business_json(est: Estimate, lang: str) -> dict[str, Any]:
    s, a = est.scenario, est.assessment
    return {
        "industry": s.industry,
        "industry_name": est.version.rating.industries[s.industry].name(lang),
        "revenue": s.revenue,
        "employees": s.employees,
        "high_social_responsibility": a.high_social_responsibility,
        "social_responsibility_from": a.social_responsibility_from,
    }


def _jnsa_json(est: Estimate, lang: str) -> dict[str, Any]:
    s, a = est.scenario, est.assessment
    total, expected = sum(r.total for r in a.records), sum(r.expected for r in a.records)
    return {
        "liability_basis": s.liability_basis,
        "claim_rate": _rate(s.claim_rate),
        "total": total,
        "expected": expected,
        "used": expected if s.liability_basis == "expected" else total,
        **_sourced(est.data.jnsa.liability, lang),
    }


def _unpaid_json(est: Estimate, losses: dict[str, int], lang: str) -> list[dict[str, Any]]:
    """Each loss kind the chosen plan's section does not pay at all, with the claim calculation's reason
    (an outage caused by an information leak is not a business-interruption accident: its reason is shown,
    never a bare 0)."""
    claim = est.chosen.claim
    reasons = claim_answer.exclusion_texts(est.version, lang)  # the worksheet's own words for each exclusion
    return [
        {"kind": kind, "exclusion": section.exclusion, "reason": reasons.get(section.exclusion)}
        for kind, section in (("expense", claim.expense), ("liability", claim.liability), ("bi", claim.bi))
        if losses[kind] > 0 and section.payable == 0 and section.exclusion is not None
    ]


def to_json_dict(est: Estimate, lang: i18n.Lang = "ja") -> dict[str, Any]:
    """The answer of ``mamori estimate --json`` (interfaces.md §1.5), plus the keys that explain it."""
    s, a, data, version = est.scenario, est.assessment, est.data, est.version
    losses = a.losses.by_kind()
    title, assumptions = _texts(est, lang)
    used = s.liability_basis == "expected"
    return {
        "preset": s.preset,
        "overridden": list(s.overridden),
        "title": title,
        "assumptions": assumptions,
        "business": _business_json(est, lang),
        "incident": {
            "accident_types": list(s.incident.accident_types),
            "culprit": s.incident.culprit,
            "affected_persons": s.persons,
            "affected_businesses": s.incident.affected_businesses,
        },
        "response": s.response,
        "records": [_record_json(r, r.expected if used else r.total, data, lang) for r in a.records],
        "jnsa": _jnsa_json(est, lang),
        "lines": [_line_json(line, est, lang) for line in a.lines],
        "bi": _bi_json(a.bi, data, lang),
        "losses": {**losses, "total": a.losses.total, "uninsurable_by_item": dict(a.losses.uninsurable_by_item)},
        "plan": {**_plan_json(est.chosen, est.chosen, lang), "start": s.start.isoformat()},
        "payout": claim_answer.to_json_dict(est.chosen.claim, lang),
        "uninsured": est.uninsured,
        "uninsured_by_kind": est.chosen.uninsured_by_kind(losses),
        "plans": [_plan_json(p, est.chosen, lang) for p in est.plans],
        # The 3–5 plans a customer is shown, each with its role (estimate.result.shortlist).
        "shortlist": [
            {"role": role, "role_text": _t(f"shortlist.{role}", lang), **_plan_json(p, est.chosen, lang)}
            for role, p in shortlist(est)
        ],
        "unpaid": _unpaid_json(est, losses, lang),
        "claim_document": est.chosen.document,
        "product": version.id,
        "product_version": version.version,
        "product_hash": version.content_hash,
        "data": {"id": data.id, "version": data.version, "hash": data.content_hash},
        "lang": lang,
    }


# ------------------------------------------------------------------------------------------ text


def _t(key: str, lang: i18n.Lang, **params: Any) -> str:
    return i18n.text(f"estimate.{key}", lang, **params)


def _yen(amount: int | None, lang: i18n.Lang) -> str:
    return "-" if amount is None else i18n.text("yen", lang, amount=f"{amount:,}")


def _names(ids: Sequence[str], data: EstimateData, lang: i18n.Lang) -> str:
    sep = "・" if lang == "ja" else ", "
    return sep.join(data.jnsa.categories[c].name(lang) for c in ids)


def _record_text(i: int, r: RecordDamages, est: Estimate, lang: i18n.Lang) -> list[str]:
    data, a = est.data, est.assessment
    model = data.jnsa
    social = _t(f"social.{a.social_responsibility_from}", lang)
    why = (
        _t("identified_by", lang, categories=_names(r.identified_by, data, lang))
        if r.identified_by
        else _t("identified_otherwise", lang)
    )
    return [
        "  " + _t("record", lang, index=i + 1, categories=_names(r.categories, data, lang), persons=f"{r.persons:,}"),
        "     "
        + _t(
            "sensitivity",
            lang,
            x_base=model.x_base,
            y_base=model.y_base,
            x=r.x,
            y=r.y,
            value=r.sensitivity,
            x_from=_names(r.x_from, data, lang),
            y_from=_names(r.y_from, data, lang),
        ),
        "     " + _t("identifiability", lang, value=r.identifiability, why=why),
        "     " + _t("social", lang, value=r.social_responsibility, why=social),
        "     " + _t("response", lang, value=r.response, why=_t(f"response.{est.scenario.response}", lang)),
        "     "
        + _t(
            "per_person",
            lang,
            formula=_factors(r, data),
            amount=_yen(r.per_person, lang),
            total=_yen(r.total, lang),
            rate=_rate(r.claim_rate),
            expected=_yen(r.expected, lang),
        ),
    ]


def _records_text(est: Estimate, lang: i18n.Lang) -> list[str]:
    a, s = est.assessment, est.scenario
    out = [f"■ {_t('records', lang, base=est.data.jnsa.base)}"]
    if not a.records:
        return [*out, "  " + _t("no_records", lang)]
    for i, r in enumerate(a.records):
        out += _record_text(i, r, est, lang)
    total, expected = sum(r.total for r in a.records), sum(r.expected for r in a.records)
    key = "basis.expected" if s.liability_basis == "expected" else "basis.jnsa"
    out.append("  " + _t(key, lang, rate=_rate(s.claim_rate), total=_yen(total, lang), expected=_yen(expected, lang)))
    return out


def _line_text(line: CostLine, est: Estimate, lang: i18n.Lang) -> str:
    data = est.data
    name = _line_name(line, data, lang)
    if line.unit == YEN_UNIT:
        how = _yen(line.amount, lang)
    else:
        unit = data.units[line.unit].name(lang)
        rate = "" if line.rate is None else _t("times_rate", lang, rate=_rate(line.rate))
        each = (
            f"{_yen(line.unit_cost, lang)} × {line.quantity:,}{unit}"
            if lang == "ja"
            else f"{_yen(line.unit_cost, lang)} per {unit} × {line.quantity:,}"
        )
        how = f"{each}{rate} = {_yen(line.amount, lang)}"
    return f"    - {name}{_paren(line.item, lang)}: {how} [{line.sourced.source}: {line.sourced.reference(lang)}]"


def _bi_text(bi: BIEstimate, est: Estimate, lang: i18n.Lang) -> list[str]:
    text = _t(
        "bi",
        lang,
        revenue=_yen(bi.revenue, lang),
        hours=f"{bi.hours:,}",
        year=f"{est.data.hours_per_year:,}",
        standard=_yen(bi.standard_revenue, lang),
        rate=_rate(bi.profit_rate),
        margin=_rate(bi.economics.operating_margin),
        fixed=_rate(bi.economics.fixed_cost_ratio),
        loss=_yen(bi.loss, lang),
    )
    out = [f"    - {text}"]
    if bi.indemnity_hours < bi.hours:
        out.append("      " + _t("bi_indemnity", lang, hours=f"{bi.indemnity_hours:,}"))
    out.append(f"      [{bi.sourced.source}: {bi.sourced.reference(lang)}]")
    return out


def _losses_text(est: Estimate, lang: i18n.Lang) -> list[str]:
    a = est.assessment
    losses = a.losses.by_kind()
    out = [f"■ {_t('losses', lang)}"]
    for kind in KINDS:
        out.append(f"  {_t(f'kind.{kind}', lang)}: {_yen(losses[kind], lang)}")
        if kind == "bi" and a.bi is not None:
            out += _bi_text(a.bi, est, lang)
        out += [_line_text(line, est, lang) for line in a.lines if line.loss_kind == kind]
    out.append(f"  {_t('total', lang)}: {_yen(a.losses.total, lang)}")
    return out


def _payout_text(est: Estimate, lang: i18n.Lang) -> list[str]:
    chosen = est.chosen
    p, q, claim = chosen.plan, chosen.quote, chosen.claim
    heading = _t(
        "plan",
        lang,
        liability=_yen(p.liability_limit, lang),
        expense=_yen(p.expense_limit, lang),
        deductible=_yen(p.deductible, lang),
        bi=_yen(p.bi_limit, lang),
    )
    out = [f"■ {heading}"]
    if q.monthly_premium is not None:
        out.append(
            "  " + _t("premium", lang, monthly=_yen(q.monthly_premium, lang), annual=_yen(q.annual_premium, lang))
        )
    else:
        out.append("  " + _t("not_quoted", lang, status=i18n.text(f"quote.{q.status}", lang)))
        out += [f"    [{reason.code}] {reason.message(lang)}" for reason in q.reasons]
    out.append(
        "  "
        + _t(
            "payout",
            lang,
            total=_yen(claim.payable_total, lang),
            expense=_yen(claim.expense.payable, lang),
            liability=_yen(claim.liability.payable, lang),
            bi=_yen(claim.bi.payable, lang),
        )
    )
    left = chosen.uninsured_by_kind(est.assessment.losses.by_kind())
    out.append(
        "  "
        + _t(
            "uninsured",
            lang,
            total=_yen(chosen.uninsured, lang),
            **{kind: _yen(amount, lang) for kind, amount in left.items()},
        )
    )
    out.append(
        "  "
        + _t(
            "check",
            lang,
            payout=_yen(claim.payable_total, lang),
            uninsured=_yen(chosen.uninsured, lang),
            total=_yen(est.assessment.losses.total, lang),
        )
    )
    out.append(f"  {_t('worksheet', lang)}:")
    out += [
        f"    {n:>2}. [{step.clause}] {claim_answer.step_note(claim, step, lang)}"
        for n, step in enumerate(claim.worksheet, start=1)
    ]
    return out


def _money_cell(amount: int | None) -> str:
    return "-" if amount is None else f"{amount:,}"


def _plans_text(est: Estimate, lang: i18n.Lang) -> list[str]:
    if not est.plans:
        return []
    header = _t("plans.header", lang).split("|")
    rows = [header]
    for outcome in est.plans:
        p, q = outcome.plan, outcome.quote
        premium = _money_cell(q.monthly_premium) if q.monthly_premium is not None else _t(f"status.{q.status}", lang)
        mark = "★" if p == est.chosen.plan else ""
        rows.append(
            [
                f"{mark}{p.liability_limit:,}",
                f"{p.expense_limit:,}",
                f"{p.deductible:,}",
                f"{p.bi_limit:,}",
                premium,
                _money_cell(outcome.payable_total),
                _money_cell(outcome.uninsured),
            ]
        )
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    out = [f"■ {_t('plans', lang)}"]
    for row in rows:
        out.append("  " + "  ".join(" " * (w - _width(cell)) + cell for cell, w in zip(row, widths, strict=True)))
    out.append("  " + _t("plans.chosen", lang))
    return out


def _width(text: str) -> int:
    """Columns a text takes on a terminal: East Asian wide characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _head_text(est: Estimate, lang: i18n.Lang) -> list[str]:
    s, data, version = est.scenario, est.data, est.version
    title, assumptions = _texts(est, lang)
    head = _t("title", lang)
    if s.preset is not None:
        head += f" — {_t('preset', lang, number=s.preset)}"
    out = [f"■ {head}"]
    if title:
        out.append(title)
    if s.overridden:
        out.append(_t("overridden", lang, keys=", ".join(s.overridden)))
    out.append(
        f"{_t('product', lang)}: {version.name(lang)} {version.id} {version.version} ({version.content_hash[:12]})"
    )
    out.append(f"{_t('data', lang)}: {data.name(lang)} {data.version} ({data.content_hash[:12]})")
    industry = version.rating.industries[s.industry].name(lang) + _paren(s.industry, lang)
    business = _t("business", lang, industry=industry, revenue=_yen(s.revenue, lang))
    if s.employees is not None:
        business += _t("employees", lang, employees=f"{s.employees:,}")
    out.append(business)
    if assumptions:
        out.append(f"{_t('assumptions', lang)}:")
        out += [f"  - {line}" for line in assumptions]
    return out


def render_text(est: Estimate, lang: i18n.Lang = "ja") -> str:
    """A readable estimate for a customer or an agent (not JSON)."""
    sections = [
        _head_text(est, lang),
        _records_text(est, lang),
        _losses_text(est, lang),
        _payout_text(est, lang),
        _plans_text(est, lang),
        [_t("hypothetical", lang)],
    ]
    return "\n\n".join("\n".join(section) for section in sections if section) + "\n"
