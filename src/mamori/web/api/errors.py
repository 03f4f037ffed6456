"""Every error of the API in the one shape of interfaces.md §2:
``{"errors": [{field, code, message, allowed, params}]}`` (ja or en by Accept-Language): 422 invalid input,
409 a state that does not allow the action, 404 what the caller may not see, 403 an action the caller's role
may not take, 401 no valid token."""

from __future__ import annotations

import re
from typing import Any, Final

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from mamori import i18n
from mamori.errors import FieldError, InvalidInput, from_json, shown
from mamori.policy.errors import IllegalTransition
from mamori.web.errors import Conflict, Forbidden, NotFound


def lang_of(request: HttpRequest) -> i18n.Lang:
    header = request.headers.get("Accept-Language", "")
    first = header.split(",", 1)[0].strip()
    return i18n.as_lang(first) if first else "ja"


def body(request: HttpRequest, errors: list[FieldError]) -> dict[str, Any]:
    lang = lang_of(request)
    return {"errors": [e.to_dict(lang) for e in errors]}


#: A schema error's type → the message catalogue's code (one error model whoever finds the problem).
_SCHEMA_CODES: Final = {
    "missing": "E_REQUIRED",
    "model_attributes_type": "E_OBJECT",
    "model_type": "E_OBJECT",
    "dict_type": "E_OBJECT",
    "list_type": "E_LIST",
    "int_type": "E_INTEGER",
    "int_parsing": "E_INTEGER",
    "int_from_float": "E_INTEGER",
    "float_type": "E_NUMBER",
    "float_parsing": "E_NUMBER",
    "finite_number": "E_NUMBER",
    "bool_type": "E_BOOLEAN",
    "bool_parsing": "E_BOOLEAN",
    "string_type": "E_TEXT",
    "string_too_short": "E_TEXT",
    "literal_error": "E_CHOICE",
    "enum": "E_CHOICE",
    "greater_than": "E_RANGE",
    "greater_than_equal": "E_RANGE",
    "less_than": "E_RANGE",
    "less_than_equal": "E_RANGE",
    "string_too_long": "E_TOO_LONG",
    "too_long": "E_TOO_MANY",
    "range": "E_RANGE",
    "extra_forbidden": "E_UNKNOWN_FIELD",
}
#: Bounds of a schema error's context, by the parameter its message names.
_BOUNDS: Final = {
    "ge": "minimum",
    "gt": "minimum",
    "le": "maximum",
    "lt": "maximum",
    "max_length": "maximum",
    "minimum": "minimum",
    "maximum": "maximum",
}


def _pydantic_error(error: dict[str, Any]) -> FieldError:
    """A schema error of a request: its type and bounds as the catalogue's code and parameters."""
    loc = [p for p in error.get("loc", ()) if p not in ("body", "query", "path", "payload", "form", "file")]
    # A union's branch names (``list[str]``, ``str``) and a constrained type's name are not fields.
    loc = [p for p in loc if isinstance(p, int) or ("[" not in str(p) and not str(p).startswith("constrained-"))]
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "$"
    kind = str(error.get("type", ""))
    code = _SCHEMA_CODES.get(kind, "E_INVALID")
    params: dict[str, Any] = {"value": None if kind == "missing" else from_json(code, error.get("input"))}
    context = error.get("ctx") or {}
    for key, name in _BOUNDS.items():
        if key in context:
            params[name] = context[key]
    if kind == "literal_error":
        params["allowed"] = re.findall(r"'([^']*)'", str(context.get("expected", "")))
    if not isinstance(params["value"], str | int | float | bool | type(None)):
        params["value"] = shown(params["value"])
    return FieldError(field, code, params)


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
