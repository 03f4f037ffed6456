"""The large demo of ``mamori serve --demo --scale N`` (interfaces.md §1.4): N generated policyholders with
realistic histories — policies, installments, mid-term changes, incidents, cases, claims, payments — once.

Fast and still what the services write: a few dozen *prototype* policyholders are made through the
services themselves (quote, application, bind, payments, a change, the eight incidents of ``product.md``
§6 at their stages), then the rest are copies of a prototype's rows written with ``bulk_create`` — every
row of the prototype (its quote, application, policy and versions, installments, payments, incident, case
and its timeline, claim, cost lines, calculations, payments, reserve history, ledger and the audit trail)
with new keys, a new business, login and policy number. The amounts, statuses and dates of a copy are
those of its prototype, so every invariant the services keep (installments summing to the premium, a
case for every incident, a ledger for every paid claim payment, …) holds for every generated row.

The certificates (PDFs naming the business) are neither made for the prototypes nor copied: a generated
policy's certificate is made the first time it is asked for (:func:`mamori.web.policies.services.certificates_ensure`),
the same document it would have been at issue.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
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
                chunk = plan[first : first + batch]
                start = len(prototypes) + first + 1
                copier.run(chunk, indexes=range(start, start + len(chunk)))
            done += len(chunk)
            if done % 5000 < batch:
                out.write(f"scale: {len(prototypes) + done}/{scale} policyholders\n")
    out.write(f"scale: {scale} policyholders in {time.monotonic() - started:.1f} s\n")
    return scale


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
            password=secrets.token_urlsafe(12),
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
    JSON documents serialized as the database stores them."""

    def __init__(self, business_id: int) -> None:
        self.rows: dict[type[models.Model], list[dict[str, Any]]] = {}
        for model, path in _PLAN:
            self.rows[model] = [_prepared(model, row) for row in model.objects.filter(**{path: business_id})
                                .order_by("pk").values(*_attnames(model))]  # fmt: skip
        keys = {
            t: [str(r["number"] if m is Policy else r["id"]) for r in self.rows.get(m, [])] for t, m in _AUDITED.items()
        }
        audit = [
            row
            for t, ids in keys.items()
            for row in AuditEvent.objects.filter(object_type=t, object_id__in=ids)
            .order_by("pk")
            .values(*_attnames(AuditEvent))
        ]
        self.audit = [_prepared(AuditEvent, row) for row in audit]
        through = User.groups.through
        self.groups = list(through.objects.filter(user__profile__business=business_id).values("user_id", "group_id"))


