"""The authority table (interfaces.md §2.1) decides who may do what: own business, agency's clients, the
team's claims and cases, never one's own submission, never the requester; and a refusal says 403 or 404."""

from __future__ import annotations

import pytest

from mamori import authority
from mamori.authority import Action, Role, Subject, Target
from mamori.errors import Denied, NotVisible

HOLDER = Subject(user_id=1, roles=frozenset({Role.POLICYHOLDER}), business_id=10)
AGENT = Subject(user_id=2, roles=frozenset({Role.AGENT}), agency_id=7)
UNDERWRITER = Subject(user_id=3, roles=frozenset({Role.UNDERWRITER}))
CLAIMS = Subject(user_id=4, roles=frozenset({Role.CLAIMS}), team="tokyo")
SUPPORT = Subject(user_id=5, roles=frozenset({Role.SUPPORT}), team="tokyo")
ADMIN = Subject(user_id=6, roles=frozenset({Role.ADMIN}))
ANONYMOUS = Subject()
OWN = Target(business_id=10, agency_id=7)
OTHER = Target(business_id=11, agency_id=8)


@pytest.mark.parametrize("action", [Action.APPLY, Action.BIND, Action.CHANGE, Action.CANCEL, Action.RENEW])
def test_the_policyholder_acts_for_their_own_business_and_the_agent_for_their_clients(action: Action) -> None:
    assert authority.may(HOLDER, action, OWN)
    assert authority.may(AGENT, action, OWN)
    assert isinstance(authority.check(HOLDER, action, OTHER), NotVisible)
    assert isinstance(authority.check(AGENT, action, OTHER), NotVisible)


@pytest.mark.parametrize("staff", [UNDERWRITER, CLAIMS, SUPPORT, ADMIN])
@pytest.mark.parametrize("action", [Action.APPLY, Action.BIND, Action.CHANGE, Action.CANCEL, Action.RENEW])
def test_staff_never_act_for_a_policyholder_whatever_they_can_see(staff: Subject, action: Action) -> None:
    refusal = authority.check(staff, action, OWN)
    assert isinstance(refusal, Denied) and refusal.error.code == "E_FORBIDDEN"


def test_an_underwriter_never_decides_their_own_submission() -> None:
    both = Subject(user_id=9, roles=frozenset({Role.AGENT, Role.UNDERWRITER}), agency_id=7)
    assert authority.may(both, Action.APPLY, OWN)
    mine = Target(business_id=10, agency_id=7, submitted_by=9)
    refusal = authority.check(both, Action.DECIDE_APPLICATION, mine)
    assert isinstance(refusal, Denied) and refusal.error.code == "E_OWN_SUBMISSION"
    assert authority.may(UNDERWRITER, Action.DECIDE_APPLICATION, mine)
    assert authority.may(UNDERWRITER, Action.DECIDE_CHANGE, Target(submitted_by=2))


def test_a_claim_payment_is_approved_by_a_claims_user_of_the_team_other_than_the_requester() -> None:
    requested = Target(team="tokyo", requested_by=4)
    refusal = authority.check(CLAIMS, Action.APPROVE_CLAIM_PAYMENT, requested)
    assert isinstance(refusal, Denied) and refusal.error.code == "E_FOUR_EYES"
    other = Subject(user_id=44, roles=frozenset({Role.CLAIMS}), team="tokyo")
    assert authority.may(other, Action.APPROVE_CLAIM_PAYMENT, requested)
    osaka = Subject(user_id=45, roles=frozenset({Role.CLAIMS}), team="osaka")
    assert isinstance(authority.check(osaka, Action.APPROVE_CLAIM_PAYMENT, requested), NotVisible)
    assert isinstance(authority.check(ADMIN, Action.APPROVE_CLAIM_PAYMENT, requested), Denied)


def test_the_books_and_the_portfolio_are_for_administrators_and_quotes_for_everyone() -> None:
    for action in (Action.BOOKS, Action.PORTFOLIO, Action.AUDIT, Action.VENDORS, Action.RECORD_PAYMENT):
        assert authority.may(ADMIN, action)
        for other in (HOLDER, AGENT, UNDERWRITER, CLAIMS, SUPPORT, ANONYMOUS):
            assert not authority.may(other, action)
    for subject in (ANONYMOUS, HOLDER, ADMIN):
        assert authority.may(subject, Action.QUOTE) and authority.may(subject, Action.ESTIMATE)


def test_every_action_of_the_table_is_granted_to_some_role_and_every_grant_names_known_conditions() -> None:
    granted = {g.action for g in authority.AUTHORITY} | authority.PUBLIC
    assert granted == set(Action)
    with pytest.raises(Denied):
        authority.require(SUPPORT, Action.HANDLE_CLAIM, Target(team="tokyo"))
    with pytest.raises(NotVisible):
        authority.require(SUPPORT, Action.WORK_CASE, Target(team="osaka"))
