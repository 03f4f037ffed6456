"""The answer of a claim calculation: values, the JSON of interfaces.md §1.3, and a readable worksheet."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, NamedTuple

from mamori.claims import terms as terms_mod
from mamori.support import deadlines, service

__all__ = [
    "BIResult",
    "ClaimResult",
    "LineResult",
    "SectionResult",
    "Step",
    "render_text",
    "step_note",
    "to_json_dict",
]

JST: Final = dt.timezone(dt.timedelta(hours=9), "JST")
#: Parameters holding a code that is shown by its name in the worksheet's language.
_NAMED: Final = ("item", "exclusion", "section", "trigger")


class Step(NamedTuple):
    """One line of the worksheet (算定明細); a named tuple because a claim writes a dozen or more.

    ``before``/``after`` chain the amounts of one line (``line`` set) or one section (``line`` None):
    each step's ``before`` is the previous step's ``after``. ``amount`` is the step's headline figure
    (what was removed, a cap, a deductible, a limit left). ``params`` fill the ja/en text.
    """

    step: str
    clause: str
    section: str | None
    line: str | None
    before: int | None
    after: int | None
    amount: int | None
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class LineResult:
    id: str
    item: str
    section: str | None  # None for never-covered kinds
    claimed: int
    covered: int
    exclusion: str | None  # the code that removed the line, or the first that removed part of it
    removed_by: tuple[str, ...]  # every code that removed money from the line


@dataclass(frozen=True, slots=True)
class SectionResult:
    covered: int
    deductible: int
    limit: int
    prior: int
    payable: int
    exclusion: str | None = None  # a code that removed the whole section (period, retroactive date)


@dataclass(frozen=True, slots=True)
class BIResult:
    claimed: bool
    covered: int
    payable: int
    limit: int
    prior: int
    exclusion: str | None
    waiting_period_passed: bool | None
    profit_rate: Decimal | None
    lost_profit: int
    prevention: int
    continuation: int
    indemnity_end_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ClaimResult:
    terms: terms_mod.CoverageTerms
    support_terms: service.SupportTerms
    policy_start_at: dt.datetime
    policy_end_at: dt.datetime
    cover_end_at: dt.datetime
    lines: tuple[LineResult, ...]
    expense: SectionResult
    liability: SectionResult
    bi: BIResult
    deductible: int
    deductible_applied: int
    payable_total: int
    exclusions: tuple[str, ...]
    worksheet: tuple[Step, ...]
    support: service.Support
    regulatory: deadlines.Regulatory


# ------------------------------------------------------------------------------------------ texts


def step_note(terms: terms_mod.CoverageTerms, step: Step, lang: str) -> str:
    """The ja/en text of a worksheet step, with codes replaced by their names in ``lang``."""
    return _fill(terms.notes(lang)[step.step], step.params)


def _fill(note: terms_mod.Note, params: Mapping[str, Any]) -> str:
    if note.named or note.time_fields:
        values = dict(params)
        for key, names in note.named:
            code = values.get(key)
            if code is not None:
                values[key] = names.get(code, code)
        for key in note.time_fields:
            at = values.get(key)
            if at is not None:
                values[key] = _jst_minutes(at)
        params = values
    return note.template.format_map(params)


@functools.lru_cache(maxsize=4096)
def _jst_minutes(at: dt.datetime) -> str:
    # Cached: the same instants (16:00 JST of policy dates) come back in many documents.
    return at.astimezone(JST).strftime("%Y-%m-%d %H:%M JST")


def _line_reason(terms: terms_mod.CoverageTerms, line: LineResult, lang: str) -> str | None:
    return None if line.exclusion is None else terms.exclusions[line.exclusion].text.get(lang)


def _support_reason(result: ClaimResult, lang: str) -> str | None:
    code = result.support.reason
    if code is None:
        return None
    text = service.reason_text(result.support_terms, code, lang)
    if text is not None and code == service.TERRITORY:
        return text
    cover = result.terms.exclusions.get(code)
    general = service.reason_text(result.support_terms, service.NOT_PAYABLE, lang) or ""
    return general if cover is None else f"{general}（{cover.text.get(lang)}）"


def _ground_texts(result: ClaimResult, lang: str) -> dict[str, str]:
    terms = deadlines.load_regulatory_terms(result.terms.path)
    return {g: (ja if lang == "ja" else en) for g, (ja, en) in terms.grounds.items()}


def _ground_list(result: ClaimResult, lang: str) -> list[str]:
    grounds = result.regulatory.grounds
    if not grounds:
        return []
    texts = deadlines.load_regulatory_terms(result.terms.path).grounds
    i = 0 if lang == "ja" else 1
    return [texts[g][i] for g in grounds]


# ------------------------------------------------------------------------------------------ JSON


def to_json_dict(result: ClaimResult, lang: str = "ja") -> dict[str, Any]:
    """The answer of ``mamori claim calculate --json`` (interfaces.md §1.3), plus explanatory keys."""
    t = result.terms
    reg = result.regulatory
    sup = result.support
    bi = result.bi
    notes = t.notes(lang)
    return {
        "payable_total": result.payable_total,
        "sections": {
            "expense": _section_json(result.expense),
            "liability": _section_json(result.liability),
            "bi": {
                "payable": bi.payable,
                "covered": bi.covered,
                "limit": bi.limit,
                "prior": bi.prior,
                "exclusion": bi.exclusion,
                "waiting_period_passed": bi.waiting_period_passed,
                "profit_rate": None if bi.profit_rate is None else str(bi.profit_rate),
                "lost_profit": bi.lost_profit,
                "prevention": bi.prevention,
                "continuation": bi.continuation,
            },
        },
        "deductible": result.deductible,
        "deductible_applied": result.deductible_applied,
        "lines": [
            {
                "id": line.id,
                "item": line.item,
                "section": line.section,
                "claimed": line.claimed,
                "covered": line.covered,
                "exclusion": line.exclusion,
                "removed_by": list(line.removed_by),
                "reason": _line_reason(t, line, lang),
            }
            for line in result.lines
        ],
        "exclusions": list(result.exclusions),
        "emergency_support": {
            "available": sup.available,
            "reason": sup.reason,
            "reasons": list(sup.reasons),
            "message": _support_reason(result, lang),
            "phases": list(sup.phases),
            "vendors": list(sup.vendors),
        },
        "regulatory": {
            "ppc_report_required": reg.ppc_report_required,
            "grounds": list(reg.grounds),
            "ground_texts": _ground_list(result, lang),
            "preliminary_due": None if reg.preliminary_due is None else reg.preliminary_due.isoformat(),
            "final_due": None if reg.final_due is None else reg.final_due.isoformat(),
            "gdpr_due": None if reg.gdpr_due is None else reg.gdpr_due.isoformat(),
            "notify_card_brands": reg.notify_card_brands,
            "personal_data_involved": reg.personal_data_involved,
        },
        "worksheet": [_step_json(s, notes[s.step]) for s in result.worksheet],
        "policy_period": {
            "start_at": result.policy_start_at.isoformat(),
            "end_at": result.policy_end_at.isoformat(),
            "cover_end_at": result.cover_end_at.isoformat(),
        },
        "product": t.product_id,
        "product_version": t.version,
        "product_hash": t.content_hash,
        "lang": lang,
    }


def _step_json(s: Step, note: terms_mod.Note) -> dict[str, Any]:
    # step, clause, amount and note always (interfaces.md); section, line, before and after only when
    # they apply, which keeps a batch's output about a third smaller.
    entry: dict[str, Any] = {"step": s.step, "clause": s.clause, "amount": s.amount, "note": _fill(note, s.params)}
    if s.section is not None:
        entry["section"] = s.section
    if s.line is not None:
        entry["line"] = s.line
    if s.after is not None:
        entry["before"] = s.before
        entry["after"] = s.after
    return entry


def _section_json(s: SectionResult) -> dict[str, Any]:
    return {
        "covered": s.covered,
        "payable": s.payable,
        "deductible": s.deductible,
        "limit": s.limit,
        "prior": s.prior,
        "exclusion": s.exclusion,
    }


# ------------------------------------------------------------------------------------------ text

_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    "title": ("算定明細（保険金の計算）", "Claim worksheet"),
    "product": ("商品", "Product"),
    "total": ("お支払いする保険金", "Total payable"),
    "expense": ("費用損害", "Expenses"),
    "liability": ("賠償責任", "Liability"),
    "bi": ("利益・営業継続費用", "Business interruption"),
    "deductible": ("自己負担額（差し引いた額）", "Deductible applied"),
    "lines": ("費用の明細", "Cost lines"),
    "steps": ("計算の手順", "Steps"),
    "claimed": ("請求額", "claimed"),
    "covered": ("対象額", "covered"),
    "exclusions": ("適用した免責事由", "Exclusions applied"),
    "support": ("緊急時サポート総合サービス", "Emergency support service"),
    "available": ("ご利用いただけます", "available"),
    "unavailable": ("ご利用いただけません", "not available"),
    "phases": ("対応の段階とチェックリスト", "Response phases and checklists"),
    "vendors": ("紹介する専門業者", "Vendor referrals"),
    "regulatory": ("法令上の報告期限", "Regulatory deadlines"),
    "ppc_yes": ("個人情報保護委員会への報告が必要です", "A report to the PPC is required"),
    "ppc_no": ("個人情報保護委員会への報告は不要です", "No report to the PPC is required"),
    "grounds": ("報告事由", "Grounds"),
    "preliminary": ("速報の期限", "Preliminary report due"),
    "final": ("確報の期限", "Final report due"),
    "gdpr": ("GDPR 監督機関への通知期限", "GDPR notice to the supervisory authority due"),
    "cards": (
        "カード会社（アクワイアラ・国際ブランド）へ速やかに連絡してください",
        "Notify the acquirer and card brands without delay",
    ),
    "none": ("なし", "none"),
    "yen": ("円", " yen"),
}


def _label(key: str, lang: str) -> str:
    ja, en = _LABELS[key]
    return ja if lang == "ja" else en


def _yen(amount: int, lang: str) -> str:
    return f"{amount:,}{_label('yen', lang)}"


def render_text(result: ClaimResult, lang: str = "ja") -> str:
    """A readable worksheet for a claims handler or the insured (not JSON)."""
    t = result.terms
    out: list[str] = []
    out.append(f"■ {_label('title', lang)}")
    out.append(f"{_label('product', lang)}: {t.product_id} {t.version} ({t.content_hash[:12]})")
    out.append(f"{_label('total', lang)}: {_yen(result.payable_total, lang)}")
    for key, sec in (("expense", result.expense), ("liability", result.liability)):
        out.append(
            f"  {_label(key, lang)}: {_label('covered', lang)} {_yen(sec.covered, lang)} → {_yen(sec.payable, lang)}"
        )
    out.append(f"  {_label('bi', lang)}: {_yen(result.bi.payable, lang)}")
    out.append(f"  {_label('deductible', lang)}: {_yen(result.deductible_applied, lang)}")
    out.append("")
    out.append(f"■ {_label('lines', lang)}")
    for line in result.lines:
        reason = _line_reason(t, line, lang)
        out.append(
            f"  {line.id} {t.name(line.item, lang)} ({line.item}): {_label('claimed', lang)} "
            f"{_yen(line.claimed, lang)} / {_label('covered', lang)} {_yen(line.covered, lang)}"
            + (f" [{line.exclusion}] {reason}" if reason else "")
        )
    out.append("")
    out.append(f"■ {_label('steps', lang)}")
    for n, s in enumerate(result.worksheet, start=1):
        out.append(f"  {n:>2}. [{s.clause}] {step_note(t, s, lang)}")
    out.append("")
    codes = ", ".join(result.exclusions) if result.exclusions else _label("none", lang)
    out.append(f"■ {_label('exclusions', lang)}: {codes}")
    for code in result.exclusions:
        ex = t.exclusions[code]
        out.append(f"  {code} [{ex.clause}] {ex.text.get(lang)}")
    out.append("")
    sup = result.support
    st = result.support_terms
    state = _label("available", lang) if sup.available else _label("unavailable", lang)
    out.append(f"■ {_label('support', lang)}: {state}")
    if not sup.available:
        out.append(f"  [{sup.reason}] {_support_reason(result, lang)}")
    phases = {p.id: p for p in st.phases}
    for pid in sup.phases:
        p = phases[pid]
        out.append(f"  ◆ {p.ja if lang == 'ja' else p.en}")
        out.extend(f"    □ {ja if lang == 'ja' else en}" for ja, en in p.checklist)
    if sup.vendors:
        names = [st.vendors[v].ja if lang == "ja" else st.vendors[v].en for v in sup.vendors]
        out.append(f"  {_label('vendors', lang)}: {', '.join(names)}")
    out.append("")
    reg = result.regulatory
    out.append(f"■ {_label('regulatory', lang)}")
    out.append(f"  {_label('ppc_yes' if reg.ppc_report_required else 'ppc_no', lang)}")
    if reg.grounds:
        texts = _ground_texts(result, lang)
        out.append(f"  {_label('grounds', lang)}:")
        out.extend(f"    ({g}) {texts[g]}" for g in reg.grounds)
    if reg.preliminary_due is not None:
        out.append(f"  {_label('preliminary', lang)}: {reg.preliminary_due.isoformat()}")
    if reg.final_due is not None:
        out.append(f"  {_label('final', lang)}: {reg.final_due.isoformat()}")
    if reg.gdpr_due is not None:
        out.append(f"  {_label('gdpr', lang)}: {reg.gdpr_due.isoformat()}")
    if reg.notify_card_brands:
        out.append(f"  {_label('cards', lang)}")
    return "\n".join(out) + "\n"
