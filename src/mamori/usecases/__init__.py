"""The use cases: what the CLI, the web application and jobs call. They take a catalogue (or a version),
translate nothing themselves, and return the core's values; callers only parse input and print output.

- :func:`quote`, :func:`rate_table` — rating (one risk; a CSV/Parquet table on the vectorised path);
- :func:`calculate_claim`, :func:`calculate_claims` — claim calculation (one document; many, on a pool
  of worker processes that is safe to use from a threaded server);
- :func:`estimate_loss` — loss estimate (想定損害額) of an incident, the payout and the plan comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mamori import lazy

if TYPE_CHECKING:
    from mamori.usecases.claims import calculate_claim, calculate_claims
    from mamori.usecases.estimate import estimate_loss
    from mamori.usecases.quotes import published_table, quote, rate_table

__all__ = ["calculate_claim", "calculate_claims", "estimate_loss", "published_table", "quote", "rate_table"]

#: Where each use case lives; a module is imported on first use, so that a command (or a web worker)
#: does not import the claims, estimate and portfolio machinery it never calls.
_HOMES = {
    "calculate_claim": "claims",
    "calculate_claims": "claims",
    "estimate_loss": "estimate",
    "published_table": "quotes",
    "quote": "quotes",
    "rate_table": "quotes",
}


__getattr__ = lazy.attributes(__name__, _HOMES)
