"""The REST API of interfaces.md §2 under /api/v1, with its OpenAPI document at /api/v1/openapi.json.

Views only translate: they read the request, call a service or a selector, and shape the answer.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Status
from pydantic import BaseModel, ConfigDict, Field

from mamori.errors import FieldError, InvalidInput
from mamori.rating import inputs as rating_inputs
from mamori.web.accounts import services as account_services
from mamori.web.api import errors as api_errors
from mamori.web.api.auth import OptionalTokenAuth, TokenAuth
from mamori.web.api.claims import router as claims_router
from mamori.web.api.estimates import router as estimates_router
from mamori.web.api.idempotency import idempotent
from mamori.web.api.incidents import router as incidents_router
from mamori.web.api.parser import StrictJsonParser
from mamori.web.applications import selectors as application_selectors
from mamori.web.applications import services as application_services
from mamori.web.errors import NotFound
from mamori.web.policies import selectors as policy_selectors
from mamori.web.policies.models import ChangeRequest
from mamori.web.quotes import selectors as quote_selectors
from mamori.web.quotes import services as quote_services
from mamori.web.servicing import selectors as servicing_selectors
from mamori.web.servicing import services as servicing

api = NinjaAPI(
    title="Mamori API",
    version="1",
    description="サイバー保険 (SME cyber insurance): quotes, applications, policies, billing. "
    "Errors: 422 invalid input, 409 a state that does not allow the action, 404 not visible, "
    '403 not allowed, 401 no token — always {"errors": [{"field", "code", "message", "allowed", "params"}]} '
    "in Japanese or English by Accept-Language.",
    urls_namespace="api",
    auth=TokenAuth(),
    parser=StrictJsonParser(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api_errors.install(api)
api.add_router("", incidents_router)
api.add_router("", claims_router)
api.add_router("", estimates_router)

ERRORS = {401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


class _Open(BaseModel):
    """Documented fields; the service validates them (one error model for the page, the CLI and the API)."""

    model_config = ConfigDict(extra="allow")


class TokenIn(BaseModel):
    username: str
    password: str
    otp: str | None = Field(None, description="staff: the 6-digit code of the second factor (TOTP)")


class QuoteIn(_Open):
    industry: Any = Field(None, description="industry class, e.g. wholesale", examples=["wholesale"])
    revenue: Any = Field(
        None, description="annual revenue in yen (projected, for a new business)", examples=[500000000]
    )
    liability_limit: Any = Field(None, examples=[100000000])
    expense_limit: Any = Field(None, examples=[30000000])
    deductible: Any = Field(None, examples=[100000])
    security_measures: Any = Field(None, description="number of security measures declared (0-10)")
    measures: Any = Field(None, description='security-measure item ids declared, e.g. ["S01", "S04"]')
    payment: Any = Field(None, examples=["monthly"])
    overseas_share: Any = Field(None, description="percentage of revenue from outside Japan")
    north_america_share: Any = Field(None, description="percentage from the USA and Canada")
    bi_limit: Any = None
    pd_rider: Any = None
    start: Any = Field(None, description="policy start date YYYY-MM-DD (default: today)")
    term_months: Any = None
    entity: Any = None
    new_business: Any = None


class ApplicationIn(_Open):
    quote_id: Any = Field(None, description="a saved quote; or give the quote inputs instead")
    business: Any = Field(
        None,
        description='{"name": "...", "entity": "corporation"|"sole_proprietor", "address", "email", "new_business"}',
    )
    business_id: Any = Field(None, description="an existing business of the caller's agency")
    start: Any = Field(None, description="start date YYYY-MM-DD, not in the past")
    payment: Any = Field(None, examples=["monthly"])
    consent: Any = Field(True, description="consent to the terms and the important-matters explanation")
    intent: Any = Field(
        None,
        description="意向確認: true when the customer confirmed that the plan matches their needs (recorded); "
        "absent: not asked",
    )


class DecisionIn(BaseModel):
    decision: Any = Field(..., examples=["approve"])
    reason: Any = Field(..., description="why (recorded)")
    monthly_premium: Any = Field(None, description="for a referral: the monthly premium set by the underwriter")


class ChangeIn(_Open):
    effective_date: Any = Field(..., examples=["2026-10-01"])


class CancellationIn(BaseModel):
    effective_date: Any = Field(..., examples=["2026-10-01"])


class PaymentIn(BaseModel):
    policy_number: Any
    amount: Any
    paid_date: Any
    reference: Any


def _extra(schema: BaseModel) -> dict[str, Any]:
    return dict(schema.model_extra or {})


# ------------------------------------------------------------------------------------------ health


@api.get("/health", auth=None, response={200: dict, 503: dict}, tags=["health"])
def health(request: HttpRequest) -> Any:
    """200 ``{"status": "ok"}`` only when the database answers; otherwise 503 (for load balancers)."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure of the database is an unhealthy answer, never a 500
        connection.close_if_unusable_or_obsolete()
        body = api_errors.body(request, [FieldError("$", "E_UNAVAILABLE")])
        response = api.create_response(request, {"status": "unavailable", **body}, status=503)
        response["Retry-After"] = "30"
        return response
    return {"status": "ok"}


