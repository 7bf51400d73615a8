"""Export-request states and the two-person blind review."""

from __future__ import annotations

import pytest

from export_review import (
    Actor,
    Decision,
    ExportRequestState,
    ReviewBoard,
    ReviewError,
    ReviewOutcome,
    TransitionError,
    allowed_transitions,
    approved_outputs,
    decide_request,
    transition,
)

S = ExportRequestState


def test_author_submits_and_system_approves() -> None:
    step = transition(S.DRAFT, S.SUBMITTED, Actor.AUTHOR, "alice")
    assert (step.source, step.target, step.user) == (S.DRAFT, S.SUBMITTED, "alice")
    assert S.APPROVED in allowed_transitions(S.IN_REVIEW, Actor.SYSTEM)
    assert allowed_transitions(S.IN_REVIEW, Actor.REVIEWER) == ()


@pytest.mark.parametrize(("source", "target", "actor"), [
    (S.IN_REVIEW, S.APPROVED, Actor.REVIEWER),   # one steward cannot approve alone
    (S.DRAFT, S.RELEASED, Actor.SYSTEM),
    (S.RELEASED, S.DRAFT, Actor.AUTHOR),
    (S.REJECTED, S.SUBMITTED, Actor.AUTHOR),
    (S.APPROVED, S.RELEASED, Actor.AUTHOR),
])
def test_disallowed_transitions_are_refused_with_a_reason(source: ExportRequestState,
                                                          target: ExportRequestState,
                                                          actor: Actor) -> None:
    with pytest.raises(TransitionError, match=source.value):
        transition(source, target, actor)


def test_the_author_can_never_review_their_own_request() -> None:
    board = ReviewBoard("table", author="alice", check_status="pass")
    assert not board.can_review("alice")
    with pytest.raises(ReviewError, match="cannot review"):
        board.vote("alice", Decision.APPROVE)
    assert board.votes_cast == 0


def test_votes_stay_blind_until_both_reviewers_have_voted() -> None:
    board = ReviewBoard("table", author="alice", check_status="pass")
    board.vote("bob", Decision.APPROVE)
    assert [v.reviewer for v in board.visible_votes("bob")] == ["bob"]
    assert board.visible_votes("carol") == ()
    assert board.visible_votes("alice") == ()
    assert board.outcome is ReviewOutcome.PENDING
    board.vote("carol", Decision.APPROVE)
    assert [v.reviewer for v in board.visible_votes("alice")] == ["bob", "carol"]
    assert board.outcome is ReviewOutcome.APPROVED


def test_a_second_vote_by_the_same_reviewer_is_an_error_and_changes_nothing() -> None:
    board = ReviewBoard("table", author="alice", check_status="pass")
    board.vote("bob", Decision.APPROVE)
    before = board.to_dict()
    with pytest.raises(ReviewError, match="already voted"):
        board.vote("bob", Decision.REJECT, "changed my mind")
    assert board.to_dict() == before


@pytest.mark.parametrize(("status", "decision"), [("fail", Decision.APPROVE),
                                                  ("pass", Decision.REJECT)])
def test_overriding_the_checks_requires_a_comment(status: str, decision: Decision) -> None:
    board = ReviewBoard("table", author="alice", check_status=status)  # type: ignore[arg-type]
    with pytest.raises(ReviewError, match="comment"):
        board.vote("bob", decision, "   ")
    assert board.votes_cast == 0
    board.vote("bob", decision, "Structural zeros, agreed with the data owner.")
    assert board.votes_cast == 1


def test_disagreement_needs_a_third_review_which_decides() -> None:
    board = ReviewBoard("table", author="alice", check_status="review")
    board.vote("bob", Decision.APPROVE)
    board.vote("carol", Decision.REJECT)
    assert board.outcome is ReviewOutcome.NEEDS_THIRD_REVIEW
    assert not board.can_review("bob")
    board.vote("dave", Decision.REJECT)
    assert board.outcome is ReviewOutcome.REJECTED
    with pytest.raises(ReviewError, match="already decided"):
        board.vote("erin", Decision.APPROVE)


def test_request_changes_with_any_other_vote_sends_it_back() -> None:
    board = ReviewBoard("table", author="alice", check_status="review")
    board.vote("bob", Decision.REQUEST_CHANGES)
    board.vote("carol", Decision.APPROVE)
    assert board.outcome is ReviewOutcome.CHANGES_REQUESTED
    assert decide_request([board]) is S.CHANGES_REQUESTED


def test_request_outcome_releases_only_approved_outputs() -> None:
    ok = ReviewBoard("ok", "alice", "pass")
    bad = ReviewBoard("bad", "alice", "fail")
    for reviewer in ("bob", "carol"):
        ok.vote(reviewer, Decision.APPROVE)
        bad.vote(reviewer, Decision.REJECT)
    assert decide_request([ok, bad]) is S.APPROVED
    assert approved_outputs([ok, bad]) == ("ok",)
    assert decide_request([bad]) is S.REJECTED
    assert decide_request([ok, ReviewBoard("open", "alice", "pass")]) is None


def test_board_round_trips_through_storage() -> None:
    board = ReviewBoard("table", author="alice", check_status="fail")
    board.vote("bob", Decision.APPROVE, "Suppressed in the paper.")
    restored = ReviewBoard.from_dict(board.to_dict())
    assert restored.to_dict() == board.to_dict()
    with pytest.raises(ReviewError):
        restored.vote("bob", Decision.APPROVE, "again")
