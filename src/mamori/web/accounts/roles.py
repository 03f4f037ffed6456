"""The roles of the application, as Django groups (a user may hold several)."""

from __future__ import annotations

from typing import Final

POLICYHOLDER: Final = "policyholder"
AGENT: Final = "agent"
UNDERWRITER: Final = "underwriter"
CLAIMS_HANDLER: Final = "claims_handler"
SUPPORT_DESK: Final = "support_desk"
ADMINISTRATOR: Final = "administrator"
ALL: Final = (POLICYHOLDER, AGENT, UNDERWRITER, CLAIMS_HANDLER, SUPPORT_DESK, ADMINISTRATOR)
#: Roles of the insurer's own staff: they see every business.
STAFF: Final = frozenset({UNDERWRITER, CLAIMS_HANDLER, SUPPORT_DESK, ADMINISTRATOR})
#: Roles that may record payments (billing staff are administrators in this product).
BILLING: Final = frozenset({ADMINISTRATOR})