# ------------------------------------------------------------------------------------------ auth


@api.post("/auth/token", auth=None, response={200: dict, 401: dict, 429: dict}, tags=["auth"])
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    """Exchange a user name and password (and, for staff, the second-factor code ``otp``) for a bearer
    token (shown once; stored hashed; 12 hours, 30 minutes unused for staff)."""
    try:
        user = account_services.login_attempt(request=request, username=payload.username, password=payload.password)
    except account_services.LoginThrottled as exc:
        minutes = (exc.seconds + 59) // 60
        body = api_errors.body(request, [FieldError("username", "E_THROTTLED", {"minutes": minutes})])
        response = api.create_response(request, body, status=429)
        response["Retry-After"] = str(exc.seconds)
        return response
    if user is None:
        return Status(401, api_errors.body(request, [FieldError("password", "E_AUTH")]))
    try:
        verified = account_services.staff_token_second_factor(user=user, code=payload.otp)
    except account_services.SecondFactorRequired as exc:
        return Status(401, api_errors.body(request, [FieldError("otp", exc.code)]))
    record, token = account_services.api_token_create(user=user, name="api", second_factor=verified)
    return {"token": token, "prefix": record.prefix, "expires_at": record.expires_at.isoformat()}


@api.post("/auth/token/revoke", response={200: dict, **ERRORS}, tags=["auth"])
def token_revoke(request: HttpRequest) -> Any:
    """Revoke the token this request is made with."""
    account_services.api_token_revoke(user=request.user, token_id=request.auth_token.pk)
    return {"revoked": True}


@api.post("/auth/token/revoke-all", response={200: dict, **ERRORS}, tags=["auth"])
def token_revoke_all(request: HttpRequest) -> Any:
    """Revoke every token of the caller (this one included)."""
    return {"revoked": account_services.api_tokens_revoke_all(user=request.user)}


@api.get("/auth/tokens", response={200: list[dict[str, Any]], **ERRORS}, tags=["auth"])
def token_list(request: HttpRequest) -> Any:
    """The caller's tokens in force: prefix, name, created, last used, expiry (never the token)."""
    return [
        {
            "prefix": t.prefix,
            "name": t.name,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "current": t.pk == request.auth_token.pk,
        }
        for t in account_services.api_tokens_of(request.user)
    ]


# ------------------------------------------------------------------------------------------ quotes


@api.post("/quotes", auth=OptionalTokenAuth(), response={201: dict, 422: dict}, tags=["quotes"])
def quote_create(request: HttpRequest, payload: QuoteIn) -> Any:
    """Rate and save a quote (public). The answer is ``mamori quote --json`` plus the saved quote's ``id``."""
    raw = {**payload.model_dump(exclude_unset=True), **_extra(payload)}
    user = request.user if request.user.is_authenticated else None
    saved, rated = quote_services.quote_create(raw=raw, user=user)
    return Status(201, {"id": str(saved.pk), **rated.to_dict(api_errors.lang_of(request))})


@api.get("/quotes/{quote_id}", response={200: dict, **ERRORS}, tags=["quotes"])
def quote_get(request: HttpRequest, quote_id: str) -> Any:
    found = quote_selectors.quote_get(user=request.user, quote_id=quote_id)
    if found is None:
        raise NotFound
    return {"id": str(found.pk), **found.result}


# ------------------------------------------------------------------------------------------ applications


