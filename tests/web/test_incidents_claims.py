"""Incidents, the support desk and claims handling, by their services: what the core decides (support,
deadlines, the worksheet), what the ledger keeps (limits and sublimits across the claims of a policy year),
four eyes, corrections, team scoping, attachments, notifications after commit. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core import mail

from mamori.errors import InvalidInput
from mamori.web.accounts.models import Business
from mamori.web.audit.models import AuditEvent
from mamori.web.claimsdesk import selectors as claim_selectors
from mamori.web.claimsdesk import services as claims_svc
from mamori.web.claimsdesk.models import Claim, ClaimPayment, LedgerEntry, ReserveChange
from mamori.web.demo_incidents import policy_for
from mamori.web.errors import Conflict, Forbidden, NotFound
from mamori.web.incidents import selectors as incident_selectors
from mamori.web.incidents import services as incidents
from mamori.web.incidents.models import Attachment, CaseEvent, Incident, Vendor
from mamori.web.policies.models import Policy

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")
TERMS = {"industry": "wholesale", "revenue": 500_000_000, "deductible": 500_000, "bi_limit": 50_000_000}


@pytest.fixture
def policy(holder: User, business: Business, today: dt.date) -> Policy:
    return policy_for(user=holder, business=business, risk=TERMS, start=today - dt.timedelta(days=30), today=today)


def ransomware(hours_ago: float = 2, **changes: Any) -> dict[str, Any]:
    """A ransomware attack discovered at night ``hours_ago`` ago; customers' data taken (APPI applies)."""
    discovered = (dt.datetime.now(JST) - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    block: dict[str, Any] = {
        "accident_types": ["A1", "A2"],
        "discovered_at": discovered.isoformat(),
        "occurred_at": (discovered - dt.timedelta(hours=3)).isoformat(),
        "country": "JP",
        "attack_confirmed": True,
        "culprit": "external",
        "affected_persons": 1200,
        "personal_data": {"improper_purpose": True},
    }
    block.update(changes)
    return block


def report(user: User, policy: Policy, **changes: Any) -> Incident:
    incident, _ = incidents.incident_submit(
        user=user, policy_number=policy.number, block=ransomware(**changes), summary="サーバが暗号化された"
    )
    return incident


def paid_claim(handler: User, incident: Incident, costs: list[dict[str, Any]]) -> Claim:
    claim, _ = claims_svc.claim_open(user=handler, incident_id=incident.pk, costs=costs)
    claims_svc.claim_decide(user=handler, claim_id=claim.pk, decision="pay", notes="約款どおり")
    claim.refresh_from_db()
    return claim


# ------------------------------------------------------------------------------------------ reporting


def test_a_report_opens_a_case_with_the_cores_triage_and_tells_the_desk_after_commit(
    holder: User, support: User, policy: Policy, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        incident, result = incidents.incident_submit(user=holder, policy_number=policy.number, block=ransomware())
    assert mail.outbox == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    assert {m for message in mail.outbox for m in message.to} == {"support@example.jp", "h@example.jp"}
    case = incident.case
    assert (case.available, case.unavailable_reason, case.team) == (True, "", "tokyo")
    assert case.phase == result.support.phases[0] == "attacked"
    shown = incident_selectors.deadlines_of(incident)
    assert [(d["kind"], d["due"]) for d in shown] == [
        ("preliminary", result.regulatory.preliminary_due.isoformat()),  # what the claim calculation says
        ("final", result.regulatory.final_due.isoformat()),
    ]
    preliminary = incident_selectors.deadlines_of(incident)[0]
    assert 0 < preliminary["time_left_seconds"] <= 6 * 86400 and not preliminary["overdue"]
    assert AuditEvent.objects.filter(action="incident.submit", object_id=str(incident.pk)).exists()
    assert CaseEvent.objects.filter(case=case, kind="opened").count() == 1


def test_abroad_the_emergency_support_is_not_available_and_the_reason_is_kept(holder: User, policy: Policy) -> None:
    incident = report(holder, policy, country="US")
    assert (incident.case.available, incident.case.unavailable_reason) == (False, "X_TERRITORY")


def test_a_draft_keeps_everything_typed_and_a_bad_submit_loses_nothing(holder: User, policy: Policy) -> None:
    typed = {"summary": "夜中に画面に脅迫文", "discovered_at": "昨夜2時ごろ", "affected_persons": "たぶん千人"}
    draft = incidents.incident_draft_save(user=holder, policy_number=policy.number, draft=typed)
    with pytest.raises(InvalidInput) as caught:
        incidents.incident_submit(
            user=holder, incident_id=draft.pk, block={"discovered_at": "昨夜2時ごろ", "accident_types": ["A9"]}
        )
    fields = {e.field for e in caught.value.errors}
    assert {"incident.discovered_at", "incident.accident_types[0]"} <= fields or "incident.discovered_at" in fields
    draft.refresh_from_db()
    assert (draft.status, draft.draft) == ("DRAFT", typed)
    finished, _ = incidents.incident_submit(user=holder, incident_id=draft.pk, block=ransomware())
    assert finished.pk == draft.pk and finished.status == "SUBMITTED"
    with pytest.raises(Conflict):
        incidents.incident_draft_save(user=holder, incident_id=draft.pk, draft=typed)


def test_a_third_party_indication_makes_the_incident_t0(holder: User, policy: Policy) -> None:
    incident = report(holder, policy, accident_types=["A1"], third_party_indication=True)
    assert incident.accident_types == ["A1", "T0"] and incident.third_party_indication


# ------------------------------------------------------------------------------------------ desk


def test_the_desk_moves_phases_ticks_refers_notes_and_files_reports_each_on_the_timeline(
    holder: User, support: User, policy: Policy
) -> None:
    incident = report(holder, policy)
    vendor = Vendor.objects.create(category="forensics", name="調査会社A")
    case = incidents.case_set_phase(user=support, case_id=incident.case.pk, phase="explain_apologise")
    incidents.case_tick(user=support, case_id=case.pk, phase="explain_apologise", item=1)
    incidents.case_tick(user=support, case_id=case.pk, phase="explain_apologise", item=1)  # twice: one tick
    incidents.case_refer(user=support, case_id=case.pk, vendor_id=vendor.pk, note="調査依頼")
    incidents.case_note(user=support, case_id=case.pk, text="お客さまに折り返し連絡済み")
    incidents.report_filed(user=support, case_id=case.pk, kind="preliminary")
    assert case.ticks.count() == 1
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["opened", "phase", "checklist", "checklist", "referral", "note", "filed"]
    preliminary = incident_selectors.deadlines_of(incident)[0]
    assert preliminary["filed_at"] is not None and preliminary["time_left"] is None
    with pytest.raises(Conflict):
        incidents.report_filed(user=support, case_id=case.pk, kind="preliminary")
    with pytest.raises(InvalidInput) as caught:
        incidents.case_set_phase(user=support, case_id=case.pk, phase="panic")
    assert caught.value.errors[0].params["allowed"] == ["indicated", "attacked", "explain_apologise", "recover_prevent"]
    with pytest.raises(InvalidInput):
        incidents.report_filed(user=support, case_id=case.pk, kind="gdpr")  # no GDPR deadline here
    assert AuditEvent.objects.filter(action__startswith="case.", object_id=str(case.pk)).count() == 6


def test_deadline_reminders_are_sent_once_per_stage_after_commit_and_never_for_a_filed_report(
    holder: User, support: User, policy: Policy, django_capture_on_commit_callbacks: Any
) -> None:
    late = report(holder, policy, hours_ago=24 * 7)  # the preliminary report (5 days, to the end of day) is late
    filed = report(holder, policy, hours_ago=24 * 7)
    incidents.report_filed(user=support, case_id=filed.case.pk, kind="preliminary")
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        sent = incidents.deadline_notices()
    assert sent == [(str(late.pk), "preliminary", "overdue")]
    assert len(mail.outbox) == 1 and "preliminary" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        assert incidents.deadline_notices() == []
    assert len(mail.outbox) == 1
    soon = incidents.deadline_notices(now=dt.datetime.now(JST) + dt.timedelta(days=52))  # final: 60 days
    assert {(kind, stage) for _, kind, stage in soon} == {("final", "approaching")}


# ------------------------------------------------------------------------------------------ claims


def test_the_worksheet_excludes_the_ransom_and_applies_the_deductible(
    holder: User, claims: User, policy: Policy
) -> None:
    incident = report(holder, policy)
    claim, calculation = claims_svc.claim_open(
        user=claims,
        incident_id=incident.pk,
        costs=[
            {"item": "RANSOM", "amount": 30_000_000},
            {"item": "EX_FORENSICS", "amount": 6_000_000},
            {"item": "EX_DATA_RESTORE", "amount": 12_000_000},
        ],
    )
    assert calculation.payable_total_yen == 6_000_000 + 12_000_000 - 500_000
    answer = calculation.answer
    assert answer["exclusions"] == ["X_RANSOM"] and answer["deductible_applied"] == 500_000
    assert answer["lines"][0]["covered"] == 0 and answer["lines"][0]["exclusion"] == "X_RANSOM"
    assert claim.reserve_yen == 17_500_000
    english = claim_selectors.answer_in(claim, "en")
    assert english is not None and english["payable_total"] == 17_500_000
    deductible = [s for s in english["worksheet"] if s["step"] == "deductible"]
    assert len(deductible) == 1 and "500,000 yen" in deductible[0]["note"]
    assert "500,000円" in next(s for s in answer["worksheet"] if s["step"] == "deductible")["note"]
    excluded = [s["note"] for s in english["worksheet"] if s["step"] == "line_excluded"]
    assert len(excluded) == 1 and "Ransom" in excluded[0]
    assert "身代金" in next(s["note"] for s in answer["worksheet"] if s["step"] == "line_excluded")
    # the policy's terms come from the policy: the calculation's document holds them, not typed numbers
    assert calculation.document["policy"]["deductible"] == 500_000
    assert calculation.document["policy"]["bi_limit"] == 50_000_000


def test_a_cost_line_with_an_unknown_item_is_refused_and_nothing_is_added(
    holder: User, claims: User, policy: Policy
) -> None:
    claim, _ = claims_svc.claim_open(user=claims, incident_id=report(holder, policy).pk, costs=[])
    with pytest.raises(InvalidInput) as caught:
        claims_svc.cost_line_add(user=claims, claim_id=claim.pk, line={"item": "EX_YACHT", "amount": 1})
    assert caught.value.errors[0].field.startswith("costs[0]")
    assert claim.costs.count() == 0 and claim.calculations.count() == 1


def test_above_ten_million_a_second_claims_user_approves_never_the_requester(
    holder: User, claims: User, claims2: User, policy: Policy, django_capture_on_commit_callbacks: Any
) -> None:
    claim = paid_claim(claims, report(holder, policy), [{"item": "EX_DATA_RESTORE", "amount": 20_000_000}])
    payment = claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=15_000_000)
    assert payment.status == "AWAITING_APPROVAL" and not LedgerEntry.objects.exists()
    with pytest.raises(Forbidden):
        claims_svc.payment_approve(user=claims, payment_id=payment.pk)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        approved = claims_svc.payment_approve(user=claims2, payment_id=payment.pk)
    assert (approved.status, approved.approved_by) == ("PAID", claims2)
    assert [m.to for m in mail.outbox] == [["h@example.jp"]] and "15,000,000" in mail.outbox[0].subject
    with pytest.raises(Conflict):
        claims_svc.payment_approve(user=claims2, payment_id=payment.pk)
    assert LedgerEntry.objects.get().expense_yen == 15_000_000
    claim.refresh_from_db()
    assert claim.reserve_yen == 19_500_000 - 15_000_000


def test_a_payment_never_exceeds_what_the_calculation_still_allows_and_a_correction_is_a_new_entry(
    holder: User, claims: User, policy: Policy
) -> None:
    claim = paid_claim(claims, report(holder, policy), [{"item": "EX_FORENSICS", "amount": 3_000_000}])
    with pytest.raises(Conflict) as caught:
        claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=2_500_001)
    assert caught.value.error.params["allowed_amount"] == 2_500_000
    first = claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=2_500_000)
    with pytest.raises(Conflict):
        claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=1)
    correction = claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=-400_000, correction_of=first.pk)
    assert (correction.status, correction.correction_of) == ("PAID", first)
    assert list(LedgerEntry.objects.order_by("id").values_list("expense_yen", flat=True)) == [2_500_000, -400_000]
    with pytest.raises(Conflict):  # 2,100,000 is left of the payment after its first correction
        claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=-2_100_001, correction_of=first.pk)
    with pytest.raises(InvalidInput) as caught:  # a correction names the payment it corrects
        claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=-1)
    assert caught.value.errors[0].field == "correction_of"
    assert claims_svc.paid_on_claim(claim).amount == 2_100_000
    first.refresh_from_db()
    assert first.amount_yen == 2_500_000  # never edited


