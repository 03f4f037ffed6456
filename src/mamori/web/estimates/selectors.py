"""What the estimate page offers: the presets (the incidents of product.md §6), the categories of personal
data, the response evaluations and the plan options of the product version in force."""

from __future__ import annotations

from typing import Any

from mamori import i18n
from mamori.estimate import packaged_data, preset_numbers
from mamori.estimate import presets as presets_mod
from mamori.estimate.data import RESPONSES
from mamori.web.productdb import selectors as productdb


def estimate_presets(*, lang: i18n.Lang) -> list[dict[str, Any]]:
    """Each preset's number, title and assumptions in ``lang``."""
    found = []
    for number in preset_numbers():
        preset = presets_mod.load(number)
        found.append(
            {
                "number": number,
                "title": preset[f"title_{lang}"],
                "assumptions": preset[f"assumptions_{lang}"],
            }
        )
    return found


def estimate_choices(*, lang: i18n.Lang) -> dict[str, Any]:
    """The choices of the page's form: categories (with their JNSA levels), responses and plan options."""
    data = packaged_data()
    catalog = productdb.catalog()
    version = catalog.in_force(max(catalog.latest().today(), catalog.earliest_start()))
    r = version.rating

    def yen(amount: int) -> str:
        return i18n.text("yen", lang, amount=f"{amount:,}")

    return {
        "industries": [(code, ic.name(lang)) for code, ic in r.industries.items()],
        "categories": [(cid, c.name(lang), c.x, c.y) for cid, c in data.jnsa.categories.items()],
        "responses": [(code, i18n.text(f"estimate.response.{code}", lang)) for code in RESPONSES],
        "accident_types": [(code, text.get(lang)) for code, text in version.coverage.accident_types.items()],
        "liability": [(a, yen(a)) for a in r.allowed_amounts("liability")],
        "expense": [(a, yen(a)) for a in r.allowed_amounts("expense")],
        "deductible": [(a, yen(a)) for a in r.allowed_amounts("deductible")],
        "bi": [(a, yen(a) if a else i18n.text("none", lang)) for a in r.allowed_amounts("bi")],
        "defaults": {
            "liability_limit": r.liability_default,
            "expense_limit": r.expense_default,
            "deductible": r.deductible_default,
            "bi_limit": r.bi_default,
        },
    }
