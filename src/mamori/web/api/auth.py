"""Bearer tokens for /api/v1 (stored hashed, ending, revocable). The scheme is case-insensitive
(``Bearer``, ``bearer``, ``BEARER``) everywhere; the token record is kept on the request
(``request.auth_token``) for what acts on the token itself (revoke)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from mamori.web.accounts import services


def bearer_token(request: HttpRequest) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (any case of the scheme), else None."""
    value = request.headers.get("Authorization", "").strip()
    scheme, _, token = value.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 512:
        return None
    return token


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        token = bearer_token(request)
        return self.authenticate(request, token) if token is not None else None

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        record = services.api_token_lookup(token)
        if record is None:
            return None
        request.user = record.user
        request.auth_token = record
        return record.user


class OptionalTokenAuth(TokenAuth):
    """A public endpoint: a valid token identifies the caller (its quote is theirs); none is anonymous."""

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        return user if user is not None else True
