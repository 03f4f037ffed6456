"""Rating (保険料の算出, product.md §1–2): inputs, eligibility, the exact engine and its vectorised twin.

- :mod:`values`, :mod:`inputs` — the one definition of a valid input (scalar and column readers);
- :mod:`eligibility` — the one rule list of referrals and declines;
- :mod:`formula` — the premium formula, for ``Decimal`` values and numpy arrays alike;
- :mod:`engine` — one risk, exactly; :mod:`columns` + :mod:`vectorised` — a table, the same yen.
"""

from typing import TYPE_CHECKING

from mamori import lazy

if TYPE_CHECKING:
    from mamori.rating.engine import Premium, Quote, rate
    from mamori.rating.inputs import FIELDS, Risk, parse_risk

#: Where each name of the package lives: loaded on first use, so that a program reading one light module
#: (``values`` for the command line's arguments) does not load numpy through the engine.
_HOMES = {
    "Premium": "engine",
    "Quote": "engine",
    "rate": "engine",
    "FIELDS": "inputs",
    "Risk": "inputs",
    "parse_risk": "inputs",
}

__all__ = ["FIELDS", "Premium", "Quote", "Risk", "parse_risk", "rate"]


__getattr__ = lazy.attributes(__name__, _HOMES)
