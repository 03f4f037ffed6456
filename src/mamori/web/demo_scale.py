"""The large demo of ``mamori serve --demo --scale N`` (interfaces.md §1.4): N generated policyholders with
realistic histories — policies, installments, mid-term changes, incidents, cases, claims, payments — once.

Fast and still what the services write: a few dozen *prototype* policyholders are made through the
services themselves (quote, application, bind, payments, a change, the eight incidents of ``product.md``
§6 at their stages), then the rest are copies of a prototype's rows — every row of the prototype (its
quote, application, policy and versions, installments, payments, incident, case and its timeline, claim,
cost lines, calculations, payments, reserve history, ledger and the audit trail) with new keys, a new
business, login and policy number. The amounts, statuses and dates of a copy are those of its prototype,
so every invariant the services keep (installments summing to the premium, a case for every incident, a
ledger for every paid claim payment, …) holds for every generated row.

Quick (docs/performance.md, ``bench/bench_demo_scale.py``): the prototypes are read once (a query per
model) and compiled into row templates whose slots are what a copy changes (keys, the keys it points to,
names, login, policy numbers, in JSON documents too); a copy fills the slots, and the rows of a thousand
copies go to the database as they are made: one ``COPY`` per model on PostgreSQL (one ``INSERT … VALUES``
batch on SQLite). No password is hashed per policyholder: the generated logins share the demo users'
hash (Argon2, deliberately slow).

The certificates (PDFs naming the business) are neither made for the prototypes nor copied: a generated
policy's certificate is made the first time it is asked for (:func:`mamori.web.policies.services.certificates_ensure`),
the same document it would have been at issue.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone

from mamori.web import demo_incidents
from mamori.web.accounts import roles
from mamori.web.accounts import services as accounts
from mamori.web.accounts.models import Agency, Business, Profile
from mamori.web.applications.models import Application
from mamori.web.audit.models import AuditEvent
from mamori.web.billing.models import Charge, Installment, Payment, Refund
from mamori.web.claimsdesk.models import Calculation, Claim, ClaimPayment, CostLine, LedgerEntry, ReserveChange
from mamori.web.incidents.models import (
    Case,
    CaseEvent,
    ChecklistTick,
    DeadlineNotice,
    Incident,
    Referral,
    ReportFiling,
)
from mamori.web.policies import services as policy_services
from mamori.web.policies.models import ChangeRequest, NumberCounter, Policy, PolicyVersion, RenewalOffer
from mamori.web.productdb import selectors as productdb
from mamori.web.quotes.models import Quote
from mamori.web.servicing import services as servicing

#: The login names of the generated policyholders: ``holder-000001`` … (their password is the demo's).
USERNAME = "holder-{:06d}"
#: How the policyholders are spread over the prototypes: most have a plain policy, some a mid-term
#: change, about 4 % an incident (one of the eight scenarios, most of them still open at the desk).
WEIGHTS = {"plain": 0.91, "change": 0.05, "incident": 0.04}
PLAIN_INDUSTRIES = (
    "retail",
    "manufacturing",
    "wholesale",
    "logistics",
    "construction",
    "food_service",
    "services",
    "professional_services",
    "real_estate",
    "education",
    "medical_welfare",
    "living_services",
)
REVENUES = (30_000_000, 80_000_000, 150_000_000, 300_000_000, 500_000_000, 1_000_000_000)
_NAME_HEADS = (
    "あさひ", "みどり", "さくら", "ひかり", "やまと", "みなと", "こだま", "はやぶさ", "つばさ", "あおい",
    "北斗", "東海", "瀬戸", "信州", "富士", "白山", "大和", "平安", "飛鳥", "難波",
)  # fmt: skip
_NAME_TAILS = (
    "商事", "製作所", "工業", "物流", "建設", "食品", "電機", "精機", "印刷", "薬品",
    "不動産", "設計", "ホールディングス", "サービス", "テクノ", "システム", "商会", "産業", "化成", "繊維",
)  # fmt: skip
_PLACES = (
    "東京都千代田区", "東京都港区", "大阪府大阪市北区", "愛知県名古屋市中区", "福岡県福岡市博多区",
    "北海道札幌市中央区", "宮城県仙台市青葉区", "広島県広島市中区", "京都府京都市下京区", "神奈川県横浜市西区",
)  # fmt: skip


def generated(index: int, entity: str | None = None) -> dict[str, str]:
    """The name, entity, login, e-mail and address of the ``index``-th generated policyholder (1-based)."""
    head = _NAME_HEADS[index % len(_NAME_HEADS)]
    tail = _NAME_TAILS[(index // len(_NAME_HEADS)) % len(_NAME_TAILS)]
    corporate = index % 5 != 0 if entity is None else entity == "corporation"
    name = f"株式会社{head}{tail}{index:06d}" if corporate else f"{head}{tail}事務所{index:06d}"
    username = USERNAME.format(index)
    return {
        "name": name,
        "entity": "corporation" if corporate else "sole_proprietor",
        "username": username,
        "email": f"{username}@example.jp",
        "address": f"{_PLACES[index % len(_PLACES)]}{index % 9 + 1}-{index % 17 + 1}-{index % 23 + 1}",
    }


def load(*, scale: int, out: TextIO, seed: int = 18) -> int:
    """Add ``scale`` generated policyholders once (the demo must be loaded); the number added (0 when done)."""
    if scale <= 0 or User.objects.filter(username=USERNAME.format(1)).exists():
        return 0
    started = time.monotonic()
    users = {u.username: u for u in User.objects.filter(username__in=("agent", "support", "claims", "claims2"))}
    agency = Agency.objects.get(code="SAKURA")
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        with transaction.atomic(), policy_services.certificates_deferred():
            prototypes = _prototypes(scale, users=users, agency=agency)
        out.write(f"scale: {len(prototypes)} prototypes in {time.monotonic() - started:.1f} s\n")
        copies = scale - len(prototypes)
        rng = random.Random(seed)  # noqa: S311 - demo data, reproducible
        kinds = _by_kind(prototypes)
        plan = [_choose(rng, kinds) for _ in range(copies)]
        done = 0
        batch = 1000
        copier = Copier()
        for first in range(0, copies, batch):
            with transaction.atomic():
                _no_flush_wait()
                chunk = plan[first : first + batch]
                start = len(prototypes) + first + 1
                copier.run(chunk, indexes=range(start, start + len(chunk)))
            done += len(chunk)
            if done % 5000 < batch:
                out.write(f"scale: {len(prototypes) + done}/{scale} policyholders\n")
    out.write(f"scale: {scale} policyholders in {time.monotonic() - started:.1f} s\n")
    return scale


def _no_flush_wait() -> None:
    """This transaction's commit does not wait for its log to reach the disk (PostgreSQL): a crash just after
    could lose the last copies (the data is a demo's), never mix them; each commit is a ~1,000 copies' log."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# ------------------------------------------------------------------------------------------ prototypes


def _prototypes(scale: int, *, users: Mapping[str, User], agency: Agency) -> list[tuple[str, Business]]:
    """(kind, business) of the prototypes, made through the services (at most ``scale`` of them)."""
    today = productdb.catalog().latest().today()
    now = timezone.now()
    made: list[tuple[str, Business]] = []
    index = 0

    def business(kind: str, industry: str, entity: str | None = None) -> Business:
        nonlocal index
        index += 1
        g = generated(index, entity)
        b = accounts.business_create(
            name=g["name"],
            entity=g["entity"],
            industry=industry,
            address=g["address"],
            email=g["email"],
            agency=agency if kind == "incident" or index % 3 == 0 else None,
        )
        user = accounts.user_create(
            username=g["username"],
            password=None,
            role=roles.POLICYHOLDER,
            business=b,
            email=g["email"],
        )
        # The demo's password (its hash: the same for every generated policyholder).
        User.objects.filter(pk=user.pk).update(password=users["agent"].password)
        made.append((kind, b))
        return b

    scenarios = json.loads(demo_incidents.DATA.read_text(encoding="utf-8"))["incidents"]
    for scenario in scenarios:
        if len(made) >= scale:
            return made
        b = business("incident", scenario["industry"], "corporation")
        demo_incidents.scenario(scenario, users=users, agency=agency, now=now, business=b)
    for k, industry in enumerate(PLAIN_INDUSTRIES):
        if len(made) >= scale:
            return made
        b = business("plain", industry)
        holder = User.objects.get(profile__business=b)
        entity = {"entity": "sole_proprietor"} if b.entity == "sole_proprietor" else {}
        risk = {"industry": industry, "revenue": REVENUES[k % len(REVENUES)], **entity}
        start = today - dt.timedelta(days=30 * k + k % 7)
        payment = "annual" if k % 4 == 3 else "monthly"
        demo_incidents.policy_for(user=holder, business=b, risk=risk, start=start, today=today, payment=payment)
    for k, changes in enumerate(({"deductible": 500_000}, {"liability_limit": 300_000_000})):
        if len(made) >= scale:
            return made
        industry = PLAIN_INDUSTRIES[k * 5]
        b = business("change", industry)
        holder = User.objects.get(profile__business=b)
        start = today - dt.timedelta(days=60 + 45 * k)
        policy = demo_incidents.policy_for(
            user=holder, business=b, risk={"industry": industry, "revenue": 200_000_000}, start=start, today=today
        )
        servicing.policy_change(user=holder, number=policy.number, effective_date=today, changes=changes, today=today)
    return made


def _by_kind(prototypes: Iterable[tuple[str, Business]]) -> dict[str, list[int]]:
    kinds: dict[str, list[int]] = defaultdict(list)
    for kind, b in prototypes:
        kinds[kind].append(b.pk)
    return kinds


def _choose(rng: random.Random, kinds: Mapping[str, list[int]]) -> int:
    names = [k for k in WEIGHTS if kinds.get(k)]
    kind = rng.choices(names, weights=[WEIGHTS[k] for k in names])[0]
    return rng.choice(kinds[kind])


# ------------------------------------------------------------------------------------------ copies

#: The models copied, parents first, each with how its rows of a prototype business are found.
_PLAN: tuple[tuple[type[models.Model], str], ...] = (
    (Business, "pk"),
    (User, "profile__business"),
    (Profile, "business"),
    (User.groups.through, "user__profile__business"),
    (Quote, "business"),
    (Application, "business"),
    (Policy, "business"),
    (PolicyVersion, "policy__business"),
    (RenewalOffer, "policy__business"),
    (ChangeRequest, "policy__business"),
    (Installment, "policy__business"),
    (Payment, "policy__business"),
    (Refund, "policy__business"),
    (Charge, "policy__business"),
    (Incident, "business"),
    (Case, "incident__business"),
    (CaseEvent, "case__incident__business"),
    (ChecklistTick, "case__incident__business"),
    (Referral, "case__incident__business"),
    (ReportFiling, "incident__business"),
    (DeadlineNotice, "incident__business"),
    (Claim, "policy__business"),
    (CostLine, "claim__policy__business"),
    (Calculation, "claim__policy__business"),
    (ClaimPayment, "claim__policy__business"),
    (ReserveChange, "claim__policy__business"),
    (LedgerEntry, "policy__business"),
)
#: The audit trail's object types and the model whose key (a policy: its number) they name.
_AUDITED: dict[str, type[models.Model]] = {
    "business": Business,
    "user": User,
    "quote": Quote,
    "application": Application,
    "policy": Policy,
    "change_request": ChangeRequest,
    "payment": Payment,
    "incident": Incident,
    "case": Case,
    "claim": Claim,
    "claim_payment": ClaimPayment,
}


class _Prototype:
    """The rows of one prototype business, read once: by model, (old key, prepared values by attname);
    JSON documents serialized as the database stores them. Compiled once into templates: each row's
    values with the places a copy changes (its keys, the keys it points to among the prototype's rows,
    the business's name, the login, the policy numbers — in the JSON documents too) as slots."""

    def __init__(self, rows: dict[type[models.Model], list[dict[str, Any]]], audit: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.audit = audit
        self._compile()

    def _compile(self) -> None:
        (business,) = self.rows[Business]
        self.entity: str = business["_raw"]["entity"]
        #: The old keys of every copied row, by model (a copy gives each a new one).
        self.olds = {m: [r["_old"] for r in rows] for m, rows in self.rows.items() if rows}
        #: What a copy fills in, (how it is written, what it is): the slots of the templates are indexes.
        self.tokens: list[tuple[str, tuple[Any, ...]]] = []
        self._token_of: dict[tuple[str, tuple[Any, ...]], int] = {}
        mine = {m: set(olds) for m, olds in self.olds.items()}
        numbers = [r["number"] for r in self.rows[Policy]]
        self._texts = self._strings(business, numbers)
        self._pattern = re.compile("|".join(re.escape(t) for t in sorted(self._texts, key=len, reverse=True)))
        self.templates = {
            model: [self._template(model, row, mine, numbers) for row in rows] for model, rows in self.rows.items()
        }
        self.audit_templates = [self._audit(row, mine, numbers) for row in self.audit]

    def _strings(self, business: Mapping[str, Any], numbers: list[str]) -> dict[str, tuple[Any, ...]]:
        """The prototype's strings as inside a serialized JSON string, and what they are in a copy."""
        texts: dict[str, tuple[Any, ...]] = {}
        for m, olds in self.olds.items():
            if isinstance(m._meta.pk, models.UUIDField):
                texts.update({_escaped(str(old)): ("key", m, old) for old in olds})
        for user in self.rows[User]:
            texts[_escaped(user["username"])] = ("username",)
        for row in (business, *self.rows[User]):
            if row["email"]:
                texts[_escaped(row["email"])] = ("email",)
        texts[_escaped(business["name"])] = ("name",)
        texts.update({_escaped(n): ("number", n) for n in numbers})
        return texts

    def _template(
        self, model: type[models.Model], row: Mapping[str, Any], mine: Mapping[Any, set[Any]], numbers: list[str]
    ) -> _Template:
        spec = _spec(model)
        raw = row["_raw"]
        base = [row[name] for name, _, _ in spec]
        slots: list[tuple[int, int]] = []
        formats: list[tuple[int, str, tuple[int, ...]]] = []
        for pos, (name, kind, target) in enumerate(spec):
            if kind == "pk":
                slots.append((pos, self._token("db", ("key", model, raw[name]))))
            elif kind == "fk" and raw[name] is not None and raw[name] in mine.get(target, ()):
                slots.append((pos, self._token("db", ("key", target, raw[name]))))
            elif kind == "json" and base[pos] is not None:
                formats.extend(self._format(pos, base[pos]))
        for name, what in _FIELDS.get(model, {}).items():
            pos = [n for n, _, _ in spec].index(name)
            if what is None:
                base[pos] = None
            elif what == ("number",):
                slots.append((pos, self._token("plain", ("number", row[name]))))
            elif what == ("reference",):
                formats.append(self._reference(pos, row[name], numbers))
            else:
                slots.append((pos, self._token("plain", what)))
        return _Template(base, slots, formats)

    def _token(self, how: str, what: tuple[Any, ...]) -> int:
        key = (how, what)
        if key not in self._token_of:
            self._token_of[key] = len(self.tokens)
            self.tokens.append(key)
        return self._token_of[key]

    def _format(
        self, pos: int, text: str, extra: Mapping[str, int] | None = None
    ) -> list[tuple[int, str, tuple[int, ...]]]:
        """A serialized JSON document with the prototype's strings as slots (none when it names none)."""
        parts: list[str] = []
        slots: list[int] = []
        last = 0
        for match in self._pattern.finditer(text):
            parts.append(_braces(text[last : match.start()]))
            parts.append(f"{{{len(slots)}}}")
            slots.append(self._token("text", self._texts[match.group()]))
            last = match.end()
        parts.append(_braces(text[last:]))
        fmt = "".join(parts)
        for literal, token in (extra or {}).items():
            if literal in fmt:
                fmt = fmt.replace(literal, f"{{{len(slots)}}}")
                slots.append(token)
        return [(pos, fmt, tuple(slots))] if slots else []

    def _reference(self, pos: int, reference: str, numbers: list[str]) -> tuple[int, str, tuple[int, ...]]:
        """A payment's reference: the copy's policy numbers instead of the prototype's, else its login after it."""
        named = [n for n in numbers if n in reference]
        if not named:
            return (pos, _braces(reference) + "-{0}", (self._token("plain", ("username",)),))
        fmt = _braces(reference)
        slots: list[int] = []
        for n in named:
            fmt = fmt.replace(n, f"{{{len(slots)}}}")
            slots.append(self._token("plain", ("number", n)))
        return (pos, fmt, tuple(slots))

    def _audit(self, row: Mapping[str, Any], mine: Mapping[Any, set[Any]], numbers: list[str]) -> _Template:
        raw = row["_raw"]
        spec = _spec(AuditEvent)
        names = [n for n, _, _ in spec]
        base = [row[name] for name in names]
        slots: list[tuple[int, int]] = []
        formats: list[tuple[int, str, tuple[int, ...]]] = []
        model = _AUDITED[raw["object_type"]]
        object_id = raw["object_id"]
        if model is Policy and object_id in numbers:
            slots.append((names.index("object_id"), self._token("plain", ("number", object_id))))
        elif model is not Policy:
            by_str = {str(old): old for old in mine.get(model, ())}
            if object_id in by_str:
                slots.append((names.index("object_id"), self._token("str", ("key", model, by_str[object_id]))))
        if raw["actor_id"] in mine.get(User, ()):
            slots.append((names.index("actor_id"), self._token("db", ("key", User, raw["actor_id"]))))
        if raw["actor_label"] in {u["username"] for u in self.rows[User]}:
            slots.append((names.index("actor_label"), self._token("plain", ("username",))))
        for name in ("before", "after"):
            pos = names.index(name)
            value = raw[name]
            if value is None:
                continue
            extra = {}
            if isinstance(value, dict) and value.get("business") in mine.get(Business, ()):
                # A user made for a business names it by its key.
                mark = "@business@"
                encoder = AuditEvent._meta.get_field(name).encoder
                base[pos] = json.dumps(dict(value, business=mark), cls=encoder)
                extra = {json.dumps(mark): self._token("str", ("key", Business, value["business"]))}
            formats.extend(self._format(pos, base[pos], extra))
        return _Template(base, slots, formats)


def _read(business_ids: Iterable[int]) -> dict[int, _Prototype]:
    """The prototypes of these businesses: a query per model (and per audited type) for all of them."""
    ids = sorted(set(business_ids))
    rows: dict[int, dict[type[models.Model], list[dict[str, Any]]]] = {b: {m: [] for m, _ in _PLAN} for b in ids}
    for model, path in _PLAN:
        found = model.objects.filter(**{f"{path}__in": ids}).order_by("pk")
        for row in found.values(*_attnames(model), of_business=F(path)):
            business = row.pop("of_business")
            rows[business][model].append(_prepared(model, row))
    owner: dict[tuple[str, str], int] = {}
    for business, mine in rows.items():
        for kind, model in _AUDITED.items():
            owner.update({(kind, str(r["number"] if model is Policy else r["_old"])): business for r in mine[model]})
    audit: dict[int, list[dict[str, Any]]] = {b: [] for b in ids}
    for kind in _AUDITED:
        named = [object_id for t, object_id in owner if t == kind]
        found = AuditEvent.objects.filter(object_type=kind, object_id__in=named).order_by("pk")
        for row in found.values(*_attnames(AuditEvent)):
            audit[owner[kind, row["object_id"]]].append(_prepared(AuditEvent, row))
    return {b: _Prototype(rows[b], audit[b]) for b in ids}


class _Template:
    """A row of a prototype: its values, the slots a copy fills with a value, and the texts a copy formats."""

    __slots__ = ("base", "formats", "slots")

    def __init__(
        self, base: list[Any], slots: list[tuple[int, int]], formats: list[tuple[int, str, tuple[int, ...]]]
    ) -> None:
        self.base = base
        self.slots = slots
        self.formats = formats

    def fill(self, values: list[Any]) -> list[Any]:
        row = self.base.copy()
        for pos, token in self.slots:
            row[pos] = values[token]
        for pos, fmt, tokens in self.formats:
            row[pos] = fmt.format(*[values[t] for t in tokens])
        return row


#: The columns a copy sets itself: to None, to the copy's own value, or formatted from the prototype's.
_FIELDS: dict[type[models.Model], dict[str, tuple[str, ...] | None]] = {
    Business: {"name": ("name",), "address": ("address",), "email": ("email",)},
    User: {"username": ("username",), "email": ("email",), "last_login": None},
    Policy: {"number": ("number",)},
    Payment: {"reference": ("reference",)},
}


def _braces(text: str) -> str:
    """``text`` as a literal of a format string."""
    return text.replace("{", "{{").replace("}", "}}")


def _attnames(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _prepared(model: type[models.Model], row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` with its values as the database takes them, the old keys kept under ``_old`` (and the raw
    values under ``_raw``)."""
    out: dict[str, Any] = {"_old": row["id"], "_raw": dict(row)}
    for field in model._meta.concrete_fields:
        value = row[field.attname]
        if isinstance(field, models.JSONField):
            out[field.attname] = None if value is None else json.dumps(value, cls=field.encoder)
        else:
            out[field.attname] = field.get_db_prep_save(value, connection)
    return out


def _escaped(text: str) -> str:
    """``text`` as it appears inside a serialized JSON string."""
    return json.dumps(text)[1:-1]


class Copier:
    """Copies of prototypes for the generated policyholders ``indexes``: one insert per model (``COPY``
    on PostgreSQL), inside the caller's transaction."""

    def __init__(self) -> None:
        self._cache: dict[int, _Prototype] = {}

    def run(self, prototype_ids: list[int], *, indexes: Iterable[int]) -> None:
        numbers = list(indexes)
        unread = {b for b in prototype_ids if b not in self._cache}
        if unread:
            self._cache.update(_read(unread))
        protos = [self._cache[b] for b in prototype_ids]
        policy_numbers = self._policy_numbers(protos)
        counts: dict[type[models.Model], int] = defaultdict(int)
        for proto in protos:
            for model, olds in proto.olds.items():
                counts[model] += len(olds)
        ids = {model: _new_ids(model, count) for model, count in counts.items()}
        audit_ids = _new_ids(AuditEvent, sum(len(p.audit) for p in protos))
        assert audit_ids is not None  # noqa: S101 - an integer key
        sqlite = connection.vendor != "postgresql"
        copies = [
            (proto, self._values(proto, generated(n, proto.entity), policy_numbers[c], ids, sqlite=sqlite))
            for c, (proto, n) in enumerate(zip(protos, numbers, strict=True))
        ]
        # The rows are made while they are sent: the database writes a model's rows as the next are made.
        for model, _ in _PLAN:
            if counts.get(model):
                _insert(model, (t.fill(values) for proto, values in copies for t in proto.templates[model]))
        _insert(AuditEvent, self._audit_rows(copies, audit_ids))

    @staticmethod
    def _audit_rows(copies: list[tuple[_Prototype, list[Any]]], ids: Iterator[int]) -> Iterator[list[Any]]:
        pk = [f.primary_key for f in AuditEvent._meta.concrete_fields].index(True)
        for proto, values in copies:
            for template in proto.audit_templates:
                row = template.fill(values)
                row[pk] = next(ids)
                yield row

    @staticmethod
    def _values(
        proto: _Prototype,
        g: Mapping[str, str],
        numbers: Mapping[str, str],
        ids: Mapping[type[models.Model], Iterator[int] | None],
        *,
        sqlite: bool,
    ) -> list[Any]:
        """The values of ``proto``'s tokens for one copy: its new keys, names and numbers."""
        what: dict[tuple[Any, ...], Any] = {
            ("name",): g["name"],
            ("address",): g["address"],
            ("email",): g["email"],
            ("username",): g["username"],
        }
        for model, olds in proto.olds.items():
            keys = ids[model]
            for old in olds:
                what["key", model, old] = uuid.uuid4() if keys is None else next(keys)
        for old, new in numbers.items():
            what["number", old] = new
        values = []
        for how, name in proto.tokens:
            value = what[name]
            if how == "db":
                value = value.hex if sqlite and isinstance(value, uuid.UUID) else value
            elif how == "str":
                value = str(value)
            elif how == "text":
                value = _escaped(str(value))
            values.append(value)
        return values

    def _policy_numbers(self, protos: list[_Prototype]) -> list[dict[str, str]]:
        """New policy numbers from the yearly counters (taken in one step per year)."""
        wanted: dict[int, int] = defaultdict(int)
        for proto in protos:
            for row in proto.rows[Policy]:
                wanted[row["_raw"]["start_date"].year] += 1
        next_of: dict[int, int] = {}
        for year, count in sorted(wanted.items()):
            counter, _ = NumberCounter.objects.select_for_update().get_or_create(year=year)
            NumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + count)
            next_of[year] = counter.last + 1
        out: list[dict[str, str]] = []
        for proto in protos:
            mine = {}
            for row in proto.rows[Policy]:
                year = row["_raw"]["start_date"].year
                mine[row["number"]] = f"MC{year}-{next_of[year]:06d}"
                next_of[year] += 1
            out.append(mine)
        return out


_SPECS: dict[type[models.Model], list[tuple[str, str, Any]]] = {}


def _spec(model: type[models.Model]) -> list[tuple[str, str, Any]]:
    """(attname, kind, related model) of the model's columns: what a copy changes in each."""
    if model not in _SPECS:
        _SPECS[model] = [
            (
                f.attname,
                "pk" if f.primary_key else "fk" if f.is_relation else "json" if isinstance(f, models.JSONField) else "",
                f.related_model,
            )
            for f in model._meta.concrete_fields
        ]
    return _SPECS[model]


def _new_ids(model: type[models.Model], count: int) -> Iterator[int] | None:
    """``count`` new keys of an integer-keyed model (None for a UUID key, made by the copier)."""
    pk = model._meta.pk
    assert pk is not None  # noqa: S101 - every model has a key
    if isinstance(pk, models.UUIDField):
        return None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk.column, count]
            )
            return iter([r[0] for r in cursor.fetchall()])
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk.column)}), 0) FROM {table}")  # noqa: S608
        first = cursor.fetchone()[0] + 1
    return iter(range(first, first + count))


def _insert(model: type[models.Model], rows: Iterable[list[Any]]) -> None:
    """Insert ``rows`` (values in the order of the model's concrete fields, as the database takes them)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = model._meta.concrete_fields
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
