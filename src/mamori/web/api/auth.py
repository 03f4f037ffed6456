"""Bearer tokens for /api/v1 (stored hashed, revocable)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from mamori.web.accounts import services


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.api_token_user(token)
        if user is not None:
            request.user = user
        return user


class OptionalTokenAuth(TokenAuth):
    """A public endpoint: a valid token identifies the caller (its quote is theirs); none is anonymous."""

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        return user if user is not None else True
