"""Writes of billing (product.md §5): installments, payments (by hand or bank file), changes and
cancellations settled, and the daily job (lapse, expiry, renewal offers), idempotent for a date."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from mamori import calendar
from mamori import catalog as catalog_mod
from mamori.errors import FieldError, InvalidInput
from mamori.policy import arithmetic, lifecycle, schedule
from mamori.rating import values
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.audit.services import audit_record
from mamori.web.billing.models import BankImport, Charge, DailyRun, Installment, Payment, Refund
from mamori.web.errors import Conflict, Forbidden, NotFound
from mamori.web.policies import services as policy_services
from mamori.web.policies.models import Policy, PolicyVersion, RenewalOffer

#: Column names a bank file may use (Japanese or English), by field.
BANK_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "paid_date": ("入金日", "取引日", "paid_date", "date"),
    "amount": ("金額", "入金額", "amount"),
    "policy_number": ("証券番号", "policy_number", "policy"),
    "reference": ("参照番号", "取引番号", "reference", "ref"),
}


def plan_of(policy: Policy, product: catalog_mod.ProductVersion) -> schedule.PaymentPlan:
    """The policy's payment plan as the core sees it, from the stored installments."""
    items = tuple(
        schedule.Installment(
            number=i.number, due_date=i.due_date, amount=i.amount_yen, status=schedule.InstallmentStatus(i.status)
        )
        for i in policy.installments.order_by("number")
    )
    current = policy_services.current_version(policy)
    premium = current.monthly_premium_yen if policy.payment == "monthly" else current.annual_premium_yen
    return schedule.PaymentPlan(
        payment=policy.payment, start_date=policy.start_date, premium=premium, installments=items
    )


def installments_create(
    *, policy: Policy, version: PolicyVersion, product: catalog_mod.ProductVersion
) -> list[Installment]:
    premium = version.monthly_premium_yen if policy.payment == "monthly" else version.annual_premium_yen
    plan = schedule.payment_plan(version=product, payment=policy.payment, start_date=policy.start_date, premium=premium)
    return Installment.objects.bulk_create(
        Installment(policy=policy, number=i.number, due_date=i.due_date, amount_yen=i.amount, set_by=version)
        for i in plan.installments
    )


def _sync(policy: Policy, items: Iterable[schedule.Installment], version: PolicyVersion) -> None:
    """Store what the core changed: new amounts (set by ``version``) and cancellations."""
    stored = {i.number: i for i in policy.installments.select_for_update()}
    for item in items:
        row = stored[item.number]
        changed: list[str] = []
        if item.amount != row.amount_yen:
            row.amount_yen, row.set_by = item.amount, version
            changed += ["amount_yen", "set_by"]
        if item.status == schedule.InstallmentStatus.CANCELLED and row.status != Installment.Status.CANCELLED:
            row.status, row.cancelled_by = Installment.Status.CANCELLED, version
            changed += ["status", "cancelled_by"]
        elif row.status != Installment.Status.CANCELLED:
            status = Installment.Status.PAID if row.paid_yen >= row.amount_yen else Installment.Status.DUE
            if status != row.status:
                row.status = status
                changed.append("status")
        if changed:
            row.save(update_fields=changed)


def apply_change(*, policy: Policy, version: PolicyVersion, change: arithmetic.Change) -> None:
    """A change of an annual payment is charged or refunded now; of a monthly one, the installments change."""
    _sync(policy, change.plan.installments, version)
    if change.premium_difference > 0:
        Charge.objects.create(
            policy=policy, amount_yen=change.premium_difference, due_date=change.effective_date, version=version
        )
    elif change.premium_difference < 0:
        Refund.objects.create(policy=policy, amount_yen=-change.premium_difference, reason="change", version=version)


def apply_cancellation(*, policy: Policy, version: PolicyVersion, cancellation: arithmetic.Cancellation) -> None:
    _sync(policy, cancellation.plan.installments, version)
    if cancellation.refund > 0:
        Refund.objects.create(policy=policy, amount_yen=cancellation.refund, reason="cancellation", version=version)


# ------------------------------------------------------------------------------------------ payments


def _read_payment(*, policy_number: Any, amount: Any, paid_date: Any, reference: Any) -> tuple[str, int, dt.date, str]:
    errors: list[FieldError] = []
    number = str(policy_number or "").strip()
    if not number:
        errors.append(FieldError("policy_number", "E_REQUIRED"))
    read_amount = values.read_integer(amount) if not values.is_null(amount) else values.Failure("E_REQUIRED")
    if isinstance(read_amount, values.Failure) or read_amount <= 0:
        errors.append(
            FieldError(
                "amount",
                "E_RANGE" if not isinstance(read_amount, values.Failure) else str(read_amount),
                {"value": amount, "minimum": 1, "maximum": 10**12},
            )
        )
    day = values.read_date(paid_date) if not values.is_null(paid_date) else values.Failure("E_REQUIRED")
    if isinstance(day, values.Failure):
        errors.append(FieldError("paid_date", str(day), {"value": paid_date}))
    ref = str(reference or "").strip()
    if not ref or len(ref) > 100:
        errors.append(FieldError("reference", "E_REQUIRED" if not ref else "E_TEXT", {"value": reference}))
    if errors:
        raise InvalidInput(errors)
    assert isinstance(read_amount, int) and isinstance(day, dt.date)  # noqa: S101 - checked above
    return number, read_amount, day, ref