def test_every_value_of_a_claims_reserve_is_kept_with_its_reason(holder: User, claims: User, policy: Policy) -> None:
    claim = paid_claim(claims, report(holder, policy), [{"item": "EX_FORENSICS", "amount": 3_000_000}])
    claims_svc.claim_set_reserve(user=claims, claim_id=claim.pk, amount=2_800_000, reason="見直し")
    claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=1_000_000)
    claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=1_500_000)
    claims_svc.claim_close(user=claims, claim_id=claim.pk)
    history = list(ReserveChange.objects.filter(claim=claim).values_list("reason", "reserve_yen"))
    # opened and decided at 2,500,000 (3,000,000 less the 500,000 deductible); the decision and the close
    # change nothing, so they add no row
    assert history == [("OPEN", 2_500_000), ("MANUAL", 2_800_000), ("PAYMENT", 1_500_000), ("PAYMENT", 0)]
    claim.refresh_from_db()
    assert claim.reserve_yen == 0
    with pytest.raises(Exception, match="append-only"):
        ReserveChange.objects.get(claim=claim, reason="MANUAL").save()


def test_limits_and_sublimits_hold_across_the_claims_of_a_policy_year(
    holder: User, claims: User, claims2: User, policy: Policy
) -> None:
    a = paid_claim(
        claims,
        report(holder, policy),
        [
            {"item": "EX_FORENSICS", "amount": 1_000_000},
            {"item": "EX_PREVENTION", "amount": 2_500_000},
            {"item": "EX_DATA_RESTORE", "amount": 22_000_000},
        ],
    )
    claims_svc.payment_request(user=claims, claim_id=a.pk, amount=5_000_000)
    paid = claims_svc.paid_on_claim(a)
    assert paid.sublimits == {"EX_PREVENTION": 2_500_000}  # the deductible fell on the first line
    b, calculation = claims_svc.claim_open(
        user=claims,
        incident_id=report(holder, policy).pk,
        costs=[
            {"item": "EX_FORENSICS", "amount": 1_000_000},
            {"item": "EX_PREVENTION", "amount": 2_000_000},
        ],
    )
    # EX_PREVENTION: sublimit 3,000,000 (10 % of E) less 2,500,000 used = 500,000; less the deductible
    assert calculation.payable_total_yen == 1_000_000 + 500_000 - 500_000
    assert calculation.document["prior_payments"]["sublimits"] == {"EX_PREVENTION": 2_500_000}
    # the rest of claim A: the expense limit 30,000,000 of the year is shared
    rest = claims_svc.payment_request(user=claims, claim_id=a.pk, amount=a.reserve_yen - 5_000_000)
    claims_svc.payment_approve(user=claims2, payment_id=rest.pk)
    claims_svc.claim_decide(user=claims, claim_id=b.pk, decision="pay", notes="ok")
    assert claims_svc.paid_on_claim(a).amount == 25_500_000 - 500_000
    assert claims_svc.calculate(Claim.objects.get(pk=b.pk)).payable_total == 1_000_000  # the sublimit binds
    claims_svc.payment_request(user=claims, claim_id=b.pk, amount=1_000_000)
    c, calculation = claims_svc.claim_open(
        user=claims, incident_id=report(holder, policy).pk, costs=[{"item": "EX_DATA_RESTORE", "amount": 10_000_000}]
    )
    # the expense limit 30,000,000 of the year: 25,000,000 + 1,000,000 paid leaves 4,000,000
    assert calculation.payable_total_yen == 4_000_000
    claims_svc.claim_decide(user=claims, claim_id=c.pk, decision="pay", notes="ok")
    with pytest.raises(Conflict):
        claims_svc.payment_request(user=claims, claim_id=c.pk, amount=4_000_001)
    claims_svc.payment_request(user=claims, claim_id=c.pk, amount=4_000_000)
    assert sum(LedgerEntry.objects.filter(policy=policy).values_list("expense_yen", flat=True)) == 30_000_000


