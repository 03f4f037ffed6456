"""Rating (保険料の算出, product.md §1–2): inputs, eligibility, the exact engine and its vectorised twin.

- :mod:`values`, :mod:`inputs` — the one definition of a valid input (scalar and column readers);
- :mod:`eligibility` — the one rule list of referrals and declines;
- :mod:`formula` — the premium formula, for ``Decimal`` values and numpy arrays alike;
- :mod:`engine` — one risk, exactly; :mod:`columns` + :mod:`vectorised` — a table, the same yen.
"""

from mamori.rating.engine import Premium, Quote, rate
from mamori.rating.inputs import FIELDS, Risk, parse_risk

__all__ = ["FIELDS", "Premium", "Quote", "Risk", "parse_risk", "rate"]
