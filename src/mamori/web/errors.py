"""Errors of the web layer's services, answered the same way by pages and by the API.

They are the core's own refusals (:mod:`mamori.errors`), under the names the web layer has always used:
input errors are :class:`mamori.errors.InvalidInput` (422); a state that does not allow the action is
:class:`Conflict` (409, an illegal transition included); what the caller may not see is :class:`NotFound`
(404, whether or not it exists); an action the caller's role may not take is :class:`Forbidden` (403).
"""

from __future__ import annotations

from mamori.errors import Denied as Forbidden
from mamori.errors import NotVisible as NotFound
from mamori.errors import Refused as Conflict

__all__ = ["Conflict", "Forbidden", "NotFound"]
