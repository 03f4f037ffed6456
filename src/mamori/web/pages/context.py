"""Template context: the roles of the signed-in user (menus show what the user may do)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mamori.web.accounts import selectors


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    held = selectors.roles_of(user) if user is not None and user.is_authenticated else frozenset()
    return {"roles": held}
