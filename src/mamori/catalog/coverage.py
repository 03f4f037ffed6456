"""Coverage terms as data (``coverage.toml``): sections, items, riders, exclusions, worksheet texts.

The claim calculation reads every term from here and never from code, so an insurer changes its
filed values without touching Python. A broken file raises :class:`ProductDataError` naming the file,
the key and the problem; a key the calculation would not read is refused too.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from mamori.catalog.reader import Document, Table

__all__ = [
    "ACCIDENT_TYPES",
    "EXCLUSION_CODES",
    "SECTION_TRIGGERS",
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
    "load_coverage",
]

FILE_NAME: Final = "coverage.toml"
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
#: The instant that must fall in the policy period for a section (product.md §3.1).
SECTION_TRIGGERS: Final = ("discovery", "claim", "outage")
#: Names of trigger instants in worksheet texts (``claim_by_discovery``: no claim date was given).
TRIGGER_WORDS: Final = ("discovery", "claim", "claim_by_discovery", "outage")
WHOLE_CLAIM_FACTS: Final = ("culprit_director", "state_backed", "known_before_first_policy")
POLICY_LIMIT_FIELDS: Final = ("expense_limit", "liability_limit", "bi_limit")
POLICY_FLAGS: Final = ("pd_rider",)
EXCLUSION_SCOPES: Final = ("claim", "line", "part", "section")


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Japanese and English."""

    ja: str
    en: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True, slots=True)
class Section:
    """A section of cover: the policy field of its annual limit, the instant that triggers it, whether the
    retroactive date applies (claims-made liability) and whether it exists only when purchased."""

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
#: Template fields whose value is an aware date-time shown in the product's time zone.
TIME_FIELDS: Final = frozenset({"at", "start_at", "end_at", "ended_at", "retro_at"})


