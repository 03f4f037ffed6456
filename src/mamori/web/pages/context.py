"""Template context: the roles of the signed-in user, and the actions their roles may take (the authority
table's ``may``: menus show a page only to those whose roles serve it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mamori import authority
from mamori.web.accounts import selectors


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    held = selectors.roles_of(user) if signed_in else frozenset()
    subject = selectors.subject_of(user) if signed_in else authority.Subject()
    may = frozenset(a.value for a in authority.Action if authority.may_role(subject, a))
    return {"roles": held, "may": may}