@api.post("/applications", response={201: dict, **ERRORS}, tags=["applications"])
def application_create(request: HttpRequest, payload: ApplicationIn) -> Any:
    """Apply from a saved quote or from quote inputs: approved, referred to underwriting, or declined."""
    data = payload.model_dump(exclude_unset=True)
    extra = _extra(payload)
    unknown = [k for k in extra if k not in rating_inputs.FIELDS]
    if unknown:
        known = [*ApplicationIn.model_fields, *rating_inputs.FIELDS]
        raise InvalidInput([rating_inputs.unknown_field_error(k, known) for k in unknown])
    quote = None
    if data.get("quote_id") is not None:
        quote = quote_selectors.quote_get(user=request.user, quote_id=data["quote_id"])
        if quote is None:
            raise NotFound
    app = application_services.application_submit(
        user=request.user,
        quote=quote,
        inputs=extra if quote is None else None,
        business=data.get("business"),
        business_id=data.get("business_id"),
        start=data.get("start"),
        payment=data.get("payment") or (quote.risk.payment if quote else None) or "monthly",
        consent=data.get("consent", True),
        intent=data.get("intent"),
    )
    return Status(201, application_selectors.application_json(app, api_errors.lang_of(request)))


@api.get("/applications/{application_id}", response={200: dict, **ERRORS}, tags=["applications"])
def application_get(request: HttpRequest, application_id: str) -> Any:
    app = application_selectors.application_get(user=request.user, application_id=application_id)
    if app is None:
        raise NotFound
    return application_selectors.application_json(app, api_errors.lang_of(request))


@api.post("/applications/{application_id}/decision", response={200: dict, **ERRORS}, tags=["underwriting"])
def application_decision(request: HttpRequest, application_id: str, payload: DecisionIn) -> Any:
    """An underwriter approves (setting a referral's premium, with a reason) or declines."""
    app = application_services.application_decide(
        user=request.user,
        application_id=_uuid(application_id),
        decision=payload.decision,
        reason=payload.reason,
        monthly_premium=payload.monthly_premium,
    )
    return application_selectors.application_json(app, api_errors.lang_of(request))


@api.post("/applications/{application_id}/bind", response={201: dict, 200: dict, **ERRORS}, tags=["policies"])
def application_bind(request: HttpRequest, application_id: str) -> Any:
    """Issue the policy. Binding again (or with the same Idempotency-Key) gives the same policy."""

    def action() -> tuple[int, Any]:
        policy, created = servicing.application_bind(user=request.user, application_id=_uuid(application_id))
        return (201 if created else 200), servicing_selectors.policy_json(policy)

    return Status(*idempotent(request, action))


def _uuid(value: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise NotFound from None


# ------------------------------------------------------------------------------------------ policies


@api.get("/policies", response={200: list[dict[str, Any]], **ERRORS}, tags=["policies"])
def policy_list(request: HttpRequest) -> Any:
    """The policies the caller may see (a policyholder's own; an agent's agency's; all for staff)."""
    return [
        servicing_selectors.policy_json(p) for p in policy_selectors.policies_visible(request.user).order_by("number")
    ]


@api.get("/policies/{number}", response={200: dict, **ERRORS}, tags=["policies"])
def policy_get(request: HttpRequest, number: str) -> Any:
    policy = policy_selectors.policy_get(user=request.user, number=number)
    if policy is None:
        raise NotFound
    return {**servicing_selectors.policy_json(policy), "versions": policy_selectors.versions_json(policy)}


@api.get("/policies/{number}/certificate", response={200: None, **ERRORS}, tags=["policies"])
def policy_certificate(request: HttpRequest, number: str, lang: str = "ja", version: int | None = None) -> HttpResponse:
    """The certificate (保険証券) as issued, ``application/pdf`` (``lang=en`` for English)."""
    policy = policy_selectors.policy_get(user=request.user, number=number)
    document = (
        policy_selectors.certificate_of(policy, lang="en" if lang == "en" else "ja", version=version)
        if policy
        else None
    )
    if document is None:
        raise NotFound
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number}-v{document.version.number}-{document.lang}.pdf"'
    return response