def test_a_declined_claim_pays_nothing(holder: User, claims: User, policy: Policy) -> None:
    claim, _ = claims_svc.claim_open(
        user=claims, incident_id=report(holder, policy).pk, costs=[{"item": "EX_FORENSICS", "amount": 3_000_000}]
    )
    with pytest.raises(InvalidInput):
        claims_svc.claim_decide(user=claims, claim_id=claim.pk, decision="decline", notes="  ")
    claims_svc.claim_decide(user=claims, claim_id=claim.pk, decision="decline", notes="告知義務違反")
    with pytest.raises(Conflict):
        claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=1)
    claim.refresh_from_db()
    assert (claim.decision, claim.reserve_yen) == ("DECLINE", 0)


# ------------------------------------------------------------------------------------------ who sees what


def test_staff_see_the_cases_and_claims_of_their_team_and_policyholders_only_their_own(
    holder: User, holder2: User, claims: User, support: User, osaka: dict[str, User], policy: Policy
) -> None:
    incident = report(holder, policy)
    claim, _ = claims_svc.claim_open(user=claims, incident_id=incident.pk, costs=[])
    assert list(incident_selectors.incidents_visible(holder)) == [incident]
    assert not incident_selectors.incidents_visible(holder2).exists()
    assert incident_selectors.cases_for_desk(support).count() == 1
    assert not incident_selectors.cases_for_desk(osaka["support"]).exists()
    assert not incident_selectors.cases_for_desk(claims).exists()
    assert not claim_selectors.claims_visible(holder2).exists()
    assert claim_selectors.claims_visible(holder).get() == claim
    with pytest.raises(NotFound):
        incidents.case_note(user=osaka["support"], case_id=incident.case.pk, text="x")
    with pytest.raises(NotFound):
        claims_svc.cost_line_add(user=osaka["claims"], claim_id=claim.pk, line={"item": "EX_FORENSICS", "amount": 1})
    with pytest.raises(NotFound):
        claims_svc.claim_open(user=osaka["claims"], incident_id=incident.pk)
    with pytest.raises(Forbidden):
        claims_svc.claim_open(user=holder, incident_id=incident.pk)
    with pytest.raises(Forbidden):
        incidents.case_note(user=claims, case_id=incident.case.pk, text="x")
    with pytest.raises(NotFound):
        incidents.incident_submit(user=holder2, policy_number=policy.number, block=ransomware())
    with pytest.raises(NotFound):
        incidents.attachment_add(
            user=holder2, incident_id=incident.pk, kind="OTHER", name="a.txt", content_type="text/plain", data=b"hello"
        )


