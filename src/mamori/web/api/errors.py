"""Every error of the API in the one shape of interfaces.md §2:
``{"errors": [{field, code, message, allowed, params}]}`` (ja or en by Accept-Language): 422 invalid input,
409 a state that does not allow the action, 404 what the caller may not see, 403 an action the caller's role
may not take, 401 no valid token."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from mamori import i18n
from mamori.errors import FieldError, InvalidInput
from mamori.policy.errors import IllegalTransition
from mamori.web.errors import Conflict, Forbidden, NotFound


def lang_of(request: HttpRequest) -> i18n.Lang:
    header = request.headers.get("Accept-Language", "")
    first = header.split(",", 1)[0].strip()
    return i18n.as_lang(first) if first else "ja"


def body(request: HttpRequest, errors: list[FieldError]) -> dict[str, Any]:
    lang = lang_of(request)
    return {"errors": [e.to_dict(lang) for e in errors]}


def _pydantic_error(error: dict[str, Any]) -> FieldError:
    """A schema error of a request (the schemas are permissive; this is the body's shape)."""
    loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "payload")]
    field = ".".join(loc) or "$"
    kind = str(error.get("type", ""))
    code = {"missing": "E_REQUIRED", "model_attributes_type": "E_OBJECT", "dict_type": "E_OBJECT"}.get(
        kind, "E_INVALID"
    )
    return FieldError(field, code, {"value": error.get("input") if kind != "missing" else None})


def install(api: NinjaAPI) -> None:  # noqa: C901 - one handler per exception, each a few lines
    def respond(request: HttpRequest, status: int, errors: list[FieldError]) -> HttpResponse:
        return api.create_response(request, body(request, errors), status=status)

    @api.exception_handler(InvalidInput)
    def invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        return respond(request, 422, list(exc.errors))

    @api.exception_handler(NinjaValidationError)
    def schema(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, 422, [_pydantic_error(dict(e)) for e in exc.errors])

    @api.exception_handler(Conflict)
    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        response = respond(request, 409, [exc.error])
        if exc.error.code == "E_IDEMPOTENCY_IN_PROGRESS":
            response["Retry-After"] = "2"  # the first request with the key is still running
        return response

    @api.exception_handler(IllegalTransition)
    def illegal(request: HttpRequest, exc: IllegalTransition) -> HttpResponse:
        return respond(
            request, 409, list(exc.errors) if hasattr(exc, "errors") else [FieldError("status", "E_ILLEGAL_TRANSITION")]
        )

    @api.exception_handler(NotFound)
    def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return respond(request, 404, [FieldError("$", "E_NOT_FOUND")])

    @api.exception_handler(Http404)
    def http_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, [FieldError("$", "E_NOT_FOUND")])

    @api.exception_handler(Forbidden)
    def forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
        return respond(request, 403, [exc.error])

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, [FieldError("Authorization", "E_AUTH_TOKEN")])

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, InvalidInput):  # the strict JSON parser refused the body
            return respond(request, 422, list(exc.__cause__.errors))
        return respond(request, exc.status_code, [FieldError("$", "E_HTTP", {"problem": str(exc)})])
