"""Coverage terms as data: load and validate ``coverage.toml`` of a product version.

The claim calculation reads every term (items, triggers, sublimits, caps, exclusions, worksheet texts)
from here and never from code, so an insurer changes its filed values without touching Python. A broken
file raises :class:`mamori.product.ProductDataError` naming the file, the key and the problem.
"""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from mamori import product as product_mod

__all__ = [
    "ACCIDENT_TYPES",
    "EXCLUSION_CODES",
    "STEP_CODES",
    "BITerms",
    "CoverageTerms",
    "Exclusion",
    "Item",
    "NeverCovered",
    "Note",
    "Rider",
    "Section",
    "StepText",
    "Text",
    "load_terms",
    "terms_for",
]

FILE_NAME: Final = "coverage.toml"
SOURCES: Final = frozenset({"published", "illustrative"})
ACCIDENT_TYPES: Final = ("A1", "A2", "A3", "A4", "T0")
#: Codes the calculation emits; the file must word each of them.
EXCLUSION_CODES: Final = (
    "X_RANSOM",
    "X_CULPRIT",
    "X_INTENT",
    "X_FINES",
    "X_INTERNAL_STAFF",
    "X_BETTERMENT",
    "X_WAR",
    "X_PRIOR",
    "X_CONTRACTUAL",
    "X_OUTSIDE_PERIOD",
    "X_TERRITORY",
    "X_NOT_PURCHASED",
    "X_NO_TRIGGER",
)
#: Worksheet steps the calculation writes; the file must word each of them in ja and en.
STEP_CODES: Final = (
    "policy_period",
    "policy_ended",
    "trigger_in",
    "trigger_out",
    "retroactive_out",
    "whole_claim",
    "line_covered",
    "line_excluded",
    "line_part_excluded",
    "condolence_cap",
    "sublimit",
    "section_covered",
    "deductible",
    "annual_limit",
    "section_excluded",
    "bi_waiting_short",
    "bi_waiting_passed",
    "bi_indemnity",
    "bi_profit_rate",
    "bi_lost_profit",
    "bi_prevention",
    "bi_continuation",
    "bi_covered",
    "total",
)
SECTION_CODES: Final = ("expense", "liability", "bi")
TRIGGER_NAMES: Final = ("discovery", "claim", "claim_by_discovery", "outage")
WHOLE_CLAIM_FACTS: Final = ("culprit_director", "state_backed", "known_before_first_policy")
POLICY_LIMIT_FIELDS: Final = ("expense_limit", "liability_limit", "bi_limit")
POLICY_FLAGS: Final = ("pd_rider",)


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Japanese and English."""

    ja: str
    en: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    name: Text
    clause: str
    limit_field: str
    trigger: str
    retroactive: bool
    optional: bool


@dataclass(frozen=True, slots=True)
class Item:
    """A coverage item. Triggered when the incident has a type of ``any_types``, or a type of
    ``confirmed_types`` with the attack confirmed (normalised at load time from the alternatives)."""

    code: str
    section: str
    name: Text
    clause: str
    any_types: frozenset[str]
    confirmed_types: frozenset[str]
    sublimit_amount: int | None
    sublimit_share: Decimal | None  # of the policy's expense limit
    per_person_cap: int | None
    per_business_cap: int | None
    rider: str | None
    source: str


@dataclass(frozen=True, slots=True)
class Rider:
    code: str
    name: Text
    clause: str
    policy_flag: str
    territory: frozenset[str]


@dataclass(frozen=True, slots=True)
class NeverCovered:
    code: str
    exclusion: str
    name: Text


@dataclass(frozen=True, slots=True)
class Exclusion:
    code: str
    scope: str
    clause: str
    text: Text
    source: str


#: Template fields whose value is a code shown by its name (→ prefix of the key in ``names``).
NAMED_FIELDS: Final = {"item": "", "exclusion": "", "section": "", "trigger": "", "status": "status."}
#: Template fields whose value is an aware date-time shown in JST.
TIME_FIELDS: Final = frozenset({"at", "start_at", "end_at", "ended_at", "retro_at"})


@dataclass(frozen=True, slots=True)
class StepText:
    """A worksheet text; the fields needing a name or a JST time are found at load time."""

    code: str
    clause: str
    text: Text
    named_fields: tuple[tuple[str, str], ...] = ()  # (field, prefix of the code in ``names``)
    time_fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Note:
    """A worksheet text in one language, ready to fill (built once per product version).

    ``named`` maps each field holding a code to the code → display-name table of that field (its
    ``names`` prefix already applied); ``time_fields`` hold aware date-times shown in JST.
    """

    template: str
    named: tuple[tuple[str, Mapping[str, str]], ...]
    time_fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BITerms:
    clause: str
    any_types: frozenset[str]
    confirmed_types: frozenset[str]
    waiting_hours: int
    indemnity_months: int


@dataclass(frozen=True, slots=True)
class CoverageTerms:
    product_id: str
    version: str
    content_hash: str
    path: Path
    accident_types: Mapping[str, Text]
    sections: Mapping[str, Section]
    triggers: Mapping[str, Text]
    items: Mapping[str, Item]
    riders: Mapping[str, Rider]
    never_covered: Mapping[str, NeverCovered]
    exclusions: Mapping[str, Exclusion]
    deductible_sections: tuple[str, ...]
    deductible_clause: str
    bi: BITerms
    whole_claim: tuple[tuple[str, str], ...]  # (incident fact, exclusion code), in checking order
    steps: Mapping[str, StepText]
    words: Mapping[str, Text]
    sources: Mapping[str, str]  # "coverage.toml:key" → published|illustrative
    names_ja: Mapping[str, str]  # every code (items, kinds, sections, exclusions, triggers, words) → name
    names_en: Mapping[str, str]
    never_exclusion: Mapping[str, str]  # never-covered kind → exclusion code
    notes_ja: Mapping[str, Note]  # step code → its worksheet text, ready to fill
    notes_en: Mapping[str, Note]
    # Looked up for every document, so computed once here:
    cost_kind_set: frozenset[str]  # every ``item`` a cost line may name
    liability_items: tuple[str, ...]  # coverage items of the liability section, in file order
    sublimit_items: tuple[str, ...]  # coverage items with a sublimit, in file order

    @property
    def cost_kinds(self) -> tuple[str, ...]:
        """Every ``item`` a cost line may name: coverage items, then never-covered kinds."""
        return (*self.items, *self.never_covered)

    def name(self, code: str, lang: str) -> str:
        """The display name of an item, never-covered kind, section, exclusion, trigger or word code."""
        return (self.names_ja if lang == "ja" else self.names_en).get(code, code)

    def notes(self, lang: str) -> Mapping[str, Note]:
        """The worksheet texts of every step in ``lang`` (``ja``, else English)."""
        return self.notes_ja if lang == "ja" else self.notes_en


# ------------------------------------------------------------------------------------------ loading


class _Reader:
    """Typed access to coverage.toml that names the file and key in every error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sources: dict[str, str] = {}
        try:
            with path.open("rb") as fh:
                self.data: dict[str, Any] = tomllib.load(fh)
        except FileNotFoundError:
            raise product_mod.ProductDataError(path, "(file)", "missing") from None
        except tomllib.TOMLDecodeError as exc:
            raise product_mod.ProductDataError(path, "(syntax)", str(exc)) from None

    def fail(self, key: str, problem: str) -> product_mod.ProductDataError:
        return product_mod.ProductDataError(self.path, key, problem)

    def table(self, key: str) -> Mapping[str, Any]:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise self.fail(key, "missing")
            node = node[part]
        if not isinstance(node, Mapping):
            raise self.fail(key, "must be a table")
        return node

    def source(self, key: str, node: Mapping[str, Any]) -> str:
        src = node.get("source")
        if src not in SOURCES:
            raise self.fail(f"{key}.source", f"must be one of {sorted(SOURCES)}, got {src!r}")
        self.sources[f"{FILE_NAME}:{key}"] = src
        return str(src)

    def text(self, key: str, node: Mapping[str, Any], field: str) -> str:
        v = node.get(field)
        if not isinstance(v, str) or not v.strip():
            raise self.fail(f"{key}.{field}", f"must be a non-empty string, got {v!r}")
        return v

    def jaen(self, key: str, node: Mapping[str, Any]) -> Text:
        return Text(self.text(key, node, "ja"), self.text(key, node, "en"))

    def tagged_int(self, key: str, node: Mapping[str, Any], field: str, *, minimum: int = 0) -> int:
        """``{ value = N, source = ... }`` (or a plain integer taking the table's source)."""
        raw = node.get(field)
        where = f"{key}.{field}"
        if isinstance(raw, Mapping):
            self.source(where, raw)
            raw = raw.get("value")
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < minimum:
            raise self.fail(where, f"must be an integer of at least {minimum}, got {raw!r}")
        return raw

    def triggers(self, key: str, node: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
        raw = node.get("triggers")
        if not isinstance(raw, list) or not raw:
            raise self.fail(f"{key}.triggers", "must be a non-empty list of { type = ..., attack_confirmed = ... }")
        any_types: set[str] = set()
        confirmed: set[str] = set()
        for i, alt in enumerate(raw):
            where = f"{key}.triggers[{i}]"
            if not isinstance(alt, Mapping):
                raise self.fail(where, "must be a table")
            kind = alt.get("type")
            if kind not in ACCIDENT_TYPES:
                raise self.fail(f"{where}.type", f"must be one of {list(ACCIDENT_TYPES)}, got {kind!r}")
            needs = alt.get("attack_confirmed", False)
            if not isinstance(needs, bool):
                raise self.fail(f"{where}.attack_confirmed", f"must be true or false, got {needs!r}")
            (confirmed if needs else any_types).add(kind)
        return frozenset(any_types), frozenset(confirmed - any_types)


def _template_fields(r: _Reader, key: str, template: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise r.fail(key, f"is not a valid text template: {exc}") from None
    return {name for _, name, _, _ in parsed if name}


def _items(r: _Reader, sections: Mapping[str, Section], riders: Mapping[str, Rider]) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for code, node in r.table("items").items():
        key = f"items.{code}"
        if not isinstance(node, Mapping):
            raise r.fail(key, "must be a table")
        src = r.source(key, node)
        section = node.get("section")
        if section not in sections or section == "bi":
            raise r.fail(f"{key}.section", f"must be 'expense' or 'liability', got {section!r}")
        any_types, confirmed = r.triggers(key, node)
        sub_amount: int | None = None
        sub_share: Decimal | None = None
        sub = node.get("sublimit")
        if sub is not None:
            if not isinstance(sub, Mapping):
                raise r.fail(f"{key}.sublimit", "must be { amount = ... } or { share_of_expense_limit = ... }")
            r.source(f"{key}.sublimit", sub)
            if ("amount" in sub) == ("share_of_expense_limit" in sub):
                raise r.fail(f"{key}.sublimit", "give exactly one of amount or share_of_expense_limit")
            if "amount" in sub:
                sub_amount = r.tagged_int(key, {"sublimit": sub["amount"]}, "sublimit")
            else:
                raw = sub["share_of_expense_limit"]
                try:
                    # Written as a string so that no binary float touches the rate.
                    sub_share = Decimal(raw) if isinstance(raw, str) else None
                except InvalidOperation:
                    sub_share = None
                if sub_share is None or not sub_share.is_finite() or not 0 <= sub_share <= 1:
                    raise r.fail(f"{key}.sublimit.share_of_expense_limit", f"must be a string share 0..1, got {raw!r}")
        per_person = r.tagged_int(key, node, "per_person_cap") if "per_person_cap" in node else None
        per_business = r.tagged_int(key, node, "per_business_cap") if "per_business_cap" in node else None
        if (per_person is None) != (per_business is None):
            raise r.fail(key, "give both per_person_cap and per_business_cap, or neither")
        rider = node.get("rider")
        if rider is not None and rider not in riders:
            raise r.fail(f"{key}.rider", f"no [riders.{rider}]")
        items[code] = Item(
            code=code,
            section=str(section),
            name=r.jaen(key, node),
            clause=r.text(key, node, "clause"),
            any_types=any_types,
            confirmed_types=confirmed,
            sublimit_amount=sub_amount,
            sublimit_share=sub_share,
            per_person_cap=per_person,
            per_business_cap=per_business,
            rider=None if rider is None else str(rider),
            source=src,
        )
    if not items:
        raise r.fail("items", "no coverage items")
    return items


@functools.cache
def load_terms(folder: Path, content_hash: str = "") -> CoverageTerms:
    """Load and validate ``coverage.toml`` of one product version folder (cached per folder and hash)."""
    r = _Reader(folder / FILE_NAME)

    accident_types: dict[str, Text] = {}
    for code in ACCIDENT_TYPES:
        node = r.table(f"accident_types.{code}")
        r.source(f"accident_types.{code}", node)
        accident_types[code] = r.jaen(f"accident_types.{code}", node)

    sections: dict[str, Section] = {}
    for code in SECTION_CODES:
        key = f"sections.{code}"
        node = r.table(key)
        r.source(key, node)
        limit = node.get("limit")
        if limit not in POLICY_LIMIT_FIELDS:
            raise r.fail(f"{key}.limit", f"must be one of {list(POLICY_LIMIT_FIELDS)}, got {limit!r}")
        trigger = node.get("trigger")
        if trigger not in TRIGGER_NAMES:
            raise r.fail(f"{key}.trigger", f"must be one of {list(TRIGGER_NAMES)}, got {trigger!r}")
        sections[code] = Section(
            code=code,
            name=r.jaen(key, node),
            clause=r.text(key, node, "clause"),
            limit_field=str(limit),
            trigger=str(trigger),
            retroactive=node.get("retroactive", False) is True,
            optional=node.get("optional", False) is True,
        )

    triggers = {code: r.jaen(f"triggers.{code}", r.table(f"triggers.{code}")) for code in TRIGGER_NAMES}

    riders: dict[str, Rider] = {}
    for code, node in r.table("riders").items():
        key = f"riders.{code}"
        if not isinstance(node, Mapping):
            raise r.fail(key, "must be a table")
        r.source(key, node)
        flag = node.get("policy_flag")
        if flag not in POLICY_FLAGS:
            raise r.fail(f"{key}.policy_flag", f"must be one of {list(POLICY_FLAGS)}, got {flag!r}")
        territory = node.get("territory")
        if not isinstance(territory, list) or not territory or not all(isinstance(c, str) for c in territory):
            raise r.fail(f"{key}.territory", "must be a non-empty list of country codes")
        riders[code] = Rider(code, r.jaen(key, node), r.text(key, node, "clause"), str(flag), frozenset(territory))

    items = _items(r, sections, riders)

    exclusions: dict[str, Exclusion] = {}
    for code, node in r.table("exclusions").items():
        key = f"exclusions.{code}"
        if not isinstance(node, Mapping):
            raise r.fail(key, "must be a table")
        src = r.source(key, node)
        scope = node.get("scope")
        if scope not in ("claim", "line", "part", "section"):
            raise r.fail(f"{key}.scope", f"must be claim, line, part or section, got {scope!r}")
        exclusions[code] = Exclusion(code, str(scope), r.text(key, node, "clause"), r.jaen(key, node), src)
    for code in EXCLUSION_CODES:
        if code not in exclusions:
            raise r.fail(f"exclusions.{code}", "missing")

    never: dict[str, NeverCovered] = {}
    for code, node in r.table("never_covered").items():
        key = f"never_covered.{code}"
        if not isinstance(node, Mapping):
            raise r.fail(key, "must be a table")
        r.source(key, node)
        exc = node.get("exclusion")
        if exc not in exclusions:
            raise r.fail(f"{key}.exclusion", f"no [exclusions.{exc}]")
        if code in items:
            raise r.fail(key, "is also a coverage item")
        never[code] = NeverCovered(code, str(exc), r.jaen(key, node))

    ded = r.table("deductible")
    r.source("deductible", ded)
    ded_sections = ded.get("sections")
    if (
        not isinstance(ded_sections, list)
        or not ded_sections
        or any(s not in ("expense", "liability") for s in ded_sections)
        or len(set(ded_sections)) != len(ded_sections)
    ):
        raise r.fail("deductible.sections", "must list 'expense' and/or 'liability' once each (never 'bi')")
    if ded.get("per") != "accident":
        raise r.fail("deductible.per", "only 'accident' is supported")

    bi_node = r.table("bi")
    r.source("bi", bi_node)
    bi_any, bi_confirmed = r.triggers("bi", bi_node)
    bi = BITerms(
        clause=r.text("bi", bi_node, "clause"),
        any_types=bi_any,
        confirmed_types=bi_confirmed,
        waiting_hours=r.tagged_int("bi", bi_node, "waiting_hours"),
        indemnity_months=r.tagged_int("bi", bi_node, "indemnity_months", minimum=1),
    )

    whole_node = r.table("whole_claim")
    r.source("whole_claim", whole_node)
    whole: list[tuple[str, str]] = []
    for fact in WHOLE_CLAIM_FACTS:
        whole_code = whole_node.get(fact)
        if whole_code not in exclusions or exclusions[whole_code].scope != "claim":
            raise r.fail(f"whole_claim.{fact}", f"must name an exclusion with scope 'claim', got {whole_code!r}")
        whole.append((fact, str(whole_code)))

    steps: dict[str, StepText] = {}
    for code in STEP_CODES:
        key = f"steps.{code}"
        node = r.table(key)
        text = r.jaen(key, node)
        fields = _template_fields(r, f"{key}.ja", text.ja) | _template_fields(r, f"{key}.en", text.en)
        named = tuple((f, NAMED_FIELDS[f]) for f in sorted(fields) if f in NAMED_FIELDS)
        times = tuple(sorted(fields & TIME_FIELDS))
        steps[code] = StepText(code, r.text(key, node, "clause"), text, named, times)

    words: dict[str, Text] = {}
    for group, table in r.table("words").items():
        if not isinstance(table, Mapping):
            raise r.fail(f"words.{group}", "must be a table")
        for word, node in table.items():
            if not isinstance(node, Mapping):
                raise r.fail(f"words.{group}.{word}", "must be { ja = ..., en = ... }")
            words[f"{group}.{word}"] = r.jaen(f"words.{group}.{word}", node)

    names: dict[str, Text] = dict(triggers)
    names.update({code: e.text for code, e in exclusions.items()})
    names.update({code: sec.name for code, sec in sections.items()})
    names.update({code: nc.name for code, nc in never.items()})
    names.update({code: item.name for code, item in items.items()})
    names.update(words)
    names_ja = {code: t.ja for code, t in names.items()}
    names_en = {code: t.en for code, t in names.items()}
    return CoverageTerms(
        product_id="",
        version=folder.name,
        content_hash=content_hash,
        path=folder,
        accident_types=MappingProxyType(accident_types),
        sections=MappingProxyType(sections),
        triggers=MappingProxyType(triggers),
        items=MappingProxyType(items),
        riders=MappingProxyType(riders),
        never_covered=MappingProxyType(never),
        exclusions=MappingProxyType(exclusions),
        deductible_sections=tuple(str(s) for s in ded_sections),
        deductible_clause=r.text("deductible", ded, "clause"),
        bi=bi,
        whole_claim=tuple(whole),
        steps=MappingProxyType(steps),
        words=MappingProxyType(words),
        sources=MappingProxyType(dict(r.sources)),
        names_ja=MappingProxyType(names_ja),
        names_en=MappingProxyType(names_en),
        never_exclusion=MappingProxyType({code: nc.exclusion for code, nc in never.items()}),
        notes_ja=MappingProxyType({code: _note(st, st.text.ja, names_ja) for code, st in steps.items()}),
        notes_en=MappingProxyType({code: _note(st, st.text.en, names_en) for code, st in steps.items()}),
        cost_kind_set=frozenset((*items, *never)),
        liability_items=tuple(code for code, item in items.items() if item.section == "liability"),
        sublimit_items=tuple(
            code for code, item in items.items() if item.sublimit_amount is not None or item.sublimit_share
        ),
    )


def _note(step: StepText, template: str, names: Mapping[str, str]) -> Note:
    """Precompute a step's text: for each named field, its code → name table with the prefix stripped."""
    named = tuple(
        (field, {code.removeprefix(prefix): name for code, name in names.items() if code.startswith(prefix)})
        for field, prefix in step.named_fields
    )
    return Note(template, named, step.time_fields)


def terms_for(product: product_mod.Product) -> CoverageTerms:
    """The coverage terms of a product version, with its identity and content hash (cached)."""
    return _terms(product.path, product.content_hash, product.id, product.version)


@functools.cache
def _terms(folder: Path, content_hash: str, product_id: str, version: str) -> CoverageTerms:
    # Product itself is unhashable (it holds mappings), so the cache is keyed on its identity.
    return replace(load_terms(folder, content_hash), product_id=product_id, version=version)
