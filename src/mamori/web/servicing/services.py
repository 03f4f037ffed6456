"""Writes of policy servicing: bind, change, a referred change decided, cancel, renew, premium payments (by
hand or bank file) and the daily job (lapse, expiry, renewal offers).

Each service only locks the rows, builds the use case's records from them, calls the use case
(:mod:`mamori.usecases.policies`: authority, lifecycle and money all decided there), writes what comes back
and audits it, in one transaction. Money is written by one function, :func:`_write_account`, from the
account the core returns: installments, charges, refunds; credit is what was received and neither applied
nor refunded.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mamori import authority
from mamori.authority import Action
from mamori.errors import FieldError, InvalidInput
from mamori.policy import lifecycle, schedule
from mamori.policy.account import Account, Move
from mamori.policy.lifecycle import PolicyState
from mamori.usecases import policies as usecase
from mamori.web import mail
from mamori.web.accounts import selectors as accounts
from mamori.web.applications import selectors as application_selectors
from mamori.web.applications.models import Application
from mamori.web.audit.services import audit_record
from mamori.web.billing.models import BankImport, Charge, DailyRun, Installment, Payment, Refund
from mamori.web.errors import Conflict, NotFound
from mamori.web.policies import selectors as policies
from mamori.web.policies import services as policy_records
from mamori.web.policies.models import ChangeRequest, Policy, PolicyVersion, RenewalOffer
from mamori.web.productdb import selectors as productdb
from mamori.web.quotes import services as quote_services
from mamori.web.rows import locked
from mamori.web.servicing import selectors

#: Column names a bank file may use (Japanese or English), by field.
BANK_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "paid_date": ("入金日", "取引日", "paid_date", "date"),
    "amount": ("金額", "入金額", "amount"),
    "policy_number": ("証券番号", "policy_number", "policy"),
    "reference": ("参照番号", "取引番号", "reference", "ref"),
}


def _today(today: dt.date | None) -> dt.date:
    return today or productdb.catalog().latest().today()


def _locked_policy(user: AbstractBaseUser | None, number: Any) -> Policy:
    """The policy ``number`` if ``user`` may see it (any policy for the daily job: None), locked."""
    visible = policies.policies_visible(user) if user is not None else Policy.objects.all()
    pk = visible.filter(number=str(number)[:32]).values_list("pk", flat=True).first() if number else None
    if pk is None:
        raise NotFound
    policy: Policy = locked(Policy.objects.select_related("business", "product_version"), pk)
    return policy


def _moves(moves: Iterable[Move]) -> list[dict[str, Any]]:
    return [{"kind": m.kind.value, "amount": m.amount, "item": m.item} for m in moves if m.amount]


def _write_account(policy: Policy, before: Account, after: Account, *, version: PolicyVersion, reason: str) -> None:
    """Store the account the core returned: each installment's amount, paid and status (the version that set
    or cancelled it), each charge (new ones created), and a refund row for what was refunded."""
    rows = {row.number: row for row in Installment.objects.filter(policy=policy)}
    for item in after.installments:
        row = rows.get(item.number)
        if row is None:
            Installment.objects.create(
                policy=policy,
                number=item.number,
                due_date=item.due_date,
                amount_yen=item.amount,
                paid_yen=item.paid,
                status=item.status.value,
                set_by=version,
            )
            continue
        changed: list[str] = []
        if row.amount_yen != item.amount:
            row.amount_yen, row.set_by = item.amount, version
            changed += ["amount_yen", "set_by"]
        if row.paid_yen != item.paid:
            row.paid_yen = item.paid
            changed.append("paid_yen")
        if row.status != item.status.value:
            row.status = item.status.value
            changed.append("status")
            if item.status is schedule.InstallmentStatus.CANCELLED:
                row.cancelled_by = version
                changed.append("cancelled_by")
        if changed:
            row.save(update_fields=changed)
    stored = {c.pk: c for c in Charge.objects.filter(policy=policy)}
    for charge in after.charges:
        if charge.key == 0:
            Charge.objects.create(
                policy=policy, amount_yen=charge.amount, paid_yen=charge.paid, due_date=charge.due_date, version=version
            )
            continue
        row = stored[charge.key]
        if (row.amount_yen, row.paid_yen) != (charge.amount, charge.paid):
            row.amount_yen, row.paid_yen = charge.amount, charge.paid
            row.save(update_fields=["amount_yen", "paid_yen"])
    refunded = after.refunded - before.refunded
    if refunded > 0:
        Refund.objects.create(policy=policy, amount_yen=refunded, reason=reason, version=version)


# ------------------------------------------------------------------------------------------ bind


def application_bind(
    *, user: AbstractBaseUser, application_id: Any, today: dt.date | None = None
) -> tuple[Policy, bool]:
    """Issue the policy of an approved application: (policy, created) — the policy, version 1, its
    installments and certificates, all or nothing. Binding again gives the same policy; two binds at once
    give one (the application row is locked and a policy has one application)."""
    with transaction.atomic():
        app: Application = locked(application_selectors.applications_visible(user), application_id)
        record = application_selectors.record_of(app)
        if app.status == Application.Status.BOUND:
            authority.require(accounts.subject_of(user), Action.BIND, record.target)
            return app.policy, False
        bound = usecase.bind(subject=accounts.subject_of(user), application=record, today=_today(today))
        policy = policy_records.policy_create(application=app, product=record.version, end_date=bound.end_date)
        v = policy_records.version_create(
            policy=policy,
            reason=PolicyVersion.Reason.ISSUE,
            effective_date=app.start_date,
            risk=app.risk,
            monthly_premium=app.monthly_premium_yen,
            annual_premium=app.annual_premium_yen,
            user=user,
            quote=app.quote,
        )
        _write_account(policy, Account(installments=()), bound.account, version=v, reason="issue")
        before = {"status": app.status}
        app.status = bound.state.value
        app.save(update_fields=["status"])
        audit_record(
            actor=user,
            action="policy.issue",
            object_type="policy",
            object_id=policy.number,
            after={
                **policy_records.policy_snapshot(policy),
                **policy_records.version_snapshot(v),
                "application": str(app.pk),
            },
        )
        audit_record(
            actor=user,
            action="application.bind",
            object_type="application",
            object_id=app.pk,
            before=before,
            after={"status": app.status, "policy": policy.number},
        )
    return policy, True


# ------------------------------------------------------------------------------------------ changes


def _apply_change(
    *,
    policy: Policy,
    record: usecase.PolicyRecord,
    outcome: usecase.ChangeOutcome,
    user: AbstractBaseUser,
    action: str,
) -> PolicyVersion:
    assert outcome.changed is not None and outcome.premium is not None  # noqa: S101 - applied outcomes only
    before = policies.current_version(policy)
    changed = outcome.changed
    v = policy_records.version_create(
        policy=policy,
        reason=PolicyVersion.Reason.CHANGE,
        effective_date=outcome.effective_date,
        risk=outcome.risk,
        monthly_premium=outcome.premium.monthly,
        annual_premium=outcome.premium.annual,
        premium_difference=changed.change.premium_difference,
        months_left=changed.change.months_left,
        user=user,
    )
    _write_account(policy, record.account, changed.account, version=v, reason="change")
    audit_record(
        actor=user,
        action=action,
        object_type="policy",
        object_id=policy.number,
        before=policy_records.version_snapshot(before),
        after={**policy_records.version_snapshot(v), "moves": _moves(changed.moves)},
    )
    return v


def policy_change(
    *,
    user: AbstractBaseUser,
    number: str,
    effective_date: Any,
    changes: Mapping[str, Any],
    today: dt.date | None = None,
) -> PolicyVersion | ChangeRequest:
    """A mid-term change (異動): a new version with its settlement, or a referral to an underwriter."""
    with transaction.atomic():
        policy = _locked_policy(user, number)
        record = selectors.policy_record(policy)
        outcome = usecase.change(
            productdb.catalog(),
            subject=accounts.subject_of(user),
            policy=record,
            effective_date=effective_date,
            changes=changes,
            today=_today(today),
        )
        if not outcome.referred:
            return _apply_change(policy=policy, record=record, outcome=outcome, user=user, action="policy.change")
        request = ChangeRequest.objects.create(
            policy=policy,
            effective_date=outcome.effective_date,
            changes=dict(changes),
            reasons=[r.to_dict("ja") for r in outcome.reasons],
            requested_by=user,
        )
        audit_record(
            actor=user,
            action="policy.change_referred",
            object_type="change_request",
            object_id=request.pk,
            after={
                "policy": policy.number,
                "changes": dict(changes),
                "effective_date": outcome.effective_date.isoformat(),
                "reasons": [r.code for r in outcome.reasons],
            },
        )
    return request


def change_request_decide(
    *, user: AbstractBaseUser, request_id: Any, decision: Any, reason: Any, monthly_premium: Any = None
) -> ChangeRequest:
    """An underwriter approves a referred change (it applies on its date) or declines it."""
    authority.require_role(accounts.subject_of(user), Action.DECIDE_CHANGE)
    with transaction.atomic():
        found = selectors.change_request_get(user=user, request_id=request_id)
        if found is None:
            raise NotFound
        request: ChangeRequest = locked(ChangeRequest.objects.all(), found.pk)
        policy = _locked_policy(user, request.policy.number)
        record = selectors.policy_record(policy)
        state, outcome = usecase.decide_change(
            productdb.catalog(),
            subject=accounts.subject_of(user),
            request=selectors.change_request_record(request),
            policy=record,
            decision=decision,
            reason=reason,
            monthly_premium=monthly_premium,
        )
        before = {"status": request.status}
        if outcome is not None:
            request.applied_version = _apply_change(
                policy=policy, record=record, outcome=outcome, user=user, action="policy.change_approved"
            )
        request.status = state.value
        request.decided_by, request.decided_at, request.decision_reason = user, timezone.now(), str(reason).strip()
        request.save()
        audit_record(
            actor=user,
            action=f"change_request.{decision!s}",
            object_type="change_request",
            object_id=request.pk,
            before=before,
            after={"status": request.status, "reason": request.decision_reason},
        )
    return request


# ------------------------------------------------------------------------------------------ cancellation


def policy_cancel(
    *, user: AbstractBaseUser, number: str, effective_date: Any, today: dt.date | None = None
) -> tuple[Policy, int]:
    """Cancellation by the policyholder (or their agent): (policy, the premium returned by §5)."""
    with transaction.atomic():
        policy = _locked_policy(user, number)
        record = selectors.policy_record(policy)
        cancelled = usecase.cancel(
            subject=accounts.subject_of(user), policy=record, effective_date=effective_date, today=_today(today)
        )
        result = cancelled.cancellation
        before = policy_records.policy_snapshot(policy)
        current = policies.current_version(policy)
        v = policy_records.version_create(
            policy=policy,
            reason=PolicyVersion.Reason.CANCELLATION,
            effective_date=result.effective_date,
            risk=current.risk,
            monthly_premium=current.monthly_premium_yen,
            annual_premium=current.annual_premium_yen,
            premium_difference=-result.refund,
            months_left=result.months_left,
            user=user,
            certificate=False,
        )
        _write_account(policy, record.account, cancelled.account, version=v, reason="cancellation")
        policy.status = PolicyState.CANCELLED.value
        policy.ended_at = result.cover_ends_at
        policy.save(update_fields=["status", "ended_at"])
        audit_record(
            actor=user,
            action="policy.cancel",
            object_type="policy",
            object_id=policy.number,
            before=before,
            after={
                **policy_records.policy_snapshot(policy),
                "refund_yen": result.refund,
                "effective_date": result.effective_date.isoformat(),
                "moves": _moves(cancelled.moves),
            },
        )
    return policy, result.refund


# ------------------------------------------------------------------------------------------ renewal


def renewal_offer_create(*, policy: Policy, on_date: dt.date) -> RenewalOffer:
    """The renewal offer: the same answers re-rated with the version in force at the renewal start."""
    renewal = lifecycle.renewal(
        version=policies.version_of(policy), start_date=policy.start_date, retroactive_date=policy.retroactive_date
    )
    raw = {**policies.current_version(policy).risk.as_inputs(), "start": renewal.start_date.isoformat()}
    saved, _ = quote_services.quote_create(raw=raw, business=policy.business, today=on_date)
    offer = RenewalOffer.objects.create(policy=policy, quote=saved, start_date=renewal.start_date, offered_on=on_date)
    audit_record(
        actor=None,
        action="policy.renewal_offer",
        object_type="policy",
        object_id=policy.number,
        after={
            "quote": str(saved.pk),
            "start_date": renewal.start_date.isoformat(),
            "status": saved.status,
            "monthly_premium_yen": saved.monthly_premium_yen,
            "annual_premium_yen": saved.annual_premium_yen,
            "product_version": saved.product_version.version,
        },
    )
    return offer


def renewal_accept(*, user: AbstractBaseUser, number: str) -> Application:
    """Accept the renewal offer of a policy: an application from the offer's quote, starting when the
    policy ends (approved when the re-rated quote is quoted, referred otherwise). Accepting again
    returns the same application."""
    with transaction.atomic():
        policy = _locked_policy(user, number)
        authority.require(accounts.subject_of(user), Action.RENEW, accounts.business_target(policy.business))
        existing = Application.objects.filter(renewal_of=policy).first()
        if existing is not None:
            return existing
        offer = RenewalOffer.objects.filter(policy=policy).select_related("quote").first()
        if offer is None:
            raise Conflict("renewal", "E_NO_RENEWAL_OFFER", policy=policy.number)
        quote = offer.quote
        state = lifecycle.APPLICATION_STATE_OF_DECISION[quote.status]
        app = Application.objects.create(
            quote=quote,
            business=policy.business,
            product_version=quote.product_version,
            inputs=quote.inputs,
            start_date=offer.start_date,
            payment=policy.payment,
            consent_at=timezone.now(),
            status=state.value,
            reasons=quote.result.get("reasons", []),
            monthly_premium_yen=quote.monthly_premium_yen,
            annual_premium_yen=quote.annual_premium_yen,
            created_by=user,
            renewal_of=policy,
        )
        audit_record(
            actor=user,
            action="policy.renewal_accept",
            object_type="policy",
            object_id=policy.number,
            after={"application": str(app.pk), "status": app.status, "start_date": offer.start_date.isoformat()},
        )
    return app


# ------------------------------------------------------------------------------------------ payments


def payment_record(  # noqa: PLR0913 - keyword-only: the fields of a payment, and where it came from
    *,
    user: AbstractBaseUser | None,
    policy_number: Any,
    amount: Any,
    paid_date: Any,
    reference: Any,
    source: str = "MANUAL",
    bank_import: BankImport | None = None,
) -> tuple[Payment, bool]:
    """Record a premium payment once per reference: (payment, created). It becomes credit, which pays what
    is owed oldest first; the same reference again with the same details is the same payment, with other
    details a conflict. ``user`` None: the daily bank file of a job (the demo's history)."""
    usecase.check_record_payment(accounts.subject_of(user) if user is not None else None)
    given = usecase.read_payment(policy_number=policy_number, amount=amount, paid_date=paid_date, reference=reference)
    existing = Payment.objects.filter(reference=given.reference).select_related("policy").first()
    if existing is not None:
        return _same_payment(existing, given), False
    try:
        with transaction.atomic():
            policy = _locked_policy(None, given.policy_number)
            record = selectors.policy_record(policy)
            payment = Payment.objects.create(
                reference=given.reference,
                policy=policy,
                amount_yen=given.amount,
                paid_date=given.paid_date,
                source=source,
                bank_import=bank_import,
                recorded_by=user,
            )
            after, moves = usecase.record_payment(policy=record, amount=given.amount)
            _write_account(policy, record.account, after, version=policies.current_version(policy), reason="payment")
            payment.unapplied_yen = after.credit
            payment.save(update_fields=["unapplied_yen"])
            audit_record(
                actor=user,
                action="payment.record",
                object_type="payment",
                object_id=given.reference,
                after={
                    "policy": policy.number,
                    "amount_yen": given.amount,
                    "paid_date": given.paid_date.isoformat(),
                    "source": source,
                    "credit_yen": after.credit,
                    "moves": _moves(moves),
                },
            )
    except IntegrityError:
        # Another request recorded this reference at the same moment: it is the same payment.
        existing = Payment.objects.select_related("policy").get(reference=given.reference)
        return _same_payment(existing, given), False
    return payment, True


def _same_payment(existing: Payment, given: usecase.PaymentInput) -> Payment:
    if (existing.policy.number, existing.amount_yen, existing.paid_date) != (
        given.policy_number,
        given.amount,
        given.paid_date,
    ):
        raise Conflict("reference", "E_PAYMENT_CONFLICT", reference=existing.reference)
    return existing


def decode_bank_file(data: bytes) -> tuple[str, str]:
    """The text of a bank file and its encoding: UTF-8 (with or without BOM) or Shift_JIS (cp932)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InvalidInput([FieldError("file", "E_ENCODING", {"path": "(upload)", "allowed": ["utf-8", "cp932"]})])


def _bank_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    mapping: dict[str, str] = {}
    for field, names in BANK_COLUMNS.items():
        found = next((h for h in header if h in names), None)
        if found is None:
            raise InvalidInput([FieldError(f"file.{field}", "E_COLUMN_MISSING", {"allowed": list(names)})])
        mapping[field] = found
    rows = []
    for raw in reader:
        clean = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        rows.append({field: clean.get(column, "") for field, column in mapping.items()})
    return rows


def bank_import(*, user: AbstractBaseUser, name: str, data: bytes) -> BankImport:
    """Import a bank transfer file: one payment per row, a reference seen before is recorded once."""
    usecase.check_record_payment(accounts.subject_of(user))
    text, encoding = decode_bank_file(data)
    rows = _bank_rows(text)
    with transaction.atomic():
        record = BankImport.objects.create(
            file_name=name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            encoding=encoding,
            rows=len(rows),
            imported_by=user,
        )
        unmatched: list[dict[str, Any]] = []
        for line, row in enumerate(rows, start=2):
            try:
                _, created = payment_record(user=user, source="BANK", bank_import=record, **row)
            except NotFound:
                unmatched.append({"line": line, **row, "problem": ["E_NOT_FOUND"]})
                continue
            except (InvalidInput, Conflict) as exc:
                problems = exc.errors if isinstance(exc, InvalidInput) else (exc.error,)
                unmatched.append({"line": line, **row, "problem": [e.code for e in problems]})
                continue
            if created:
                record.recorded += 1
            else:
                record.duplicates += 1
        record.unmatched = unmatched
        record.save(update_fields=["recorded", "duplicates", "unmatched"])
        audit_record(
            actor=user,
            action="payment.import",
            object_type="bank_import",
            object_id=record.pk,
            after={
                "file": record.file_name,
                "rows": record.rows,
                "recorded": record.recorded,
                "duplicates": record.duplicates,
                "unmatched": len(unmatched),
            },
        )
    return record


# ------------------------------------------------------------------------------------------ the daily job


def _end(policy: Policy, on_date: dt.date) -> str | None:
    """Lapse or expire one in-force policy (locked) on ``on_date``: "lapsed", "expired" or None."""
    record = selectors.policy_record(policy)
    ended = usecase.end(policy=record, on_date=on_date)
    if ended is None:
        return None
    kind = "lapse" if ended.state is PolicyState.LAPSED else "expiry"
    _write_account(policy, record.account, ended.account, version=policies.current_version(policy), reason=kind)
    before = policy_records.policy_snapshot(policy)
    policy.status = ended.state.value
    policy.ended_at = ended.at
    policy.save(update_fields=["status", "ended_at"])
    audit_record(
        actor=None,
        action="policy.lapse" if kind == "lapse" else "policy.expire",
        object_type="policy",
        object_id=policy.number,
        before=before,
        after={**policy_records.policy_snapshot(policy), "moves": _moves(ended.moves)},
    )
    return "lapsed" if kind == "lapse" else "expired"


def daily_run(*, on_date: dt.date) -> tuple[dict[str, Any], bool]:
    """Lapse, expire and offer renewals for ``on_date``: (summary, ran). Run again for the same date, it
    changes nothing and returns the first run's summary."""
    existing = DailyRun.objects.filter(date=on_date).first()
    if existing is not None:
        return existing.summary, False
    summary: dict[str, list[str]] = {"lapsed": [], "expired": [], "renewal_offers": []}
    notices: list[tuple[str, str, str]] = []
    try:
        with transaction.atomic():
            run = DailyRun.objects.create(date=on_date)
            for pk in Policy.objects.filter(status=Policy.Status.IN_FORCE).values_list("pk", flat=True):
                policy: Policy = locked(Policy.objects.select_related("business", "product_version"), pk)
                ended = _end(policy, on_date)
                if ended is not None:
                    summary[ended].append(policy.number)
                    continue
                due = usecase.renewal_offer_due(policy=selectors.policy_record(policy), on_date=on_date)
                if due is not None and not RenewalOffer.objects.filter(policy=policy).exists():
                    offer = renewal_offer_create(policy=policy, on_date=on_date)
                    summary["renewal_offers"].append(policy.number)
                    if policy.business.email:
                        notices.append((policy.business.email, policy.number, str(offer.quote_id)))
            run.summary = summary
            run.save(update_fields=["summary"])
            _send_renewal_notices(notices)  # queued: sent by a worker once this commits
    except IntegrityError:
        # The same date ran at the same moment elsewhere: its summary stands.
        return DailyRun.objects.get(date=on_date).summary, False
    return summary, True


def _send_renewal_notices(notices: list[tuple[str, str, str]]) -> None:
    for email, number, quote_id in notices:
        mail.mail_queue(
            subject=f"【守り】サイバー保険 更新のご案内 / Renewal offer ({number})",
            message=(
                f"証券番号 {number} の更新のご案内です。見積り番号: {quote_id}\n"
                f"Your renewal offer for policy {number}: quote {quote_id}\n\n"
                f"{settings.SITE_URL}{reverse('pages:policy', kwargs={'number': number})}\n"
            ),
            to=[email],
        )