def _allocate(policy: Policy, amount: int) -> int:
    """Pay the oldest amounts due first (installments, then charges); returns what nothing could take."""
    left = amount
    for item in (
        policy.installments.select_for_update().filter(status=Installment.Status.DUE).order_by("due_date", "number")
    ):
        take = min(left, item.amount_yen - item.paid_yen)
        if take <= 0:
            continue
        item.paid_yen += take
        item.status = Installment.Status.PAID if item.paid_yen >= item.amount_yen else Installment.Status.DUE
        item.save(update_fields=["paid_yen", "status"])
        left -= take
        if left == 0:
            return 0
    for charge in policy.charges.select_for_update().filter(paid_yen__lt=F("amount_yen")).order_by("due_date"):
        take = min(left, charge.amount_yen - charge.paid_yen)
        if take > 0:
            charge.paid_yen += take
            charge.save(update_fields=["paid_yen"])
            left -= take
    return left


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
    """Record a payment once per reference: (payment, created). The same reference again with the same
    details is the same payment; with other details it is a conflict."""
    if user is not None and not accounts.has_role(user, *roles.BILLING):
        raise Forbidden
    number, yen, day, ref = _read_payment(
        policy_number=policy_number, amount=amount, paid_date=paid_date, reference=reference
    )
    existing = Payment.objects.filter(reference=ref).select_related("policy").first()
    if existing is not None:
        return _same_payment(existing, number, yen, day), False
    try:
        with transaction.atomic():
            policy = Policy.objects.select_for_update().filter(number=number).first()
            if policy is None:
                raise NotFound
            payment = Payment.objects.create(
                reference=ref,
                policy=policy,
                amount_yen=yen,
                paid_date=day,
                source=source,
                bank_import=bank_import,
                recorded_by=user,
            )
            payment.unapplied_yen = _allocate(policy, yen)
            payment.save(update_fields=["unapplied_yen"])
            audit_record(
                actor=user,
                action="payment.record",
                object_type="payment",
                object_id=ref,
                after={
                    "policy": number,
                    "amount_yen": yen,
                    "paid_date": day.isoformat(),
                    "source": source,
                    "unapplied_yen": payment.unapplied_yen,
                },
            )
    except IntegrityError:
        # Another request recorded this reference at the same moment: it is the same payment.
        existing = Payment.objects.select_related("policy").get(reference=ref)
        return _same_payment(existing, number, yen, day), False
    return payment, True


def _same_payment(existing: Payment, number: str, yen: int, day: dt.date) -> Payment:
    if (existing.policy.number, existing.amount_yen, existing.paid_date) != (number, yen, day):
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
    if not accounts.has_role(user, *roles.BILLING):
        raise Forbidden
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
            for policy in (
                Policy.objects.select_for_update()
                .filter(status=Policy.Status.IN_FORCE)
                .select_related("business", "product_version")
            ):
                product = policy_services.version_of(policy)
                if _lapse(policy, product, on_date, summary):
                    continue
                end_of_day = calendar.at_time(on_date + dt.timedelta(days=1), dt.time(0, 0), product.tz)
                if lifecycle.has_expired(version=product, start_date=policy.start_date, now=end_of_day):
                    policy_services.policy_end(policy=policy, action=lifecycle.PolicyAction.EXPIRE, at=policy.end_at)
                    summary["expired"].append(policy.number)
                    continue
                due = lifecycle.renewal_offer_due(version=product, start_date=policy.start_date, on_date=on_date)
                if due and not RenewalOffer.objects.filter(policy=policy).exists():
                    offer = policy_services.renewal_offer_create(policy=policy, on_date=on_date)
                    summary["renewal_offers"].append(policy.number)
                    if policy.business.email:
                        notices.append((policy.business.email, policy.number, str(offer.quote_id)))
            run.summary = summary
            run.save(update_fields=["summary"])
            transaction.on_commit(lambda: _send_renewal_notices(notices))
    except IntegrityError:
        # The same date ran at the same moment elsewhere: its summary stands.
        return DailyRun.objects.get(date=on_date).summary, False
    return summary, True


def _lapse(
    policy: Policy, product: catalog_mod.ProductVersion, on_date: dt.date, summary: dict[str, list[str]]
) -> bool:
    plan = plan_of(policy, product)
    found = lifecycle.lapse(version=product, installments=plan.installments, on_date=on_date)
    if found is None:
        return False
    cancelled = set(found.cancelled)
    Installment.objects.filter(Q(policy=policy) & Q(number__in=cancelled) & ~Q(status=Installment.Status.PAID)).update(
        status=Installment.Status.CANCELLED
    )
    policy_services.policy_end(policy=policy, action=lifecycle.PolicyAction.LAPSE, at=found.lapsed_at)
    summary["lapsed"].append(policy.number)
    return True


def _send_renewal_notices(notices: list[tuple[str, str, str]]) -> None:
    for email, number, quote_id in notices:
        send_mail(
            subject=f"【守り】サイバー保険 更新のご案内 / Renewal offer ({number})",
            message=(
                f"証券番号 {number} の更新のご案内です。見積り番号: {quote_id}\n"
                f"Your renewal offer for policy {number}: quote {quote_id}"
            ),
            from_email=None,
            recipient_list=[email],
            fail_silently=True,
        )
