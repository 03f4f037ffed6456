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


class _Emergency:
    """Read only when a template shows it: the product's line and the steps in the reader's language."""

    def __init__(self) -> None:
        from django.utils.translation import get_language

        from mamori import i18n

        self.lang = i18n.as_lang(get_language())
        self._terms: Any = None

    def _support(self) -> Any:
        if self._terms is None:
            from mamori.web.productdb import selectors as productdb

            self._terms = productdb.catalog().latest().support
        return self._terms

    @property
    def hotline(self) -> str:
        from mamori.catalog import ProductDataError

        try:
            return str(self._support().hotline)
        except ProductDataError:  # no product registered yet: no line to show (never a failed page)
            return ""

    @property
    def label(self) -> str:
        from mamori import i18n

        return i18n.text("emergency.hotline_label", self.lang)

    @property
    def title(self) -> str:
        from mamori import i18n

        return i18n.text("emergency.now", self.lang)

    @property
    def steps(self) -> list[str]:
        from mamori.support import emergency as texts

        return texts.what_to_do(self._support(), self.lang)


def emergency(request: HttpRequest) -> dict[str, Any]:
    """The 24-hour emergency line and "what to do now" of the product on sale (product data, issue 15)."""
    return {"emergency": _Emergency()}
