"""The demo data (``mamori serve --demo``): the eight incidents of product.md §6 are cases at different
stages, and every claim in it pays what the core calculates for the golden scenario's facts (the demo's
policies have no earlier payments, so a golden document's ``prior_payments`` are taken as nothing)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mamori import usecases
from mamori.web import demo, demo_books, demo_incidents
from mamori.web.audit.models import AuditEvent
from mamori.web.claimsdesk.models import Claim, ClaimPayment, LedgerEntry
from mamori.web.incidents.models import Incident, Vendor
from mamori.web.productdb import selectors as productdb

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "claims"

pytestmark = pytest.mark.django_db


def _core_payable(title_ja: str) -> int:
    for path in GOLDEN.glob("*.json"):
        scenario = json.loads(path.read_text(encoding="utf-8"))
        if scenario["title_ja"] == title_ja:
            document = scenario["document"]
            document["prior_payments"] = {"expense": 0, "liability": 0, "bi": 0, "sublimits": {}}
            return usecases.calculate_claim(productdb.catalog(), document).payable_total
    raise LookupError(title_ja)


def test_the_demo_has_the_eight_incidents_at_different_stages_with_the_cores_payouts() -> None:
    demo.load(out=io.StringIO())
    scenarios = json.loads(demo_incidents.DATA.read_text(encoding="utf-8"))["incidents"]
    # The books' history (web.demo_books) adds incidents of its own businesses, named （履歴n）: left out here.
    history = {"business__name__contains": "（履歴"}
    assert Incident.objects.filter(status="SUBMITTED").exclude(**history).count() == len(scenarios) == 8
    assert Vendor.objects.values("category").distinct().count() == 5
    for scenario in scenarios:
        incident = Incident.objects.get(summary=scenario["summary"])
        assert incident.business.name == scenario["business"]
        stage = demo_incidents.STAGES.index(scenario["stage"])
        assert incident.case.phase == (scenario["phase"] if stage >= 1 else incident.case.phase)
        assert incident.case.status == ("CLOSED" if scenario["stage"] == "closed" else "OPEN")
        claim = Claim.objects.filter(incident=incident).first()
        assert (claim is not None) == (stage >= demo_incidents.STAGES.index("claim"))
        if claim is not None:
            assert claim.calculations.first().payable_total_yen == _core_payable(scenario["title_ja"])
    stages = [s["stage"] for s in scenarios]
    ours = {"claim__incident__business__name__contains": "（履歴"}
    assert ClaimPayment.objects.filter(status="AWAITING_APPROVAL").exclude(**ours).count() == stages.count(
        "awaiting_approval"
    )
    assert ClaimPayment.objects.filter(status="PAID").exclude(**ours).count() == stages.count("paid") + stages.count(
        "closed"
    )
    assert LedgerEntry.objects.exclude(**ours).count() == stages.count("paid") + stages.count("closed")
    assert AuditEvent.objects.filter(action="incident.submit").count() == 8 + len(demo_books.HISTORY)
    assert AuditEvent.objects.filter(action="claim.payment_approve").count() >= 1
