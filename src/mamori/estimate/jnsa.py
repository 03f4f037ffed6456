"""Damages per affected person: the JNSA model of product.md §7.1, one small pure function per factor.

``per-person damages = base × sensitivity × identifiability × social responsibility × response``, with
``sensitivity = x_base^(x−1) + y_base^(y−1)`` from the highest privacy-harm level ``x`` and the highest
economic-loss level ``y`` of the categories leaked (each maximum taken separately). Every factor and
level is data (:class:`~mamori.estimate.data.JnsaModel`); the result keeps what each factor came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from mamori import money
from mamori.estimate.data import JnsaModel

__all__ = [
    "RecordDamages",
    "expected",
    "identifiability",
    "levels",
    "per_person",
    "record_damages",
    "response_factor",
    "sensitivity",
    "social_responsibility",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordDamages:
    """The damages of one group of affected persons who lost the same categories of data."""

    categories: tuple[str, ...]
    persons: int
    x: int
    y: int
    x_from: tuple[str, ...]  # the categories at level x
    y_from: tuple[str, ...]  # the categories at level y
    sensitivity: int
    identifiability: int
    identified_by: tuple[str, ...]  # the categories of the identifiability rule that applied; () otherwise
    social_responsibility: int
    response: int
    per_person: int
    total: int  # JNSA's figure: every affected person claims
    expected: int  # the total × the claim rate, rounded down to the yen
    claim_rate: Decimal


def levels(categories: Iterable[str], model: JnsaModel) -> tuple[int, int]:
    """(x, y): the highest privacy-harm level and the highest economic-loss level, taken separately."""
    found = [model.categories[c] for c in categories]
    return max(c.x for c in found), max(c.y for c in found)


def sensitivity(x: int, y: int, model: JnsaModel) -> int:
    """機微情報度 = 10^(x−1) + 5^(y−1) (the bases are data)."""
    result: int = model.x_base ** (x - 1) + model.y_base ** (y - 1)
    return result


def identifiability(categories: Iterable[str], model: JnsaModel) -> tuple[int, tuple[str, ...]]:
    """本人特定容易度: the highest factor of a rule whose categories were all leaked, with that rule's
    categories; else the ``otherwise`` factor and ()."""
    leaked = set(categories)
    best, rule_of = model.otherwise, tuple[str, ...]()
    for rule in model.rules:
        if leaked.issuperset(rule.all_of) and rule.factor > best:
            best, rule_of = rule.factor, rule.all_of
    return best, rule_of


def social_responsibility(high: bool, model: JnsaModel) -> int:
    """社会的責任度: the ``high`` factor for a business with higher social responsibility, else ``normal``."""
    return model.social_high if high else model.social_normal


def response_factor(response: str, model: JnsaModel) -> int:
    """事後対応評価: appropriate, inappropriate or unknown."""
    return model.responses[response]


def per_person(
    model: JnsaModel, *, sensitivity: int, identifiability: int, social_responsibility: int, response: int
) -> int:
    """Yen per affected person: base × sensitivity × identifiability × social responsibility × response."""
    return model.base * sensitivity * identifiability * social_responsibility * response


def expected(total: int, claim_rate: Decimal) -> int:
    """The damages expected when only ``claim_rate`` of the persons claim, rounded down to the yen."""
    return money.to_yen(Decimal(total) * claim_rate, mode=money.Rounding.DOWN)


def record_damages(
    categories: tuple[str, ...],
    persons: int,
    *,
    model: JnsaModel,
    high_social_responsibility: bool,
    response: str,
    claim_rate: Decimal,
) -> RecordDamages:
    """The JNSA damages of ``persons`` who lost ``categories`` (known category ids, at least one)."""
    x, y = levels(categories, model)
    sens = sensitivity(x, y, model)
    ident, identified_by = identifiability(categories, model)
    social = social_responsibility(high_social_responsibility, model)
    resp = response_factor(response, model)
    each = per_person(model, sensitivity=sens, identifiability=ident, social_responsibility=social, response=resp)
    total = each * persons
    return RecordDamages(
        categories=categories,
        persons=persons,
        x=x,
        y=y,
        x_from=tuple(c for c in categories if model.categories[c].x == x),
        y_from=tuple(c for c in categories if model.categories[c].y == y),
        sensitivity=sens,
        identifiability=ident,
        identified_by=identified_by,
        social_responsibility=social,
        response=resp,
        per_person=each,
        total=total,
        expected=expected(total, claim_rate),
        claim_rate=claim_rate,
    )
