"""The answer of a claim calculation as shown: the JSON of interfaces.md §1.3 and a readable worksheet.

Texts are filled here, from the product version's wording (worksheet notes, exclusion and support
reasons, APPI grounds) and the message catalogue (the worksheet's headings), in Japanese or English.
Date-times are shown in the product's time zone.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from mamori import i18n
from mamori.catalog import ProductVersion, coverage
from mamori.claims.result import ClaimResult, LineResult, SectionResult, Step
from mamori.support import service

__all__ = ["exclusion_texts", "render_text", "step_note", "to_json_dict"]


# ------------------------------------------------------------------------------------------ texts


def step_note(result: ClaimResult, step: Step, lang: i18n.Lang) -> str:
    """The ja/en text of a worksheet step, with codes replaced by their names in ``lang``."""
    return _fillers(result.version, lang)[step.step](step.params)


#: A worksheet text ready to fill: the values of a step (``Step.params``) → the text.
Filler = Callable[[Mapping[str, Any]], str]


@functools.lru_cache(maxsize=32)
def _fillers(version: ProductVersion, lang: str) -> Mapping[str, Filler]:
    """The filler of every step's text of a version in ``lang`` (built once: a batch fills millions)."""
    return MappingProxyType({code: _filler(note, version.tz) for code, note in version.coverage.notes(lang).items()})


def _filler(note: coverage.Note, tz: dt.tzinfo) -> Filler:
    """The text of a step from its values: codes by their names, instants in local time, then the template.

    The template is compiled to one f-string function (several times faster than ``format_map``, and a
    batch fills millions of texts); a template with anything but plain ``{name}`` and ``{name:spec}``
    fields is filled by ``format_map`` the same way.
    """
    compiled = _compiled(note, tz)
    if compiled is not None:
        return compiled
    fill = note.template.format_map
    if not (note.named or note.time_fields):
        return fill
    named = note.named
    time_fields = note.time_fields

    def filler(params: Mapping[str, Any]) -> str:
        values = dict(params)
        for key, names in named:
            code = values.get(key)
            if code is not None:
                values[key] = names.get(code, code)
        for key in time_fields:
            at = values.get(key)
            if at is not None:
                values[key] = _local_minutes(at, tz)
        return fill(values)

    return filler


#: A format spec that can stand in an f-string as it is (no quotes, braces or backslashes).
_PLAIN_SPEC: Final = re.compile(r"[0-9A-Za-z ,._%#=<>^+-]*")


def _compiled(note: coverage.Note, tz: dt.tzinfo) -> Filler | None:
    """``note`` as a function of the step's values built from an f-string, or None when it is not plain.

    Only what the template itself declares reaches the source: literal text as ``repr`` literals, field
    names that are identifiers, format specs of plain characters; the name tables and the time zone are
    passed as values. Same text as ``format_map`` on the same values, the same KeyError for a missing one.
    """
    try:
        parsed = list(string.Formatter().parse(note.template))
    except ValueError:
        return None
    named = dict(note.named)
    body: list[str] = []
    prologue: list[str] = []
    seen: set[str] = set()
    scope: dict[str, Any] = {"_local_minutes": _local_minutes, "_tz": tz, "_with_commas": _with_commas}
    for literal, name, spec, conversion in parsed:
        if literal:
            body.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if not name.isidentifier() or conversion is not None or not _PLAIN_SPEC.fullmatch(spec or ""):
            return None
        var = f"v_{name}"
        if name not in seen:
            seen.add(name)
            prologue.append(f"    {var} = p[{name!r}]")
            if name in named:
                scope[f"n_{name}"] = named[name]
                prologue.append(f"    if {var} is not None: {var} = n_{name}.get({var}, {var})")
            if name in note.time_fields:
                prologue.append(f"    if {var} is not None: {var} = _local_minutes({var}, _tz)")
        if spec == ",":  # amounts: the text of an integer comes back often (limits, deductibles, zero)
            body.append(f"{{_with_commas({var})}}")
        else:
            body.append(f"{{{var}:{spec}}}" if spec else f"{{{var}}}")
    source = "def fill(p):\n" + "".join(f"{line}\n" for line in prologue) + f"    return f{''.join(body)!r}\n"
    exec(compile(source, f"<note {note.template[:40]!r}>", "exec"), scope)  # noqa: S102 - built above from checked parts
    filler: Filler = scope["fill"]
    return filler


_COMMAS: Final[dict[int, str]] = {}
_COMMAS_MAX: Final = 1 << 16


def _with_commas(value: Any) -> str:
    """``format(value, ",")``, the text of an integer kept (up to a bound) for the next time it is shown."""
    if type(value) is not int:
        return format(value, ",")
    text = _COMMAS.get(value)
    if text is None:
        text = format(value, ",")
        if len(_COMMAS) < _COMMAS_MAX:
            _COMMAS[value] = text
    return text