def _attnames(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _prepared(model: type[models.Model], row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` with its values as the database takes them, the old keys kept under ``_old`` (and the raw
    values of what a copy changes under ``_raw``)."""
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
    """Copies of prototypes for the generated policyholders ``indexes``: a few inserts per model (``COPY``
    on PostgreSQL), inside the caller's transaction."""

    def __init__(self) -> None:
        self._cache: dict[int, _Prototype] = {}

    def prototype(self, business_id: int) -> _Prototype:
        if business_id not in self._cache:
            self._cache[business_id] = _Prototype(business_id)
        return self._cache[business_id]

    def run(self, prototype_ids: list[int], *, indexes: Iterable[int]) -> None:
        numbers = list(indexes)
        protos = [self.prototype(b) for b in prototype_ids]
        # Per copy: old key → new key, by model; and old text → new text for the JSON documents.
        keys: list[dict[type[models.Model], dict[Any, Any]]] = [defaultdict(dict) for _ in protos]
        strings: list[dict[str, str]] = [{} for _ in protos]
        policy_numbers = self._policy_numbers(protos)
        for model, _ in _PLAN:
            count = sum(len(p.rows[model]) for p in protos)
            if not count:
                continue
            ids = _new_ids(model, count)
            out = []
            for c, proto in enumerate(protos):
                g = generated(numbers[c])
                for row in proto.rows[model]:
                    new_pk = uuid.uuid4() if ids is None else next(ids)
                    keys[c][model][row["_old"]] = new_pk
                    if isinstance(new_pk, uuid.UUID):
                        strings[c][str(row["_old"])] = str(new_pk)
                    out.append(self._row(model, row, new_pk, keys[c], strings[c], g, policy_numbers[c]))
            _insert(model, out)
        through = User.groups.through
        through.objects.bulk_create(
            [
                through(user_id=keys[c][User][row["user_id"]], group_id=row["group_id"])
                for c, proto in enumerate(protos)
                for row in proto.groups
            ],
            batch_size=2000,
        )
        count = sum(len(p.audit) for p in protos)
        ids = _new_ids(AuditEvent, count)
        assert ids is not None  # noqa: S101 - an integer key
        _insert(
            AuditEvent,
            [self._audit(row, next(ids), keys[c], strings[c]) for c, proto in enumerate(protos) for row in proto.audit],
        )

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

    def _row(  # noqa: PLR0913, PLR0917 - the row and everything its copy is made from
        self,
        model: type[models.Model],
        row: Mapping[str, Any],
        new_pk: Any,
        keys: Mapping[type[models.Model], Mapping[Any, Any]],
        strings: dict[str, str],
        g: Mapping[str, str],
        numbers: Mapping[str, str],
    ) -> list[Any]:
        new = dict(row)
        fix = _FIXES.get(model)
        if fix is not None:
            fix(new, g, numbers, strings)
        values = []
        raw = row["_raw"]
        for name, kind, target in _spec(model):
            value = new[name]
            if kind == "pk":
                value = _db_key(new_pk)
            elif kind == "fk" and value is not None:
                mapped = keys.get(target, {}).get(raw[name])
                if mapped is not None:
                    value = _db_key(mapped)
            elif kind == "json" and value is not None:
                value = _swap(value, strings)
            values.append(value)
        return values

    def _audit(
        self,
        row: Mapping[str, Any],
        new_pk: int,
        keys: Mapping[type[models.Model], Mapping[Any, Any]],
        strings: Mapping[str, str],
    ) -> list[Any]:
        raw = row["_raw"]
        model = _AUDITED[raw["object_type"]]
        if model is Policy:
            object_id = strings.get(raw["object_id"], raw["object_id"])
        else:
            by_str = {str(k): v for k, v in keys.get(model, {}).items()}
            object_id = str(by_str.get(raw["object_id"], raw["object_id"]))
        after = row["after"]
        if isinstance(raw["after"], dict) and isinstance(raw["after"].get("business"), int):
            # A user made for a business names it by its key.
            mapped = dict(raw["after"], business=keys.get(Business, {}).get(raw["after"]["business"]))
            after = json.dumps(mapped)
        actor = raw["actor_id"]
        values: list[Any] = []
        for field in AuditEvent._meta.concrete_fields:
            name = field.attname
            if field.primary_key:
                values.append(new_pk)
            elif name == "object_id":
                values.append(object_id)
            elif name == "actor_id":
                values.append(keys.get(User, {}).get(actor, actor))
            elif name in ("before", "after"):
                text = after if name == "after" else row["before"]
                values.append(None if text is None else _swap(text, strings))
            else:
                values.append(row[name])
        return values


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


def _db_key(value: Any) -> Any:
    """A key as the database takes it (SQLite keeps a UUID as 32 hex digits)."""
    if isinstance(value, uuid.UUID) and connection.vendor != "postgresql":
        return value.hex
    return value


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


def _insert(model: type[models.Model], rows: list[list[Any]]) -> None:
    """Insert ``rows`` (values in the order of the model's concrete fields, as the database takes them)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(rows[0]))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def _swap(text: str, strings: Mapping[str, str]) -> str:
    """A serialized JSON document with the prototype's keys, numbers and names replaced by the copy's."""
    for old, new in strings.items():
        escaped = _escaped(old)
        if escaped in text:
            text = text.replace(escaped, _escaped(new))
    return text


def _fix_business(new: dict[str, Any], g: Mapping[str, str], _: Mapping[str, str], strings: dict[str, str]) -> None:
    mine = generated(int(g["username"].rsplit("-", 1)[1]), new["entity"])  # the prototype's entity is rated
    strings[new["name"]] = mine["name"]
    strings[new["email"]] = mine["email"]
    new.update(name=mine["name"], address=mine["address"], email=mine["email"])


def _fix_user(new: dict[str, Any], g: Mapping[str, str], _: Mapping[str, str], strings: dict[str, str]) -> None:
    strings[new["username"]] = g["username"]
    new.update(username=g["username"], email=g["email"], last_login=None)


def _fix_policy(new: dict[str, Any], _: Mapping[str, str], numbers: Mapping[str, str], strings: dict[str, str]) -> None:
    old = new["number"]
    new["number"] = numbers[old]
    strings[old] = new["number"]


def _fix_payment(
    new: dict[str, Any], g: Mapping[str, str], numbers: Mapping[str, str], strings: dict[str, str]
) -> None:
    reference = new["reference"]
    for old, number in numbers.items():
        reference = reference.replace(old, number)
    new["reference"] = reference if reference != new["reference"] else f"{reference}-{g['username']}"


_FIXES: dict[type[models.Model], Callable[[dict[str, Any], Mapping[str, str], Mapping[str, str], dict[str, str]], None]]
_FIXES = {Business: _fix_business, User: _fix_user, Policy: _fix_policy, Payment: _fix_payment}