# ------------------------------------------------------------------------------------------ attachments

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a"
    "5d0e4a50000000049454e44ae426082"
)


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("big.png", PNG + b"\0" * 2048, "E_ATTACHMENT_SIZE"),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", "E_ATTACHMENT_TYPE"),
        ("cut.png", PNG[:40], "E_ATTACHMENT_MALFORMED"),
        ("letter.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n", "E_ATTACHMENT_MALFORMED"),
        ("empty.txt", b"", "E_ATTACHMENT_EMPTY"),
    ],
)
def test_a_refused_attachment_is_named_and_nothing_else_of_the_report_is_lost(
    holder: User, policy: Policy, settings: Any, name: str, data: bytes, code: str
) -> None:
    settings.MAMORI_ATTACHMENT_MAX_BYTES = 1024
    incident = report(holder, policy)
    before = Incident.objects.filter(pk=incident.pk).values().get()
    with pytest.raises(InvalidInput) as caught:
        incidents.attachment_add(
            user=holder, incident_id=incident.pk, kind="SCREENSHOT", name=name, content_type="image/png", data=data
        )
    error = caught.value.errors[0]
    assert (error.field, error.code) == ("file", code)
    assert name in caught.value.to_dict("ja")["errors"][0]["message"]
    assert Incident.objects.filter(pk=incident.pk).values().get() == before
    assert not Attachment.objects.exists()