@functools.lru_cache(maxsize=4096)
def _local_minutes(at: dt.datetime, tz: dt.tzinfo) -> str:
    """``2026-04-01 16:00 JST``: the instant in the product's time zone, to the minute, with its name.

    Kept for the instants that come back in many documents (16:00 on the start and end dates).
    """
    d = at.astimezone(tz)
    # Formatted by hand: strftime costs ten times as much, and a batch shows millions of these.
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d} {d.tzname()}"


def _line_reason(result: ClaimResult, line: LineResult, lang: str) -> str | None:
    return None if line.exclusion is None else result.version.coverage.exclusions[line.exclusion].text.get(lang)


@functools.lru_cache(maxsize=32)
def exclusion_texts(version: ProductVersion, lang: str) -> Mapping[str, str | None]:
    """Every exclusion code's text in ``lang`` (what :func:`_line_reason` gives), built once per version."""
    return MappingProxyType({code: ex.text.get(lang) for code, ex in version.coverage.exclusions.items()})


def _isoformat(at: dt.datetime) -> str:
    """``at.isoformat()``, kept for the instants many policies share (16:00 on their start and end dates)."""
    # Keyed by the offset too: equal instants at other offsets are equal date-times, but other texts.
    return _isoformat_at(at, at.utcoffset())


@functools.lru_cache(maxsize=4096)
def _isoformat_at(at: dt.datetime, _offset: dt.timedelta | None) -> str:
    return at.isoformat()


def _support_reason(result: ClaimResult, lang: str) -> str | None:
    return None if result.support.reason is None else support_reason_text(result.version, result.support.reason, lang)


def support_reason_text(version: ProductVersion, code: str, lang: str) -> str:
    """Why the emergency support is not available, for the reason code of a calculation: abroad, or the
    general "only when the insurance can pay" with the exclusion that decided it."""
    terms = version.support
    text = service.reason_text(terms, code, lang)
    if text is not None and code == service.TERRITORY:
        return text
    cover = version.coverage.exclusions.get(code)
    general = service.reason_text(terms, service.NOT_PAYABLE, lang) or ""
    return general if cover is None else f"{general}（{cover.text.get(lang)}）"


def _ground_texts(result: ClaimResult, lang: str) -> list[str]:
    texts = result.version.regulatory.grounds
    i = 0 if lang == "ja" else 1
    return [texts[g][i] for g in result.regulatory.grounds]


def _show_rate(rate: Decimal | None) -> str | None:
    return None if rate is None else str(rate)


# ------------------------------------------------------------------------------------------ JSON


def to_json_dict(result: ClaimResult, lang: i18n.Lang = "ja") -> dict[str, Any]:
    """The answer of ``mamori claim calculate --json`` (interfaces.md §1.3), plus explanatory keys."""
    version = result.version
    reg = result.regulatory
    sup = result.support
    bi = result.bi
    reasons = exclusion_texts(version, lang)
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
                "profit_rate": _show_rate(bi.profit_rate),
                "lost_profit": bi.lost_profit,
                "prevention": bi.prevention,
                "continuation": bi.continuation,
            },
        },
        "deductible": result.deductible,
        "deductible_applied": result.deductible_applied,
        "lines": [
            {
                "id": line_id,
                "item": item,
                "section": section,
                "claimed": claimed,
                "covered": covered,
                "exclusion": exclusion,
                "removed_by": list(removed_by),
                "reason": None if exclusion is None else reasons[exclusion],
            }
            for line_id, item, section, claimed, covered, exclusion, removed_by in result.lines
        ],
        "exclusions": list(result.exclusions),
        "emergency_support": {
            "available": sup.available,
            "reason": sup.reason,
            "reasons": list(sup.reasons),
            "message": _support_reason(result, lang),
            "phases": list(sup.phases),
            "vendors": list(sup.vendors),
            "intake_hours": sup.intake_hours,
        },
        "regulatory": {
            "ppc_report_required": reg.ppc_report_required,
            "grounds": list(reg.grounds),
            "ground_texts": _ground_texts(result, lang),
            "preliminary_due": None if reg.preliminary_due is None else reg.preliminary_due.isoformat(),
            "final_due": None if reg.final_due is None else reg.final_due.isoformat(),
            "gdpr_due": None if reg.gdpr_due is None else reg.gdpr_due.isoformat(),
            "notify_card_brands": reg.notify_card_brands,
            "personal_data_involved": reg.personal_data_involved,
        },
        "worksheet": _worksheet_json(result.worksheet, _fillers(version, lang)),
        "policy_period": {
            "start_at": _isoformat(result.policy_start_at),
            "end_at": _isoformat(result.policy_end_at),
            "cover_end_at": _isoformat(result.cover_end_at),
        },
        "product": version.id,
        "product_version": version.version,
        "product_hash": version.content_hash,
        "lang": lang,
    }


