"""Properties of policy administration (hypothesis), over random start dates (month ends and 29 February
included), effective dates and premiums.

- Installments add up to the premium, are due from the start date on the start's day of the month
  (clipped, never chained) and before the end date.
- 0 ≤ m ≤ N, and m never grows as the effective date advances.
- A mid-term charge or refund is a multiple of the refund unit, has the sign of Δ and |charge| ≤ |Δ|.
- A cancellation refund is between 0 and the annual premium, never grows as the date advances and is 0
  after the last due date; a monthly cancellation refunds nothing and cancels m installments.
- A lapse is never decided on or before the grace end of the installment that lapses.
- The transition tables refuse every (state, action) and (state, state) pair not in them.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import enum
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori import catalog, policy
from mamori.policy import (
    APPLICATION_TRANSITIONS,
    POLICY_TRANSITIONS,
    IllegalTransition,
    Installment,
    InstallmentStatus,
)

VERSION = catalog.FolderCatalog().get("2025-04")
N = VERSION.term.months
UNIT = VERSION.policy.refund_unit
FIRST, LAST = dt.date(2025, 4, 1), dt.date(2500, 12, 31)  # 2100 is not a leap year, 2400 is

premiums = st.integers(min_value=0, max_value=10**12)


@st.composite
def month_ends(draw: st.DrawFn) -> dt.date:
    year, month = draw(st.integers(FIRST.year + 1, LAST.year)), draw(st.integers(1, 12))
    return dt.date(year, month, stdlib_calendar.monthrange(year, month)[1])


leap_days = st.integers(FIRST.year + 1, LAST.year).filter(stdlib_calendar.isleap).map(lambda y: dt.date(y, 2, 29))
start_dates = st.one_of(st.dates(FIRST, LAST), month_ends(), leap_days)


@st.composite
def in_term(draw: st.DrawFn, start: dt.date) -> dt.date:
    """A date d with start ≤ d < end."""
    days = (policy.end_date(VERSION, start) - start).days
    return start + dt.timedelta(days=draw(st.integers(0, days - 1)))


@st.composite
def start_and_dates(draw: st.DrawFn) -> tuple[dt.date, dt.date, dt.date]:
    """A start date and two effective dates in its term, in order."""
    start = draw(start_dates)
    first, second = sorted((draw(in_term(start)), draw(in_term(start))))
    return start, first, second


@given(start=start_dates, payment=st.sampled_from(list(VERSION.rating.payments)), premium=premiums)
def test_installments_add_up_to_the_premium_and_are_due_from_the_start_date(
    start: dt.date, payment: str, premium: int
) -> None:
    method = VERSION.rating.payments[payment]
    items = policy.installments(version=VERSION, payment=payment, start_date=start, premium=premium)
    assert len(items) == method.installments
    assert policy.total(items) == method.installments * premium
    assert items[0].due_date == start
    end = policy.end_date(VERSION, start)
    for k, item in enumerate(items):
        months = start.month - 1 + k * method.months_per_installment
        year, month = start.year + months // 12, months % 12 + 1
        assert (item.due_date.year, item.due_date.month) == (year, month)
        assert item.due_date.day == min(start.day, stdlib_calendar.monthrange(year, month)[1])  # not chained
        assert item.due_date < end
    assert all(a.due_date < b.due_date for a, b in itertools.pairwise(items))


@given(dates=start_and_dates())
def test_months_left_is_between_zero_and_the_term_and_never_grows(dates: tuple[dt.date, dt.date, dt.date]) -> None:
    start, earlier, later = dates
    m_earlier = policy.months_left(version=VERSION, start_date=start, effective_date=earlier)
    m_later = policy.months_left(version=VERSION, start_date=start, effective_date=later)
    assert 0 <= m_later <= m_earlier <= N
    assert policy.months_left(version=VERSION, start_date=start, effective_date=start) == N
    one_day = start + dt.timedelta(days=1)
    assert policy.months_left(version=VERSION, start_date=start, effective_date=one_day) == N - 1


@given(start=start_dates, k=st.integers(1, N))
def test_months_left_on_the_k_th_due_date_is_the_installments_from_k_on(start: dt.date, k: int) -> None:
    due = policy.month_dates(VERSION, start)[k - 1]
    assert policy.months_left(version=VERSION, start_date=start, effective_date=due) == N - k + 1


@given(data=st.data(), start=start_dates, current=premiums, new=premiums)
def test_an_annual_change_is_a_multiple_of_the_unit_with_the_sign_of_the_difference_and_no_larger(
    data: st.DataObject, start: dt.date, current: int, new: int
) -> None:
    d = data.draw(in_term(start))
    plan = policy.payment_plan(version=VERSION, payment="annual", start_date=start, premium=current)
    change = policy.mid_term_change(version=VERSION, plan=plan, effective_date=d, new_premium=new)
    delta, charge = new - current, change.premium_difference
    assert charge % UNIT == 0
    assert charge == 0 or (charge > 0) == (delta > 0)
    assert abs(charge) <= abs(delta)
    assert Fraction(abs(delta) * change.months_left, N) - UNIT < abs(charge)  # rounded down by less than one unit
    assert change.plan.installments == plan.installments


@given(data=st.data(), start=start_dates, current=premiums, new=premiums)
def test_a_monthly_change_reprices_exactly_the_installments_due_from_the_effective_date(
    data: st.DataObject, start: dt.date, current: int, new: int
) -> None:
    d = data.draw(in_term(start))
    plan = policy.payment_plan(version=VERSION, payment="monthly", start_date=start, premium=current)
    change = policy.mid_term_change(version=VERSION, plan=plan, effective_date=d, new_premium=new)
    assert change.premium_difference == 0
    assert sum(1 for i in change.plan.installments if i.due_date >= d) == change.months_left
    for before, after in zip(plan.installments, change.plan.installments, strict=True):
        assert after.amount == (new if before.due_date >= d else current)
    assert policy.total(change.plan.installments) == (N - change.months_left) * current + change.months_left * new


@given(dates=start_and_dates(), premium=premiums)
def test_an_annual_refund_is_at_most_the_premium_and_never_grows_as_the_date_advances(
    dates: tuple[dt.date, dt.date, dt.date], premium: int
) -> None:
    start, earlier, later = dates
    plan = policy.payment_plan(version=VERSION, payment="annual", start_date=start, premium=premium)
    first = policy.cancellation(version=VERSION, plan=plan, effective_date=earlier)
    second = policy.cancellation(version=VERSION, plan=plan, effective_date=later)
    assert 0 <= second.refund <= first.refund <= premium
    assert first.refund % UNIT == 0
    assert VERSION.term_start_at(start) <= first.cover_ends_at < VERSION.term_end_at(start)


@given(data=st.data(), start=start_dates, premium=premiums)
def test_an_annual_refund_is_zero_after_the_last_due_date(data: st.DataObject, start: dt.date, premium: int) -> None:
    last_due = policy.month_dates(VERSION, start)[-1]
    days_after = (policy.end_date(VERSION, start) - last_due).days
    d = last_due + dt.timedelta(days=data.draw(st.integers(1, days_after - 1)))
    plan = policy.payment_plan(version=VERSION, payment="annual", start_date=start, premium=premium)
    assert policy.cancellation(version=VERSION, plan=plan, effective_date=d).refund == 0


@given(data=st.data(), start=start_dates, premium=premiums)
def test_a_monthly_cancellation_refunds_nothing_and_cancels_the_months_left(
    data: st.DataObject, start: dt.date, premium: int
) -> None:
    d = data.draw(in_term(start))
    plan = policy.payment_plan(version=VERSION, payment="monthly", start_date=start, premium=premium)
    cancelled = policy.cancellation(version=VERSION, plan=plan, effective_date=d)
    assert cancelled.refund == 0
    statuses = [i.status for i in cancelled.plan.installments]
    assert statuses.count(InstallmentStatus.CANCELLED) == cancelled.months_left
    assert statuses == sorted(statuses, key=lambda s: s is InstallmentStatus.CANCELLED)  # the last ones


@st.composite
def schedules(draw: st.DrawFn) -> tuple[tuple[Installment, ...], dt.date]:
    """A monthly schedule with random payments and a date on which to decide whether it has lapsed."""
    start = draw(start_dates)
    items = policy.installments(version=VERSION, payment="monthly", start_date=start, premium=1_000)
    paid = draw(st.lists(st.booleans(), min_size=len(items), max_size=len(items)))
    with_payments = tuple(
        Installment(
            number=i.number,
            due_date=i.due_date,
            amount=i.amount,
            status=InstallmentStatus.PAID if p else InstallmentStatus.DUE,
        )
        for i, p in zip(items, paid, strict=True)
    )
    # Any date up to a year after the end, or one next to a grace end (where a lapse is decided).
    near_grace = draw(st.sampled_from(items)).due_date
    grace_end = policy.grace_end_date(VERSION, near_grace) + dt.timedelta(days=draw(st.integers(-1, 1)))
    any_date = start + dt.timedelta(days=draw(st.integers(0, 2 * 366)))
    return with_payments, draw(st.sampled_from([any_date, grace_end]))


@given(case=schedules())
def test_a_lapse_is_never_decided_before_the_grace_end_and_takes_the_first_overdue_installment(
    case: tuple[tuple[Installment, ...], dt.date],
) -> None:
    items, on_date = case
    lapsed = policy.lapse(version=VERSION, installments=items, on_date=on_date)
    overdue = [
        i for i in items if i.status is InstallmentStatus.DUE and policy.grace_end_date(VERSION, i.due_date) < on_date
    ]
    if lapsed is None:
        assert not overdue
        return
    assert on_date > lapsed.grace_end_date
    month_after = (lapsed.due_date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    assert lapsed.grace_end_date.month == month_after.month
    assert (lapsed.grace_end_date + dt.timedelta(days=1)).day == 1  # the month's last day
    assert lapsed.installment_number == overdue[0].number
    # Every later installment is cancelled, paid or not (what was paid returns through the account).
    later = [i.number for i in items if i.number > lapsed.installment_number]
    assert list(lapsed.cancelled) == later


TABLES: list[tuple[Any, type[enum.StrEnum], type[enum.StrEnum]]] = [
    (POLICY_TRANSITIONS, policy.PolicyState, policy.PolicyAction),
    (APPLICATION_TRANSITIONS, policy.ApplicationState, policy.ApplicationAction),
]


@pytest.mark.parametrize(("table", "states", "actions"), TABLES, ids=["policy", "application"])
@given(data=st.data())
def test_a_transition_table_refuses_every_pair_not_in_it(
    table: Any, states: type[enum.StrEnum], actions: type[enum.StrEnum], data: st.DataObject
) -> None:
    state = data.draw(st.sampled_from(list(states)))
    action = data.draw(st.sampled_from(list(actions)))
    target = data.draw(st.sampled_from(list(states)))
    rows = {(r.from_state, r.action): r.to_state for r in table.rows}
    if (state, action) in rows:
        assert table.apply(current=state, action=action) is rows[(state, action)]
    else:
        with pytest.raises(IllegalTransition) as caught:
            table.apply(current=state, action=action)
        assert (caught.value.from_state, caught.value.action) == (state, action)
    if (state, target) in {(r.from_state, r.to_state) for r in table.rows}:
        assert table.move(current=state, to_state=target) is target
    else:
        with pytest.raises(IllegalTransition) as caught:
            table.move(current=state, to_state=target)
        assert (caught.value.from_state, caught.value.to_state) == (state, target)
