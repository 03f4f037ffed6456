"""Policy and application lifecycles as tables, lapse, expiry and renewal (product.md §5)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from mamori import catalog as catalog_mod
from mamori import policy
from mamori.policy import (
    APPLICATION_TRANSITIONS,
    POLICY_TRANSITIONS,
    ApplicationAction,
    ApplicationState,
    IllegalTransition,
    Installment,
    InstallmentStatus,
    PolicyAction,
    PolicyState,
    Transition,
    TransitionTable,
)

D = dt.date
JST = dt.timezone(dt.timedelta(hours=9))
START = D(2025, 4, 1)


# ------------------------------------------------------------------------------------------ tables


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (PolicyAction.CHANGE, PolicyState.IN_FORCE),
        (PolicyAction.CANCEL, PolicyState.CANCELLED),
        (PolicyAction.LAPSE, PolicyState.LAPSED),
        (PolicyAction.EXPIRE, PolicyState.EXPIRED),
    ],
)
def test_an_in_force_policy_may_be_changed_cancelled_lapsed_or_expired(
    action: PolicyAction, expected: PolicyState
) -> None:
    assert POLICY_TRANSITIONS.apply(current=PolicyState.IN_FORCE, action=action) is expected


@pytest.mark.parametrize(
    "state", [PolicyState.CANCELLED, PolicyState.LAPSED, PolicyState.EXPIRED], ids=lambda s: s.value
)
@pytest.mark.parametrize("action", list(PolicyAction), ids=lambda a: a.value)
def test_a_policy_that_has_ended_allows_no_action(state: PolicyState, action: PolicyAction) -> None:
    with pytest.raises(IllegalTransition) as caught:
        POLICY_TRANSITIONS.apply(current=state, action=action)
    err = caught.value
    assert (err.from_state, err.action, err.code) == (state, action, "E_POLICY_NOT_IN_FORCE")  # the table words it
    assert err.to_state is POLICY_TRANSITIONS.apply(current=PolicyState.IN_FORCE, action=action)
    assert err.allowed == ()


def test_cancelling_a_cancelled_policy_names_the_states_and_the_action() -> None:
    with pytest.raises(IllegalTransition, match="CANCEL to CANCELLED is not allowed from CANCELLED"):
        POLICY_TRANSITIONS.apply(current=PolicyState.CANCELLED, action=PolicyAction.CANCEL)


def test_an_application_is_approved_or_declined_by_an_underwriter_then_bound() -> None:
    approved = APPLICATION_TRANSITIONS.apply(current=ApplicationState.REFERRED, action=ApplicationAction.APPROVE)
    assert approved is ApplicationState.APPROVED
    assert APPLICATION_TRANSITIONS.apply(current=approved, action=ApplicationAction.BIND) is ApplicationState.BOUND
    declined = APPLICATION_TRANSITIONS.apply(current=ApplicationState.REFERRED, action=ApplicationAction.DECLINE)
    assert declined is ApplicationState.DECLINED


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (ApplicationState.REFERRED, ApplicationAction.BIND),  # a referral not yet approved
        (ApplicationState.DECLINED, ApplicationAction.BIND),
        (ApplicationState.BOUND, ApplicationAction.BIND),  # the service answers a repeat with the first policy
        (ApplicationState.APPROVED, ApplicationAction.APPROVE),
        (ApplicationState.DECLINED, ApplicationAction.APPROVE),
    ],
)
def test_an_application_action_its_state_does_not_allow_raises(
    state: ApplicationState, action: ApplicationAction
) -> None:
    with pytest.raises(IllegalTransition) as caught:
        APPLICATION_TRANSITIONS.apply(current=state, action=action)
    assert (caught.value.from_state, caught.value.action) == (state, action)
    assert caught.value.allowed == APPLICATION_TRANSITIONS.actions_from(state)


def test_an_application_opens_in_the_state_of_the_quote_decision() -> None:
    assert dict(policy.APPLICATION_STATE_OF_DECISION) == {
        "quoted": ApplicationState.APPROVED,
        "referred": ApplicationState.REFERRED,
        "declined": ApplicationState.DECLINED,
    }


def test_moving_to_a_state_follows_the_table_like_an_order_status_pipeline() -> None:
    assert POLICY_TRANSITIONS.move(current=PolicyState.IN_FORCE, to_state=PolicyState.LAPSED) is PolicyState.LAPSED
    with pytest.raises(IllegalTransition) as caught:
        POLICY_TRANSITIONS.move(current=PolicyState.EXPIRED, to_state=PolicyState.CANCELLED)
    assert (caught.value.from_state, caught.value.to_state, caught.value.action) == (
        PolicyState.EXPIRED,
        PolicyState.CANCELLED,
        PolicyAction.CANCEL,
    )


def test_every_policy_state_pair_not_in_the_table_is_refused() -> None:
    allowed = {(r.from_state, r.to_state) for r in POLICY_TRANSITIONS.rows}
    assert allowed == {
        (PolicyState.IN_FORCE, PolicyState.IN_FORCE),
        (PolicyState.IN_FORCE, PolicyState.CANCELLED),
        (PolicyState.IN_FORCE, PolicyState.LAPSED),
        (PolicyState.IN_FORCE, PolicyState.EXPIRED),
    }
    for a, b in itertools.product(PolicyState, repeat=2):
        assert POLICY_TRANSITIONS.allows(from_state=a, to_state=b) == ((a, b) in allowed)


def test_a_table_with_a_row_twice_or_an_action_with_two_targets_is_refused() -> None:
    row = Transition(from_state=PolicyState.IN_FORCE, action=PolicyAction.CANCEL, to_state=PolicyState.CANCELLED)
    with pytest.raises(policy.TransitionTableError):
        TransitionTable("policy", (row, row))
    elsewhere = Transition(from_state=PolicyState.LAPSED, action=PolicyAction.CANCEL, to_state=PolicyState.EXPIRED)
    with pytest.raises(policy.TransitionTableError):
        TransitionTable("policy", (row, elsewhere))


# ------------------------------------------------------------------------------------------- lapse


def monthly(version: catalog_mod.ProductVersion, *, paid: int, start: dt.date = START) -> tuple[Installment, ...]:
    items = policy.installments(version=version, payment="monthly", start_date=start, premium=7_920)
    return tuple(
        Installment(number=i.number, due_date=i.due_date, amount=i.amount, status=InstallmentStatus.PAID)
        if i.number <= paid
        else i
        for i in items
    )


def test_an_installment_unpaid_by_the_end_of_the_next_month_lapses_the_policy_from_its_due_date(
    version: catalog_mod.ProductVersion,
) -> None:
    items = monthly(version, paid=2)  # installment 3 is due on 2025-06-01
    assert policy.lapse(version=version, installments=items, on_date=D(2025, 7, 31)) is None
    lapsed = policy.lapse(version=version, installments=items, on_date=D(2025, 8, 1))
    assert lapsed is not None
    assert (lapsed.installment_number, lapsed.due_date, lapsed.grace_end_date) == (3, D(2025, 6, 1), D(2025, 7, 31))
    assert lapsed.lapsed_at == dt.datetime(2025, 6, 1, 16, 0, tzinfo=JST)
    assert lapsed.cancelled == tuple(range(4, 13))
    assert [i.status for i in lapsed.installments] == [InstallmentStatus.PAID] * 2 + [InstallmentStatus.DUE] + [
        InstallmentStatus.CANCELLED
    ] * 9


def test_an_unpaid_first_installment_lapses_the_policy_from_its_start(version: catalog_mod.ProductVersion) -> None:
    lapsed = policy.lapse(version=version, installments=monthly(version, paid=0), on_date=D(2025, 6, 1))
    assert lapsed is not None
    assert lapsed.installment_number == 1
    assert lapsed.lapsed_at == version.term_start_at(START)


def test_a_paid_up_or_cancelled_schedule_never_lapses(version: catalog_mod.ProductVersion) -> None:
    assert policy.lapse(version=version, installments=monthly(version, paid=12), on_date=D(2027, 1, 1)) is None
    paid = policy.PaymentPlan(payment="monthly", start_date=START, premium=7_920, installments=monthly(version, paid=2))
    cancelled = policy.cancellation(version=version, plan=paid, effective_date=D(2025, 6, 1))
    assert policy.lapse(version=version, installments=cancelled.plan.installments, on_date=D(2027, 1, 1)) is None


@pytest.mark.parametrize(
    ("due", "grace_end"),
    [
        (D(2026, 1, 31), D(2026, 2, 28)),
        (D(2028, 1, 15), D(2028, 2, 29)),
        (D(2027, 12, 31), D(2028, 1, 31)),
        (D(2025, 6, 1), D(2025, 7, 31)),
    ],
)
def test_the_grace_ends_on_the_last_day_of_the_month_after_the_due_date(
    version: catalog_mod.ProductVersion, due: dt.date, grace_end: dt.date
) -> None:
    assert policy.grace_end_date(version, due) == grace_end


def test_an_unpaid_annual_premium_lapses_the_policy_from_the_start(version: catalog_mod.ProductVersion) -> None:
    items = policy.installments(version=version, payment="annual", start_date=D(2028, 1, 31), premium=93_180)
    assert policy.lapse(version=version, installments=items, on_date=D(2028, 2, 29)) is None
    lapsed = policy.lapse(version=version, installments=items, on_date=D(2028, 3, 1))
    assert lapsed is not None
    assert (lapsed.due_date, lapsed.cancelled) == (D(2028, 1, 31), ())


# ----------------------------------------------------------------------------------- expiry, renewal


def test_a_policy_expires_at_the_start_time_of_its_end_date(version: catalog_mod.ProductVersion) -> None:
    assert policy.expires_at(version, START) == dt.datetime(2026, 4, 1, 16, 0, tzinfo=JST)
    before = dt.datetime(2026, 4, 1, 15, 59, 59, tzinfo=JST)
    assert not policy.has_expired(version=version, start_date=START, now=before)
    assert policy.has_expired(version=version, start_date=START, now=dt.datetime(2026, 4, 1, 7, 0, tzinfo=dt.UTC))


def test_expiry_needs_an_instant_not_a_naive_date_time(version: catalog_mod.ProductVersion) -> None:
    with pytest.raises(policy.NaiveDateTime) as caught:
        policy.has_expired(version=version, start_date=START, now=dt.datetime(2026, 4, 1, 16, 0))  # noqa: DTZ001
    assert caught.value.errors[0].code == "E_DATETIME"


def test_the_renewal_is_offered_sixty_days_before_the_end_and_starts_on_the_end_date(
    version: catalog_mod.ProductVersion,
) -> None:
    renewal = policy.renewal(version=version, start_date=START, retroactive_date=D(2020, 1, 1))
    assert renewal.offer_date == D(2026, 1, 31)
    assert renewal.start_date == D(2026, 4, 1)
    assert renewal.retroactive_date == D(2020, 1, 1)


def test_a_renewal_carries_the_first_start_date_as_its_retroactive_date(version: catalog_mod.ProductVersion) -> None:
    renewal = policy.renewal(version=version, start_date=D(2028, 2, 29), retroactive_date=None)
    assert (renewal.start_date, renewal.retroactive_date) == (D(2029, 2, 28), D(2028, 2, 29))
    again = policy.renewal(version=version, start_date=renewal.start_date, retroactive_date=renewal.retroactive_date)
    assert (again.start_date, again.retroactive_date) == (D(2030, 2, 28), D(2028, 2, 29))


def test_the_renewal_offer_is_due_from_its_date_until_the_end(version: catalog_mod.ProductVersion) -> None:
    def due(d: dt.date) -> bool:
        return policy.renewal_offer_due(version=version, start_date=START, on_date=d)

    assert (due(D(2026, 1, 30)), due(D(2026, 1, 31)), due(D(2026, 3, 31)), due(D(2026, 4, 1))) == (
        False,
        True,
        True,
        False,
    )