def test_an_attachment_is_stored_under_a_random_name_outside_the_database(
    holder: User, policy: Policy, settings: Any
) -> None:
    from django.core.files.storage import default_storage

    incident = report(holder, policy)
    attachment = incidents.attachment_add(
        user=holder,
        incident_id=incident.pk,
        kind="SCREENSHOT",
        name="../../etc/ransom note.png",
        content_type="application/x-evil",
        data=PNG,
    )
    assert attachment.content_type == "image/png"  # by content, not by what the browser said
    assert "ransom" not in attachment.file.name and ".." not in attachment.file.name
    stored = Path(default_storage.path(attachment.file.name))
    assert stored.read_bytes() == PNG
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert attachment.original_name == "../../etc/ransom note.png"


def test_claim_payments_are_append_only(holder: User, claims: User, policy: Policy) -> None:
    claim = paid_claim(claims, report(holder, policy), [{"item": "EX_FORENSICS", "amount": 3_000_000}])
    claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=1_000_000)
    entry = LedgerEntry.objects.get()
    entry.expense_yen = 1
    with pytest.raises(Exception, match="append-only"):
        entry.save()
    assert ClaimPayment.objects.get().amount_yen == 1_000_000


def test_the_deadlines_job_reminds_once(holder: User, policy: Policy, capsys: pytest.CaptureFixture[str]) -> None:
    from mamori.cli import main

    late = report(holder, policy, hours_ago=24 * 7)
    assert main(["jobs", "deadlines", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sent"] == [
        {"incident": str(late.pk), "kind": "preliminary", "stage": "overdue"}
    ]
    assert main(["jobs", "deadlines"]) == 0
    assert capsys.readouterr().out == "reminders sent: 0\n"


def test_malformed_ids_are_named_errors_not_crashes(holder: User, claims: User, support: User, policy: Policy) -> None:
    incident = report(holder, policy)
    for vendor_id in ("", "abc", None, 10**6):
        with pytest.raises(InvalidInput) as caught:
            incidents.case_refer(user=support, case_id=incident.case.pk, vendor_id=vendor_id)
        assert caught.value.errors[0].field == "vendor"
    with pytest.raises(NotFound):
        incidents.incident_draft_save(user=holder, incident_id="not-a-uuid", draft={})
    with pytest.raises(NotFound):
        incidents.incident_submit(user=holder, incident_id="not-a-uuid", block=ransomware())
    claim, _ = claims_svc.claim_open(
        user=claims, incident_id=incident.pk, costs=[{"item": "EX_FORENSICS", "amount": 3_000_000}]
    )
    with pytest.raises(InvalidInput) as caught:
        claims_svc.cost_line_add(user=claims, claim_id=claim.pk, line={"item": "EX_MEDIA", "amount": 1}, evidence=["x"])
    assert caught.value.errors[0].field == "evidence" and claim.costs.count() == 1
    claims_svc.claim_decide(user=claims, claim_id=claim.pk, decision="pay", notes="ok")
    first = claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=1_000_000)
    for bad in ("abc", 10**6, first.pk + 1000):
        with pytest.raises(InvalidInput) as caught:
            claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=-1, correction_of=bad)
        assert caught.value.errors[0].field == "correction_of"
    with pytest.raises(InvalidInput):
        claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=5, correction_of=first.pk)
    assert ClaimPayment.objects.count() == 1