def _worksheet_json(worksheet: tuple[Step, ...], fillers: Mapping[str, Filler]) -> list[dict[str, Any]]:
    # step, clause, amount and note always (interfaces.md); section, line, before and after only when
    # they apply, which keeps a batch's output about a third smaller. Steps are unpacked as the plain
    # tuples they are (the fields in Step's order): a batch shows millions of them.
    out = []
    for step, clause, section, line, before, after, amount, params in worksheet:
        entry: dict[str, Any] = {"step": step, "clause": clause, "amount": amount, "note": fillers[step](params)}
        if section is not None:
            entry["section"] = section
        if line is not None:
            entry["line"] = line
        if after is not None:
            entry["before"] = before
            entry["after"] = after
        out.append(entry)
    return out


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


def _t(key: str, lang: i18n.Lang, **params: Any) -> str:
    return i18n.text(f"claims.{key}", lang, **params)


def _yen(amount: int, lang: i18n.Lang) -> str:
    return _t("yen", lang, amount=f"{amount:,}")


def render_text(result: ClaimResult, lang: i18n.Lang = "ja") -> str:
    """A readable worksheet for a claims handler or the insured (not JSON)."""
    version = result.version
    terms = version.coverage
    out: list[str] = []
    out.append(f"■ {_t('title', lang)}")
    out.append(
        f"{_t('product', lang)}: {version.name(lang)} {version.id} {version.version} ({version.content_hash[:12]})"
    )
    out.append(f"{_t('total', lang)}: {_yen(result.payable_total, lang)}")
    for key, sec in (("expense", result.expense), ("liability", result.liability)):
        out.append(
            f"  {terms.name(key, lang)}: {_t('covered', lang)} {_yen(sec.covered, lang)} → {_yen(sec.payable, lang)}"
        )
    out.append(f"  {terms.name('bi', lang)}: {_yen(result.bi.payable, lang)}")
    out.append(f"  {_t('deductible', lang)}: {_yen(result.deductible_applied, lang)}")
    out.append("")
    out.append(f"■ {_t('lines', lang)}")
    for line in result.lines:
        reason = _line_reason(result, line, lang)
        out.append(
            f"  {line.id} {terms.name(line.item, lang)} ({line.item}): {_t('claimed', lang)} "
            f"{_yen(line.claimed, lang)} / {_t('covered', lang)} {_yen(line.covered, lang)}"
            + (f" [{line.exclusion}] {reason}" if reason else "")
        )
    out.append("")
    out.append(f"■ {_t('steps', lang)}")
    for n, s in enumerate(result.worksheet, start=1):
        out.append(f"  {n:>2}. [{s.clause}] {step_note(result, s, lang)}")
    out.append("")
    codes = ", ".join(result.exclusions) if result.exclusions else _t("none", lang)
    out.append(f"■ {_t('exclusions', lang)}: {codes}")
    for code in result.exclusions:
        ex = terms.exclusions[code]
        out.append(f"  {code} [{ex.clause}] {ex.text.get(lang)}")
    out.append("")
    out.extend(_support_text(result, lang))
    out.append("")
    out.extend(_regulatory_text(result, lang))
    return "\n".join(out) + "\n"


def _support_text(result: ClaimResult, lang: i18n.Lang) -> list[str]:
    sup = result.support
    st = result.version.support
    ja = lang == "ja"
    state = _t("available" if sup.available else "unavailable", lang)
    out = [f"■ {st.name[0] if ja else st.name[1]}: {state}", f"  {_t('intake', lang, hours=sup.intake_hours)}"]
    if not sup.available:
        out.append(f"  [{sup.reason}] {_support_reason(result, lang)}")
    phases = {p.id: p for p in st.phases}
    for pid in sup.phases:
        p = phases[pid]
        out.append(f"  ◆ {p.ja if ja else p.en}")
        out.extend(f"    □ {item_ja if ja else item_en}" for item_ja, item_en in p.checklist)
    if sup.vendors:
        names = [st.vendors[v].ja if ja else st.vendors[v].en for v in sup.vendors]
        out.append(f"  {_t('vendors', lang)}: {', '.join(names)}")
    return out


def _regulatory_text(result: ClaimResult, lang: i18n.Lang) -> list[str]:
    reg = result.regulatory
    out = [f"■ {_t('regulatory', lang)}", f"  {_t('ppc_yes' if reg.ppc_report_required else 'ppc_no', lang)}"]
    if reg.grounds:
        out.append(f"  {_t('grounds', lang)}:")
        out.extend(f"    ({g}) {text}" for g, text in zip(reg.grounds, _ground_texts(result, lang), strict=True))
    for key, due in (("preliminary", reg.preliminary_due), ("final", reg.final_due), ("gdpr", reg.gdpr_due)):
        if due is not None:
            out.append(f"  {_t(key, lang)}: {due.isoformat()}")
    if reg.notify_card_brands:
        out.append(f"  {_t('cards', lang)}")
    return out
