"""Writes of applications: submit (re-rated with the application's answers), underwriting decisions, bind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from mamori import authority, usecases
from mamori.authority import Action
from mamori.errors import FieldError, InvalidInput
from mamori.policy import lifecycle
from mamori.rating import inputs as rating_inputs
from mamori.rating import values
from mamori.usecases import policies as policy_usecases
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.accounts import services as account_services
from mamori.web.accounts.models import Business, Profile
from mamori.web.applications import selectors
from mamori.web.applications.models import Application
from mamori.web.audit.services import audit_record
from mamori.web.errors import NotFound
from mamori.web.productdb import selectors as productdb
from mamori.web.quotes import services as quote_services
from mamori.web.quotes.models import Quote
from mamori.web.rows import locked

#: Fields of a business an application may give.
BUSINESS_FIELDS = ("name", "entity", "address", "email", "new_business")
ENTITIES = rating_inputs.ENTITY_TYPES


def _snapshot(app: Application) -> dict[str, Any]:
    return {
        "status": app.status,
        "monthly_premium_yen": app.monthly_premium_yen,
        "annual_premium_yen": app.annual_premium_yen,
        "start_date": app.start_date.isoformat(),
        "payment": app.payment,
    }


def _read_business(details: Any, errors: list[FieldError]) -> dict[str, Any] | None:
    """The business answers of an application: a name and an entity (corporation or sole proprietor)."""
    if details is None:
        return None
    if not isinstance(details, Mapping):
        errors.append(FieldError("business", "E_OBJECT", {"value": details}))
        return None
    unknown = [k for k in details if k not in BUSINESS_FIELDS]
    errors.extend(
        FieldError(f"business.{k}", "E_UNKNOWN_FIELD", {"value": k, "allowed": list(BUSINESS_FIELDS)}) for k in unknown
    )
    name = details.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(FieldError("business.name", "E_REQUIRED" if name in (None, "") else "E_TEXT", {"value": name}))
    entity = values.read_choice(details.get("entity"), ENTITIES) if details.get("entity") is not None else None
    if entity is None or isinstance(entity, values.Failure):
        code = "E_REQUIRED" if details.get("entity") is None else "E_CHOICE"
        errors.append(FieldError("business.entity", code, {"value": details.get("entity"), "allowed": list(ENTITIES)}))
    new_business = values.read_boolean(details.get("new_business", False))
    if isinstance(new_business, values.Failure):
        errors.append(FieldError("business.new_business", "E_BOOLEAN", {"value": details.get("new_business")}))
    return {
        "name": str(name or "").strip(),
        "entity": entity,
        "address": str(details.get("address") or ""),
        "email": str(details.get("email") or ""),
        "new_business": bool(new_business) if not isinstance(new_business, values.Failure) else False,
    }


def _business_for(user: AbstractBaseUser, details: dict[str, Any] | None, business_id: int | None) -> Business:
    """The business applying: a policyholder's own (created at their first application), or an agent's
    client (an existing one of the agency, or a new one under it). Who may apply is the authority table's:
    staff never apply for a policyholder, whatever they may see."""
    subject = accounts.subject_of(user)
    authority.require_role(subject, Action.APPLY)
    if business_id is not None:
        found = accounts.visible_businesses(user).filter(pk=business_id).first()
        if found is None:
            raise NotFound
        authority.require(subject, Action.APPLY, accounts.business_target(found))
        return found
    profile = accounts.profile_of(user)
    if accounts.has_role(user, roles.POLICYHOLDER) and profile is not None and profile.business is not None:
        return profile.business
    if details is None:
        raise InvalidInput([FieldError("business", "E_REQUIRED", {"allowed": list(BUSINESS_FIELDS)})])
    agency = profile.agency if profile is not None and accounts.has_role(user, roles.AGENT) else None
    business = account_services.business_create(actor=user, agency=agency, **details)
    if accounts.has_role(user, roles.POLICYHOLDER) and agency is None:
        if profile is None:
            Profile.objects.create(user=user, business=business)
        else:
            profile.business = business
            profile.save(update_fields=["business"])
        accounts.forget_subject(user)
    authority.require(accounts.subject_of(user), Action.APPLY, accounts.business_target(business))
    return business


def _check_answers(
    *, start: Any, payment: Any, consent: Any, today: dt.date, errors: list[FieldError]
) -> dt.date | None:
    """The start date (a date, not in the past) and the consent; the payment is checked by the rating rules."""
    start_date: dt.date | None = None
    if values.is_null(start):
        errors.append(FieldError("start", "E_REQUIRED"))
    else:
        read = values.read_date(start)
        if isinstance(read, values.Failure):
            errors.append(FieldError("start", str(read), {"value": start}))
        elif read < today:
            errors.append(FieldError("start", "E_START_PAST", {"value": read.isoformat(), "today": today.isoformat()}))
        else:
            start_date = read
    if values.is_null(payment):
        errors.append(FieldError("payment", "E_REQUIRED", {"allowed": ["monthly", "annual"]}))
    if values.read_boolean(consent) is not True:
        errors.append(FieldError("consent", "E_CONSENT"))
    return start_date


def application_submit(  # noqa: PLR0913 - keyword-only: every answer of an application
    *,
    user: AbstractBaseUser,
    quote: Quote | None = None,
    inputs: Mapping[str, Any] | None = None,
    business: Mapping[str, Any] | None = None,
    business_id: int | None = None,
    start: Any,
    payment: Any,
    consent: Any,
    intent: Any = None,
    today: dt.date | None = None,
) -> Application:
    """Apply from a saved quote (or quote inputs), re-rated with the application's start, payment and
    business answers. A quoted risk is approved, a referred one goes to underwriting, a declined one is
    recorded with its reasons and can go no further. Raises InvalidInput (nothing is saved then)."""
    authority.require_role(accounts.subject_of(user), Action.APPLY)
    catalog = productdb.catalog()
    today = today or catalog.latest().today()
    errors: list[FieldError] = []
    details = _read_business(business, errors)
    start_date = _check_answers(start=start, payment=payment, consent=consent, today=today, errors=errors)
    if intent is not None and values.read_boolean(intent) is not True:
        errors.append(FieldError("intent", "E_INTENT"))  # 意向確認: asked by the page, then required
    base = quote.risk.as_inputs() if quote is not None else dict(inputs or {})
    raw = {**base, "start": start_date or base.get("start"), "payment": payment}
    if details is not None:
        raw.update(entity=details["entity"], new_business=details["new_business"])
    try:
        rated = usecases.quote(catalog, raw, today=today)
    except InvalidInput as exc:
        errors.extend(e for e in exc.errors if e.field != "start" or start_date is not None)
        rated = None
    if errors:
        raise InvalidInput(errors)
    assert rated is not None and start_date is not None  # noqa: S101 - no errors: both were read
    with transaction.atomic():
        applicant = _business_for(user, details, business_id)
        if details is None:
            rated = usecases.quote(
                catalog, {**raw, "entity": applicant.entity, "new_business": applicant.new_business}, today=today
            )
        saved_quote = (
            quote
            if quote is not None and quote.risk == rated.risk
            else quote_services.quote_save(quote=rated, user=user, business=applicant)
        )
        state = lifecycle.APPLICATION_STATE_OF_DECISION[rated.status]
        app = Application.objects.create(
            quote=saved_quote,
            business=applicant,
            product_version_id=productdb.record_id_for(rated.version.content_hash),
            inputs=rated.risk.to_stored(),
            start_date=start_date,
            payment=rated.risk.payment,
            consent_at=timezone.now(),
            intent_confirmed_at=timezone.now() if intent is not None else None,
            status=state.value,
            reasons=[r.to_dict("ja") for r in rated.reasons],
            monthly_premium_yen=rated.monthly_premium,
            annual_premium_yen=rated.annual_premium,
            created_by=user,
        )
        audit_record(
            actor=user, action="application.submit", object_type="application", object_id=app.pk, after=_snapshot(app)
        )
    return app


def _locked(application_id: Any) -> Application:
    app: Application = locked(Application.objects.all(), application_id)
    return app


def application_decide(
    *,
    user: AbstractBaseUser,
    application_id: Any,
    decision: str,
    reason: str,
    monthly_premium: Any = None,
) -> Application:
    """An underwriter approves (setting the premium of a referral, with a reason) or declines — never an
    application they submitted."""
    with transaction.atomic():
        app = _locked(application_id)
        before = _snapshot(app)
        state, premium, why = policy_usecases.decide_application(
            subject=accounts.subject_of(user),
            application=selectors.record_of(app),
            decision=decision,
            reason=reason,
            monthly_premium=monthly_premium,
        )
        if premium is not None:
            app.monthly_premium_yen, app.annual_premium_yen = premium.monthly, premium.annual
            app.premium_reason = why
        app.status = state.value
        app.decided_by, app.decided_at, app.decision_reason = user, timezone.now(), why
        app.save()
        audit_record(
            actor=user,
            action=f"application.{decision}",
            object_type="application",
            object_id=app.pk,
            before=before,
            after={**_snapshot(app), "reason": app.decision_reason},
        )
    return app
