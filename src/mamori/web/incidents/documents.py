"""Claim documents (interfaces.md §1.3) built from what the database holds: the policy's terms from its
version in force at the incident, the incident as reported, cost lines, and the ledger's prior payments —
never from numbers typed by a user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from mamori import catalog as catalog_mod
from mamori.claims import ledger
from mamori.web.incidents.models import Incident
from mamori.web.policies import selectors as policy_selectors
from mamori.web.policies.models import Policy
from mamori.web.productdb import selectors as productdb

#: The incident block of a claim document, as the core names its keys.
INCIDENT_KEYS = (
    "accident_types",
    "discovered_at",
    "claim_made_at",
    "occurred_at",
    "country",
    "attack_confirmed",
    "culprit",
    "state_backed",
    "known_before_first_policy",
    "affected_persons",
    "affected_businesses",
    "personal_data",
)
PERSONAL_DATA_KEYS = ("special_care", "financial", "improper_purpose", "eu_residents", "card_data")


def catalog() -> catalog_mod.Catalog:
    return productdb.catalog()


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def policy_block(policy: Policy, at: dt.datetime | None) -> dict[str, Any]:
    version = policy_selectors.version_at(policy, at.date() if at is not None else None)
    ended = policy.status in (Policy.Status.CANCELLED, Policy.Status.LAPSED) and policy.ended_at is not None
    return {
        "product_version": policy.product_version.version,
        "start_date": policy.start_date.isoformat(),
        "liability_limit": version.liability_limit_yen,
        "expense_limit": version.expense_limit_yen,
        "deductible": version.deductible_yen,
        "bi_limit": version.bi_limit_yen,
        "pd_rider": version.pd_rider,
        "retroactive_date": policy.retroactive_date.isoformat(),
        "status": policy.status.lower() if ended else "in_force",
        "ended_at": _iso(policy.ended_at) if ended else None,
    }


def instant(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def claim_document(
    *,
    policy: Policy,
    incident: Mapping[str, Any],
    costs: Iterable[Mapping[str, Any]],
    bi: Mapping[str, Any] | None,
    prior: ledger.Paid | None,
) -> dict[str, Any]:
    """The document the core calculates: the policy's terms in force at discovery, the incident, the costs."""
    discovered = instant(incident.get("discovered_at"))
    return {
        "policy": policy_block(policy, discovered),
        "prior_payments": (prior or ledger.Paid()).to_prior(),
        "incident": dict(incident),
        "costs": [dict(c) for c in costs],
        "bi": dict(bi) if bi is not None else None,
    }


def with_third_party(block: Mapping[str, Any]) -> dict[str, Any]:
    """The incident block; a page's ``third_party_indication`` check box becomes the accident type T0."""
    out = dict(block)
    if out.pop("third_party_indication", False) is True:
        types = out.get("accident_types")
        out["accident_types"] = [*types, "T0"] if isinstance(types, list) and "T0" not in types else types or ["T0"]
    return out


def block_of(incident: Incident) -> dict[str, Any]:
    """The incident block of a reported incident, as it was validated."""
    return {
        "accident_types": list(incident.accident_types),
        "discovered_at": _iso(incident.discovered_at),
        "claim_made_at": _iso(incident.claim_made_at),
        "occurred_at": _iso(incident.occurred_at),
        "country": incident.country,
        "attack_confirmed": incident.attack_confirmed,
        "culprit": incident.culprit or None,
        "state_backed": incident.state_backed,
        "known_before_first_policy": incident.known_before_first_policy,
        "affected_persons": incident.affected_persons,
        "affected_businesses": incident.affected_businesses,
        "personal_data": {k: bool(incident.personal_data.get(k, False)) for k in PERSONAL_DATA_KEYS},
    }


def store(incident: Incident, block: Mapping[str, Any]) -> None:
    """Copy a validated incident block into the incident's fields."""
    incident.accident_types = list(block.get("accident_types") or [])
    incident.third_party_indication = "T0" in incident.accident_types
    incident.discovered_at = instant(block.get("discovered_at"))
    incident.claim_made_at = instant(block.get("claim_made_at"))
    incident.occurred_at = instant(block.get("occurred_at"))
    incident.country = str(block.get("country") or "")
    incident.attack_confirmed = bool(block.get("attack_confirmed", False))
    incident.culprit = str(block.get("culprit") or "")
    incident.state_backed = bool(block.get("state_backed", False))
    incident.known_before_first_policy = bool(block.get("known_before_first_policy", False))
    incident.affected_persons = int(block.get("affected_persons") or 0)
    incident.affected_businesses = int(block.get("affected_businesses") or 0)
    data = block.get("personal_data") or {}
    incident.personal_data = {k: bool(data.get(k, False)) for k in PERSONAL_DATA_KEYS}