def test_a_large_correction_waits_for_approval_and_every_correction_of_a_payment_counts(
    holder: User, claims: User, claims2: User, policy: Policy
) -> None:
    claim = paid_claim(claims, report(holder, policy), [{"item": "EX_DATA_RESTORE", "amount": 25_000_000}])
    big = claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=12_000_000)
    assert big.status == "AWAITING_APPROVAL"
    claims_svc.payment_approve(user=claims2, payment_id=big.pk)
    small = claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=2_000_000)
    assert small.status == "AWAITING_APPROVAL"  # the claim's total, 14,000,000, is above the authority
    claims_svc.payment_approve(user=claims2, payment_id=small.pk)
    with pytest.raises(Conflict):  # a correction takes back at most the payment it corrects
        claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=-12_000_001, correction_of=big.pk)
    back = claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=-11_000_000, correction_of=big.pk)
    assert back.status == "AWAITING_APPROVAL"  # larger than the authority: a second user approves it
    with pytest.raises(Conflict) as caught:  # with the one awaiting approval, only 1,000,000 is left of it
        claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=-4_000_000, correction_of=big.pk)
    assert caught.value.error.params["allowed_amount"] == 1_000_000
    last = claims_svc.payment_request(user=claims, claim_id=claim.pk, amount=-1_000_000, correction_of=big.pk)
    assert last.status == "PAID"
    claims_svc.payment_approve(user=claims2, payment_id=back.pk)
    assert claims_svc.paid_on_claim(claim).amount == 2_000_000