@dataclass(frozen=True, slots=True)
class StepText:
    """A worksheet text; the fields needing a name or a local time are found at load time."""

    code: str
    clause: str
    text: Text
    named_fields: tuple[tuple[str, str], ...] = ()  # (field, prefix of the code in ``names``)
    time_fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Note:
    """A worksheet text in one language, ready to fill (built once per product version).

    ``named`` maps each field holding a code to the code → display-name table of that field (its
    ``names`` prefix already applied); ``time_fields`` hold aware date-times shown in local time.
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

    def section_limit(self, section: str, limits: Mapping[str, int]) -> int:
        """The annual limit of ``section`` from the policy's limits, through the section's ``limit`` key."""
        return limits[self.sections[section].limit_field]


# ------------------------------------------------------------------------------------------ loading


def _text(t: Table) -> Text:
    return Text(*t.jaen())


def _triggers(node: Table) -> tuple[frozenset[str], frozenset[str]]:
    any_types: set[str] = set()
    confirmed: set[str] = set()
    for alt in node.tables("triggers"):
        kind = alt.req("type")
        if kind not in ACCIDENT_TYPES:
            raise alt.fail("type", "P_CHOICE", allowed=list(ACCIDENT_TYPES), value=kind)
        needs = alt.boolean("attack_confirmed", default=False)
        (confirmed if needs else any_types).add(kind)
    return frozenset(any_types), frozenset(confirmed - any_types)


def _template_fields(t: Table, key: str, template: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise t.fail(key, "P_TEMPLATE", detail=str(exc)) from None
    return {name for _, name, _, _ in parsed if name}


def _tagged_int(t: Table, name: str, src: str, *, minimum: int = 0) -> int:
    return t.integer(name, t.tagged(name, default_source=src), minimum=minimum)


def _items(items_node: Table, sections: Mapping[str, Section], riders: Mapping[str, Rider]) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for code in items_node:
        node = items_node.table(code)
        src = node.source()
        section = node.req("section")
        if section not in sections or section == "bi":
            raise node.fail("section", "P_CHOICE", allowed=["expense", "liability"], value=section)
        any_types, confirmed = _triggers(node)
        sub_amount: int | None = None
        sub_share: Decimal | None = None
        sub = node.opt("sublimit")
        if sub is not None:
            if not isinstance(sub, Table):
                raise node.fail("sublimit", "P_SUBLIMIT_TABLE")
            sub.source()
            if ("amount" in sub) == ("share_of_expense_limit" in sub):
                raise node.fail("sublimit", "P_SUBLIMIT_ONE")
            if "amount" in sub:
                sub_amount = sub.integer("amount")
            else:
                sub_share = sub.decimal("share_of_expense_limit")
                if sub_share > 1:
                    raise sub.fail("share_of_expense_limit", "P_SHARE", value=str(sub_share))
        per_person = _tagged_int(node, "per_person_cap", src) if "per_person_cap" in node else None
        per_business = _tagged_int(node, "per_business_cap", src) if "per_business_cap" in node else None
        if (per_person is None) != (per_business is None):
            raise node.fail("per_person_cap", "P_CAPS_BOTH")
        rider = node.opt("rider")
        if rider is not None and rider not in riders:
            raise node.fail("rider", "P_NO_TABLE", table=f"riders.{rider}", value=rider)
        items[code] = Item(
            code=code,
            section=str(section),
            name=_text(node),
            clause=node.text("clause"),
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
        raise items_node.fail("", "P_NO_ITEMS")
    return items


def _sections(root: Table) -> dict[str, Section]:
    sections_node = root.table("sections")
    sections: dict[str, Section] = {}
    for code in SECTION_CODES:
        node = sections_node.table(code)
        node.source()
        limit = node.req("limit")
        if limit not in POLICY_LIMIT_FIELDS:
            raise node.fail("limit", "P_CHOICE", allowed=list(POLICY_LIMIT_FIELDS), value=limit)
        trigger = node.req("trigger")
        if trigger not in SECTION_TRIGGERS:
            raise node.fail("trigger", "P_CHOICE", allowed=list(SECTION_TRIGGERS), value=trigger)
        if code == "bi" and trigger != "outage":
            raise node.fail("trigger", "P_BI_TRIGGER")
        sections[code] = Section(
            code=code,
            name=_text(node),
            clause=node.text("clause"),
            limit_field=str(limit),
            trigger=str(trigger),
            retroactive=node.boolean("retroactive", default=False),
            optional=node.boolean("optional", default=False),
        )
    unknown = set(sections_node) - set(SECTION_CODES)
    if unknown:
        raise sections_node.fail(sorted(unknown)[0], "P_UNKNOWN_SECTION", allowed=list(SECTION_CODES))
    return sections


def _riders(root: Table) -> dict[str, Rider]:
    riders: dict[str, Rider] = {}
    riders_node = root.table("riders")
    for code in riders_node:
        node = riders_node.table(code)
        node.source()
        flag = node.req("policy_flag")
        if flag not in POLICY_FLAGS:
            raise node.fail("policy_flag", "P_CHOICE", allowed=list(POLICY_FLAGS), value=flag)
        territory = node.req("territory")
        if not isinstance(territory, list) or not territory or not all(isinstance(c, str) for c in territory):
            raise node.fail("territory", "P_COUNTRIES")
        riders[code] = Rider(code, _text(node), node.text("clause"), str(flag), frozenset(territory))
    return riders


def _exclusions(root: Table) -> dict[str, Exclusion]:
    exclusions: dict[str, Exclusion] = {}
    node_all = root.table("exclusions")
    for code in node_all:
        node = node_all.table(code)
        src = node.source()
        scope = node.req("scope")
        if scope not in EXCLUSION_SCOPES:
            raise node.fail("scope", "P_CHOICE", allowed=list(EXCLUSION_SCOPES), value=scope)
        exclusions[code] = Exclusion(code, str(scope), node.text("clause"), _text(node), src)
    for code in EXCLUSION_CODES:
        if code not in exclusions:
            raise node_all.fail(code, "P_MISSING")
    return exclusions


def _never_covered(
    root: Table, exclusions: Mapping[str, Exclusion], items: Mapping[str, Item]
) -> dict[str, NeverCovered]:
    never: dict[str, NeverCovered] = {}
    node_all = root.table("never_covered")
    for code in node_all:
        node = node_all.table(code)
        node.source()
        exc = node.req("exclusion")
        if exc not in exclusions:
            raise node.fail("exclusion", "P_NO_TABLE", table=f"exclusions.{exc}", value=exc)
        if code in items:
            raise node_all.fail(code, "P_ALSO_ITEM")
        never[code] = NeverCovered(code, str(exc), _text(node))
    return never


def _steps(root: Table) -> dict[str, StepText]:
    steps: dict[str, StepText] = {}
    steps_node = root.table("steps")
    for code in STEP_CODES:
        node = steps_node.table(code)
        text = _text(node)
        fields = _template_fields(node, "ja", text.ja) | _template_fields(node, "en", text.en)
        named = tuple((f, NAMED_FIELDS[f]) for f in sorted(fields) if f in NAMED_FIELDS)
        times = tuple(sorted(fields & TIME_FIELDS))
        steps[code] = StepText(code, node.text("clause"), text, named, times)
    unknown = set(steps_node) - set(STEP_CODES)
    if unknown:
        raise steps_node.fail(sorted(unknown)[0], "P_NO_SUCH_STEP")
    return steps


def load_coverage(doc: Document) -> CoverageTerms:
    """Validate ``coverage.toml`` into :class:`CoverageTerms` (the caller finishes the document)."""
    root = doc.root
    accident_node = root.table("accident_types")
    accident_types: dict[str, Text] = {}
    for code in ACCIDENT_TYPES:
        node = accident_node.table(code)
        node.source()
        accident_types[code] = _text(node)

    sections = _sections(root)
    triggers_node = root.table("triggers")
    triggers = {code: _text(triggers_node.table(code)) for code in TRIGGER_WORDS}
    riders = _riders(root)
    items = _items(root.table("items"), sections, riders)
    exclusions = _exclusions(root)
    never = _never_covered(root, exclusions, items)

    ded = root.table("deductible")
    ded.source()
    ded_sections = ded.req("sections")
    if (
        not isinstance(ded_sections, list)
        or not ded_sections
        or any(s not in ("expense", "liability") for s in ded_sections)
        or len(set(ded_sections)) != len(ded_sections)
    ):
        raise ded.fail("sections", "P_DEDUCTIBLE_SECTIONS")
    if ded.req("per") != "accident":
        raise ded.fail("per", "P_CHOICE", allowed=["accident"], value=ded.req("per"))

    bi_node = root.table("bi")
    bi_src = bi_node.source()
    bi_any, bi_confirmed = _triggers(bi_node)
    bi = BITerms(
        clause=bi_node.text("clause"),
        any_types=bi_any,
        confirmed_types=bi_confirmed,
        waiting_hours=_tagged_int(bi_node, "waiting_hours", bi_src),
        indemnity_months=_tagged_int(bi_node, "indemnity_months", bi_src, minimum=1),
    )

    whole_node = root.table("whole_claim")
    whole_node.source()
    whole: list[tuple[str, str]] = []
    for fact in WHOLE_CLAIM_FACTS:
        whole_code = whole_node.req(fact)
        if whole_code not in exclusions or exclusions[whole_code].scope != "claim":
            raise whole_node.fail(fact, "P_CLAIM_SCOPE", value=whole_code)
        whole.append((fact, str(whole_code)))

    steps = _steps(root)

    words: dict[str, Text] = {}
    words_node = root.table("words")
    for group in words_node:
        table = words_node.table(group)
        for word in table:
            words[f"{group}.{word}"] = _text(table.table(word))

    names: dict[str, Text] = dict(triggers)
    names.update({code: e.text for code, e in exclusions.items()})
    names.update({code: sec.name for code, sec in sections.items()})
    names.update({code: nc.name for code, nc in never.items()})
    names.update({code: item.name for code, item in items.items()})
    names.update(words)
    names_ja = {code: t.ja for code, t in names.items()}
    names_en = {code: t.en for code, t in names.items()}
    return CoverageTerms(
        accident_types=MappingProxyType(accident_types),
        sections=MappingProxyType(sections),
        triggers=MappingProxyType(triggers),
        items=MappingProxyType(items),
        riders=MappingProxyType(riders),
        never_covered=MappingProxyType(never),
        exclusions=MappingProxyType(exclusions),
        deductible_sections=tuple(str(s) for s in ded_sections),
        deductible_clause=ded.text("clause"),
        bi=bi,
        whole_claim=tuple(whole),
        steps=MappingProxyType(steps),
        words=MappingProxyType(words),
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
