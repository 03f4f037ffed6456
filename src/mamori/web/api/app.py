"""The REST API of interfaces.md §2 under /api/v1, with its OpenAPI document at /api/v1/openapi.json.

Views only translate: they read the request, call a service or a selector, and shape the answer.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import BaseModel, Field, JsonValue

from mamori.errors import FieldError, InvalidInput
from mamori.rating import inputs as rating_inputs
from mamori.web import paging
from mamori.web.accounts import services as account_services
from mamori.web.api import errors as api_errors
from mamori.web.api.auth import OptionalTokenAuth, TokenAuth
from mamori.web.api.books import router as books_router
from mamori.web.api.claims import router as claims_router
from mamori.web.api.estimates import router as estimates_router
from mamori.web.api.idempotency import idempotent
from mamori.web.api.incidents import router as incidents_router
from mamori.web.api.parser import StrictJsonParser
from mamori.web.api.schemas import (
    ERRORS,
    ApplicationOut,
    Between,
    Day,
    ErrorsOut,
    Id,
    Inputs,
    InstallmentOut,
    Name,
    Open,
    Percent,
    PolicyOut,
    PositiveYen,
    Reason,
    RowId,
    Text,
    Yen,
    binary,
    link_core_parts,
)
from mamori.web.applications import selectors as application_selectors
from mamori.web.applications import services as application_services
from mamori.web.errors import NotFound
from mamori.web.policies import selectors as policy_selectors
from mamori.web.policies import services as policy_services
from mamori.web.policies.models import ChangeRequest
from mamori.web.quotes import selectors as quote_selectors
from mamori.web.quotes import services as quote_services
from mamori.web.servicing import selectors as servicing_selectors
from mamori.web.servicing import services as servicing


class MamoriApi(NinjaAPI):
    """The API, whose OpenAPI document also holds the core's claim-document schema (``/claims/calculate``)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        from mamori.claims.schema import ClaimDocument

        prefix = "ClaimDocument"
        document = ClaimDocument.model_json_schema(ref_template=f"#/components/schemas/{prefix}.{{model}}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update({f"{prefix}.{name}": sub for name, sub in document.pop("$defs", {}).items()})
        components[prefix] = document
        return link_core_parts(schema)

    def validation_error_from_error_contexts(self, error_contexts: list[Any]) -> NinjaValidationError:
        """As ninja's, keeping each error's input: the 422 names the value given (``E_INTEGER`` … got "many")."""
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = model.__ninja_flatten_map_reverse__.get(error["loc"], error["loc"])
                error["loc"] = (model.__ninja_param_source__, *loc)
                if isinstance((error.get("ctx") or {}).get("error"), Exception):
                    error["ctx"]["error"] = str(error["ctx"]["error"])
                errors.append(dict(error))
        return NinjaValidationError(errors)


api = MamoriApi(
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
api.add_router("", books_router)


#: Items of ``measures``: the core names an unknown or repeated id itself (once, linearly in the list), so the
#: schema only caps the work (a list of thousands is answered by the core's ``E_MEASURE_DUPLICATE``).
MEASURES_MAX: Final = 20_000
MEASURES_TEXT_MAX: Final = 200_000


class TokenIn(BaseModel):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    otp: str | None = Field(None, max_length=16, description="staff: the 6-digit code of the second factor (TOTP)")


class QuoteIn(Inputs):
    industry: Name | None = Field(None, description="industry class, e.g. wholesale", examples=["wholesale"])
    revenue: PositiveYen | None = Field(
        None, description="annual revenue in yen (projected, for a new business)", examples=[500000000]
    )
    liability_limit: PositiveYen | None = Field(None, examples=[100000000])
    expense_limit: PositiveYen | None = Field(None, examples=[30000000])
    deductible: PositiveYen | None = Field(None, examples=[100000])
    security_measures: Annotated[int, Between(0, 100)] | None = Field(
        None, description="number of security measures declared"
    )
    measures: (
        Annotated[list[Annotated[str, Field(max_length=16)]], Field(max_length=MEASURES_MAX)]
        | Annotated[str, Field(max_length=MEASURES_TEXT_MAX)]
        | None
    ) = Field(None, description='security-measure item ids declared, e.g. ["S01", "S04"] (or "S01,S04")')
    payment: Name | None = Field(None, examples=["monthly"])
    overseas_share: Percent | None = Field(None, description="percentage of revenue from outside Japan")
    north_america_share: Percent | None = Field(None, description="percentage from the USA and Canada")
    bi_limit: PositiveYen | None = None
    pd_rider: bool | None = None
    start: Day | None = Field(None, description="policy start date YYYY-MM-DD (default: today)")
    term_months: Annotated[int, Between(1, 120)] | None = None
    entity: Literal["corporation", "sole_proprietor"] | None = None
    new_business: bool | None = None


class BusinessIn(Inputs):
    name: Name | None = None
    entity: Literal["corporation", "sole_proprietor"] | None = None
    address: Name | None = None
    email: Name | None = None
    new_business: bool | None = None


class ApplicationIn(QuoteIn):
    quote_id: Id | None = Field(None, description="a saved quote; or give the quote inputs instead")
    business: BusinessIn | None = Field(None, description="the business applying (a new one)")
    business_id: RowId | None = Field(None, description="an existing business of the caller's agency")
    start: Day | None = Field(None, description="start date YYYY-MM-DD, not in the past")
    consent: bool = Field(True, description="consent to the terms and the important-matters explanation")


class DecisionIn(BaseModel):
    decision: Literal["approve", "decline"] = Field(..., examples=["approve"])
    reason: Text = Field(..., description="why (recorded)")
    monthly_premium: PositiveYen | None = Field(
        None, description="for a referral: the monthly premium set by the underwriter"
    )


class ChangeIn(Inputs):
    effective_date: Day = Field(..., examples=["2026-10-01"])
    liability_limit: PositiveYen | None = None
    expense_limit: PositiveYen | None = None
    deductible: PositiveYen | None = None
    bi_limit: PositiveYen | None = None
    pd_rider: bool | None = None


class CancellationIn(BaseModel):
    effective_date: Day = Field(..., examples=["2026-10-01"])


class PaymentIn(BaseModel):
    policy_number: Id
    amount: Yen
    paid_date: Day
    reference: Name


# ------------------------------------------------------------------------------------------ answers


class HealthOut(Open):
    status: str = Field(description="ok; unavailable (503, with errors)")


class HealthDown(ErrorsOut):
    status: str


class TokenOut(Open):
    token: str = Field(description="shown once; send it as Authorization: Bearer <token>")
    prefix: str
    expires_at: str | None


class RevokedOut(Open):
    revoked: bool


class RevokedAllOut(Open):
    revoked: int = Field(description="how many tokens were revoked")


class TokenInfo(Open):
    prefix: str
    name: str
    created_at: str
    last_used_at: str | None
    expires_at: str | None
    current: bool


class QuoteOut(Open):
    """The answer of ``mamori quote --json`` (interfaces.md §1.1) plus the saved quote's ``id``."""

    id: str
    status: str = Field(description="ok, refer or decline")
    monthly_premium: int | None = None
    annual_premium: int | None = None
    currency: str | None = None
    product: str | None = None
    product_version: str | None = None
    product_hash: str | None = None
    reasons: list[Reason] = Field(default_factory=list)
    payment: str | None = None
    premium: int | None = None
    inputs: dict[str, JsonValue] | None = None


class PolicyDetailOut(PolicyOut):
    versions: list[dict[str, JsonValue]]


class ChangeRequestOut(Open):
    id: int
    status: str
    policy_number: str
    effective_date: str
    changes: dict[str, JsonValue]
    reasons: list[Reason]
    decision_reason: str | None
    version: int | None
    created_at: str


class ChangeOut(Open):
    """Applied: the new version and its premium difference; referred: the change request."""

    status: str = Field(description="applied or referred")
    version: int | None = None
    premium_difference: int | None = None
    months_left: int | None = None
    monthly_premium: int | None = None
    annual_premium: int | None = None
    installments: list[InstallmentOut] | None = None
    credit: int | None = None
    id: int | None = None
    reasons: list[Reason] | None = None
    request_status: str | None = None


class CancellationOut(Open):
    status: str
    refund: int
    refunds: int
    credit: int
    owed: int
    ended_at: str | None


class PaymentOut(Open):
    id: int
    reference: str
    policy_number: str
    amount: int
    paid_date: str
    unapplied: int
    credit: int
    created: bool


def _extra(schema: BaseModel) -> dict[str, Any]:
    return dict(schema.model_extra or {})


def _changes(payload: ChangeIn) -> dict[str, Any]:
    """The terms a change gives (declared or not: the core refuses an unknown one with a suggestion)."""
    return {k: v for k, v in payload.model_dump(exclude_unset=True).items() if k != "effective_date"}


# ------------------------------------------------------------------------------------------ health


@api.get("/health", auth=None, exclude_unset=True, response={200: HealthOut, 503: HealthDown}, tags=["health"])
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


@api.post(
    "/auth/token",
    auth=None,
    exclude_unset=True,
    response={200: TokenOut, 401: ErrorsOut, 422: ErrorsOut, 429: ErrorsOut},
    tags=["auth"],
)
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


@api.post("/auth/token/revoke", exclude_unset=True, response={200: RevokedOut, **ERRORS}, tags=["auth"])
def token_revoke(request: HttpRequest) -> Any:
    """Revoke the token this request is made with."""
    account_services.api_token_revoke(user=request.user, token_id=request.auth_token.pk)
    return {"revoked": True}


@api.post("/auth/token/revoke-all", exclude_unset=True, response={200: RevokedAllOut, **ERRORS}, tags=["auth"])
def token_revoke_all(request: HttpRequest) -> Any:
    """Revoke every token of the caller (this one included)."""
    return {"revoked": account_services.api_tokens_revoke_all(user=request.user)}


@api.get("/auth/tokens", exclude_unset=True, response={200: list[TokenInfo], **ERRORS}, tags=["auth"])
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


@api.post(
    "/quotes",
    auth=OptionalTokenAuth(),
    exclude_unset=True,
    response={201: QuoteOut, 422: ErrorsOut, 429: ErrorsOut},
    tags=["quotes"],
)
def quote_create(request: HttpRequest, payload: QuoteIn) -> Any:
    """Rate and save a quote (public). The answer is ``mamori quote --json`` plus the saved quote's ``id``."""
    raw = {**payload.model_dump(exclude_unset=True), **_extra(payload)}
    user = request.user if request.user.is_authenticated else None
    saved, rated = quote_services.quote_create(raw=raw, user=user)
    return Status(201, {"id": str(saved.pk), **rated.to_dict(api_errors.lang_of(request))})


@api.get("/quotes/{quote_id}", exclude_unset=True, response={200: QuoteOut, **ERRORS}, tags=["quotes"])
def quote_get(request: HttpRequest, quote_id: str) -> Any:
    found = quote_selectors.quote_get(user=request.user, quote_id=quote_id)
    if found is None:
        raise NotFound
    return {"id": str(found.pk), **found.result}


# ------------------------------------------------------------------------------------------ applications


#: The fields of an application that are not quote inputs (``start`` and ``payment`` are read on their own).
_APPLICATION_OWN = frozenset({"quote_id", "business", "business_id", "start", "payment", "consent"})


@api.post("/applications", exclude_unset=True, response={201: ApplicationOut, **ERRORS}, tags=["applications"])
def application_create(request: HttpRequest, payload: ApplicationIn) -> Any:
    """Apply from a saved quote or from quote inputs: approved, referred to underwriting, or declined."""
    data = payload.model_dump(exclude_unset=True)
    extra = {k: v for k, v in data.items() if k not in _APPLICATION_OWN}
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
    )
    return Status(201, application_selectors.application_json(app, api_errors.lang_of(request)))


@api.get(
    "/applications/{application_id}",
    exclude_unset=True,
    response={200: ApplicationOut, **ERRORS},
    tags=["applications"],
)
def application_get(request: HttpRequest, application_id: str) -> Any:
    app = application_selectors.application_get(user=request.user, application_id=application_id)
    if app is None:
        raise NotFound
    return application_selectors.application_json(app, api_errors.lang_of(request))


@api.post(
    "/applications/{application_id}/decision",
    exclude_unset=True,
    response={200: ApplicationOut, **ERRORS},
    tags=["underwriting"],
)
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


@api.post(
    "/applications/{application_id}/bind",
    exclude_unset=True,
    response={201: PolicyOut, 200: PolicyOut, **ERRORS},
    tags=["policies"],
)
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


@api.get("/policies", exclude_unset=True, response={200: list[PolicyOut], **ERRORS}, tags=["policies"])
def policy_list(
    request: HttpRequest,
    status: Annotated[str, Field(max_length=40)] = "",
    industry: Annotated[str, Field(max_length=80)] = "",
    q: Annotated[str, Field(max_length=100)] = "",
    limit: Annotated[int, Between(1, paging.API_MAX_LIMIT)] = paging.API_LIMIT,
    offset: Annotated[int, Between(0, 10**9)] = 0,
) -> Any:
    """The policies the caller may see (a policyholder's own; an agent's agency's; all for staff), by
    number: ``status`` (in_force …), ``industry``, ``q`` (a number or part of the business's name), and a
    window of ``limit`` (at most 500) from ``offset``."""
    rows = policy_selectors.policies_list(request.user, status=status, industry=industry, search=q[:100])
    return [servicing_selectors.policy_json(p) for p in paging.window(rows.order_by("number"), limit, offset)]


@api.get("/policies/{number}", exclude_unset=True, response={200: PolicyDetailOut, **ERRORS}, tags=["policies"])
def policy_get(request: HttpRequest, number: str) -> Any:
    policy = policy_selectors.policy_get(user=request.user, number=number)
    if policy is None:
        raise NotFound
    return {**servicing_selectors.policy_json(policy), "versions": policy_selectors.versions_json(policy)}


@api.get(
    "/policies/{number}/certificate",
    response={200: None, **ERRORS},
    tags=["policies"],
    openapi_extra=binary("application/pdf", "the certificate (保険証券)"),
)
def policy_certificate(
    request: HttpRequest,
    number: str,
    lang: Annotated[str, Field(max_length=8, description="ja or en")] = "ja",
    version: Annotated[int, Between(1, 10_000)] | None = None,
) -> HttpResponse:
    """The certificate (保険証券) as issued, ``application/pdf`` (``lang=en`` for English)."""
    policy = policy_selectors.policy_get(user=request.user, number=number)
    if policy is not None:
        policy_services.certificates_ensure(policy)
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


@api.post("/policies/{number}/changes", exclude_unset=True, response={201: ChangeOut, **ERRORS}, tags=["policies"])
def policy_change(request: HttpRequest, number: str, payload: ChangeIn) -> Any:
    """A mid-term change (異動): ``premium_difference`` > 0 is charged, < 0 refunded (annual payment). A change
    whose new terms are referred or declined, or that widens cover while an incident is open, goes to an
    underwriter: ``{"status": "referred", "id", "reasons"}``. No backdating: the effective date is today or later."""

    def action() -> tuple[int, Any]:
        result = servicing.policy_change(
            user=request.user, number=number, effective_date=payload.effective_date, changes=_changes(payload)
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


@api.get(
    "/change-requests", exclude_unset=True, response={200: list[ChangeRequestOut], **ERRORS}, tags=["underwriting"]
)
def change_requests(request: HttpRequest) -> Any:
    """The referred changes waiting for an underwriter (underwriters)."""
    lang = api_errors.lang_of(request)
    return [
        servicing_selectors.change_request_json(r, lang)
        for r in servicing_selectors.change_requests_pending(request.user)[:500]
    ]


@api.get(
    "/change-requests/{request_id}",
    exclude_unset=True,
    response={200: ChangeRequestOut, **ERRORS},
    tags=["underwriting"],
)
def change_request_get(request: HttpRequest, request_id: str) -> Any:
    found = servicing_selectors.change_request_get(user=request.user, request_id=request_id)
    if found is None:
        raise NotFound
    return servicing_selectors.change_request_json(found, api_errors.lang_of(request))


@api.post(
    "/change-requests/{request_id}/decision",
    exclude_unset=True,
    response={200: ChangeRequestOut, **ERRORS},
    tags=["underwriting"],
)
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


@api.post(
    "/policies/{number}/cancellation", exclude_unset=True, response={200: CancellationOut, **ERRORS}, tags=["policies"]
)
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


@api.post(
    "/policies/{number}/renewal",
    exclude_unset=True,
    response={201: ApplicationOut, 200: ApplicationOut, **ERRORS},
    tags=["policies"],
)
def policy_renewal(request: HttpRequest, number: str) -> Any:
    """Accept the renewal offer: an application starting at the end of the policy (then bind it)."""

    def action() -> tuple[int, Any]:
        app = servicing.renewal_accept(user=request.user, number=number)
        return 201, application_selectors.application_json(app, api_errors.lang_of(request))

    return Status(*idempotent(request, action))


# ------------------------------------------------------------------------------------------ payments


@api.post("/payments", exclude_unset=True, response={201: PaymentOut, 200: PaymentOut, **ERRORS}, tags=["billing"])
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