@api.post("/policies/{number}/changes", response={201: dict, **ERRORS}, tags=["policies"])
def policy_change(request: HttpRequest, number: str, payload: ChangeIn) -> Any:
    """A mid-term change (異動): ``premium_difference`` > 0 is charged, < 0 refunded (annual payment). A change
    whose new terms are referred or declined, or that widens cover while an incident is open, goes to an
    underwriter: ``{"status": "referred", "id", "reasons"}``. No backdating: the effective date is today or later."""

    def action() -> tuple[int, Any]:
        result = servicing.policy_change(
            user=request.user, number=number, effective_date=payload.effective_date, changes=_extra(payload)
        )
        if isinstance(result, ChangeRequest):
            referred = servicing_selectors.change_request_json(result, api_errors.lang_of(request))
            return 201, {**referred, "status": "referred", "request_status": referred["status"]}
        doc = servicing_selectors.policy_json(result.policy)
        return 201, {
            "status": "applied",
            "version": result.number,
            "premium_difference": result.premium_difference_yen,
            "months_left": result.months_left,
            "monthly_premium": result.monthly_premium_yen,
            "annual_premium": result.annual_premium_yen,
            "installments": doc["installments"],
            "credit": doc["credit"],
        }

    return Status(*idempotent(request, action))


@api.get("/change-requests", response={200: list[dict[str, Any]], **ERRORS}, tags=["underwriting"])
def change_requests(request: HttpRequest) -> Any:
    """The referred changes waiting for an underwriter (underwriters)."""
    lang = api_errors.lang_of(request)
    return [
        servicing_selectors.change_request_json(r, lang)
        for r in servicing_selectors.change_requests_pending(request.user)[:500]
    ]


@api.get("/change-requests/{request_id}", response={200: dict, **ERRORS}, tags=["underwriting"])
def change_request_get(request: HttpRequest, request_id: str) -> Any:
    found = servicing_selectors.change_request_get(user=request.user, request_id=request_id)
    if found is None:
        raise NotFound
    return servicing_selectors.change_request_json(found, api_errors.lang_of(request))


@api.post("/change-requests/{request_id}/decision", response={200: dict, **ERRORS}, tags=["underwriting"])
def change_request_decision(request: HttpRequest, request_id: str, payload: DecisionIn) -> Any:
    """An underwriter approves a referred change — it applies on its effective date, at the rated premium or
    ``monthly_premium`` when given — or declines it; never a change they asked for themselves."""

    def action() -> tuple[int, Any]:
        decided = servicing.change_request_decide(
            user=request.user,
            request_id=request_id,
            decision=payload.decision,
            reason=payload.reason,
            monthly_premium=payload.monthly_premium,
        )
        return 200, servicing_selectors.change_request_json(decided, api_errors.lang_of(request))

    return Status(*idempotent(request, action))


@api.post("/policies/{number}/cancellation", response={200: dict, **ERRORS}, tags=["policies"])
def policy_cancel(request: HttpRequest, number: str, payload: CancellationIn) -> Any:
    def action() -> tuple[int, Any]:
        policy, refund = servicing.policy_cancel(
            user=request.user, number=number, effective_date=payload.effective_date
        )
        doc = servicing_selectors.policy_json(policy)
        return 200, {
            "status": policy.status.lower(),
            "refund": refund,
            "refunds": doc["refunds"],
            "credit": doc["credit"],
            "owed": doc["owed"],
            "ended_at": policy.ended_at.isoformat() if policy.ended_at else None,
        }

    return Status(*idempotent(request, action))


@api.post("/policies/{number}/renewal", response={201: dict, 200: dict, **ERRORS}, tags=["policies"])
def policy_renewal(request: HttpRequest, number: str) -> Any:
    """Accept the renewal offer: an application starting at the end of the policy (then bind it)."""

    def action() -> tuple[int, Any]:
        app = servicing.renewal_accept(user=request.user, number=number)
        return 201, application_selectors.application_json(app, api_errors.lang_of(request))

    return Status(*idempotent(request, action))


# ------------------------------------------------------------------------------------------ payments


@api.post("/payments", response={201: dict, 200: dict, **ERRORS}, tags=["billing"])
def payment_create(request: HttpRequest, payload: PaymentIn) -> Any:
    """Record a payment (staff). The same ``reference`` twice records one payment."""

    def action() -> tuple[int, Any]:
        payment, created = servicing.payment_record(
            user=request.user,
            policy_number=payload.policy_number,
            amount=payload.amount,
            paid_date=payload.paid_date,
            reference=payload.reference,
        )
        return (201 if created else 200), {
            "id": payment.pk,
            "reference": payment.reference,
            "policy_number": payment.policy.number,
            "amount": payment.amount_yen,
            "paid_date": payment.paid_date.isoformat(),
            "unapplied": payment.unapplied_yen,
            "credit": servicing_selectors.policy_json(payment.policy)["credit"],
            "created": created,
        }

    return Status(*idempotent(request, action))
