"""The export-request workflow: states, who may move them, and two-person review.

Pure logic; the service persists states and votes and writes an audit event
for every :class:`Transition` returned here.

States and who may move them (``author`` is the researcher who made the
request, ``reviewer`` a data steward, ``system`` the service acting on rules)::

    draft ──author──► submitted ──system/reviewer──► in_review ──system──► approved ──system──► released
      │                  │                              │    └──system──► rejected
      └─author─► withdrawn ◄─author─┘                   ├──system──► changes_requested ──author──► submitted
                                                        └──author──► withdrawn

``approved``, ``rejected`` and ``changes_requested`` are reached only by the
system, from the outcome of the review boards (:func:`decide_request`), so no
single steward can approve alone.

Review outcome for one output (:class:`ReviewBoard`): two independent votes;
neither is visible to anyone but its caster until both are in. Same decision
twice decides. ``request_changes`` with any other vote gives
``changes_requested`` (the researcher can fix and resubmit). ``approve`` against
``reject`` needs a third review by another steward, whose vote decides by
majority (or requests changes).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from export_review.checks.base import Status
from export_review.errors import ReviewError, TransitionError
from export_review.messages import text

__all__ = [
    "TRANSITIONS",
    "Actor",
    "Decision",
    "ExportRequestState",
    "ReviewBoard",
    "ReviewOutcome",
    "Transition",
    "Vote",
    "allowed_transitions",
    "approved_outputs",
    "decide_request",
    "transition",
]


class ExportRequestState(enum.Enum):
    """Where an export request is."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    RELEASED = "released"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Actor(enum.Enum):
    """Who acts on a request."""

    AUTHOR = "author"
    REVIEWER = "reviewer"
    SYSTEM = "system"


_S = ExportRequestState
_A = Actor
#: (from, to) -> actors allowed to make that move.
TRANSITIONS: dict[tuple[ExportRequestState, ExportRequestState], frozenset[Actor]] = {
    (_S.DRAFT, _S.SUBMITTED): frozenset({_A.AUTHOR}),
    (_S.DRAFT, _S.WITHDRAWN): frozenset({_A.AUTHOR}),
    (_S.SUBMITTED, _S.IN_REVIEW): frozenset({_A.SYSTEM, _A.REVIEWER}),
    (_S.SUBMITTED, _S.WITHDRAWN): frozenset({_A.AUTHOR}),
    (_S.IN_REVIEW, _S.APPROVED): frozenset({_A.SYSTEM}),
    (_S.IN_REVIEW, _S.REJECTED): frozenset({_A.SYSTEM}),
    (_S.IN_REVIEW, _S.CHANGES_REQUESTED): frozenset({_A.SYSTEM}),
    (_S.IN_REVIEW, _S.WITHDRAWN): frozenset({_A.AUTHOR}),
    (_S.CHANGES_REQUESTED, _S.SUBMITTED): frozenset({_A.AUTHOR}),
    (_S.CHANGES_REQUESTED, _S.WITHDRAWN): frozenset({_A.AUTHOR}),
    (_S.APPROVED, _S.RELEASED): frozenset({_A.SYSTEM}),
}


@dataclass(frozen=True)
class Transition:
    """A state change, to be stored as an audit event.

    Attributes:
        source: the state before.
        target: the state after.
        actor: the role that acted.
        user: who acted (a user name or id; never a data subject).
        at: ISO-8601 UTC time.
    """

    source: ExportRequestState
    target: ExportRequestState
    actor: Actor
    user: str
    at: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def allowed_transitions(state: ExportRequestState, actor: Actor) -> tuple[ExportRequestState, ...]:
    """List the states ``actor`` may move a request in ``state`` to.

    Args:
        state: the current state.
        actor: the role acting.

    Returns:
        Target states, in declaration order.
    """
    return tuple(t for (s, t), actors in TRANSITIONS.items() if s is state and actor in actors)


def transition(state: ExportRequestState, target: ExportRequestState, actor: Actor,
               user: str = "") -> Transition:
    """Check a state change and return it as an auditable record.

    Args:
        state: the current state.
        target: the requested state.
        actor: the role acting.
        user: who acts.

    Returns:
        The transition.

    Raises:
        TransitionError: when the move is not allowed for that role.
    """
    actors = TRANSITIONS.get((state, target))
    if actors is None:
        allowed = ", ".join(t.value for (s, t) in TRANSITIONS if s is state) or "-"
        raise TransitionError(text("workflow.no_transition", source=state.value,
                                   target=target.value, allowed=allowed))
    if actor not in actors:
        raise TransitionError(text("workflow.wrong_actor", source=state.value,
                                   target=target.value, actor=actor.value,
                                   allowed=", ".join(sorted(a.value for a in actors))))
    return Transition(state, target, actor, user, _now())


class Decision(enum.Enum):
    """A reviewer's decision on one output."""

    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"


class ReviewOutcome(enum.Enum):
    """Where the review of one output stands."""

    PENDING = "pending"
    NEEDS_THIRD_REVIEW = "needs_third_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"


@dataclass(frozen=True)
class Vote:
    """One reviewer's vote.

    Attributes:
        reviewer: the steward's user name.
        decision: their decision.
        comment: their reason (required when overriding the checks).
        at: ISO-8601 UTC time.
    """

    reviewer: str
    decision: Decision
    comment: str
    at: str

    def to_dict(self) -> dict[str, str]:
        """Serialize to JSON-compatible data."""
        return {"reviewer": self.reviewer, "decision": self.decision.value,
                "comment": self.comment, "at": self.at}


class ReviewBoard:
    """Two independent, blind reviews of one output.

    Args:
        output_name: the output under review.
        author: the researcher who requested it; never allowed to review it.
        check_status: the server-side verdict status (``pass``/``review``/``fail``).
        votes: votes already cast (when loading from storage).
    """

    REQUIRED_VOTES = 2

    def __init__(self, output_name: str, author: str, check_status: Status,
                 votes: Iterable[Vote] = ()) -> None:
        self.output_name = output_name
        self.author = author
        self.check_status: Status = check_status
        self._votes: list[Vote] = list(votes)

    def can_review(self, reviewer: str) -> bool:
        """Tell whether ``reviewer`` may vote now."""
        return (reviewer != self.author
                and all(v.reviewer != reviewer for v in self._votes)
                and self.outcome in (ReviewOutcome.PENDING, ReviewOutcome.NEEDS_THIRD_REVIEW))

    def vote(self, reviewer: str, decision: Decision, comment: str = "",
             at: str | None = None) -> Vote:
        """Cast a vote; on refusal nothing changes.

        Args:
            reviewer: the steward voting.
            decision: approve, reject or request changes.
            comment: the reason; required to approve a failed check or reject a passed one.
            at: time of the vote (default now).

        Returns:
            The vote.

        Raises:
            ReviewError: for self-review, a second vote, a decided board, or a
                missing comment.
        """
        if not reviewer:
            raise ReviewError(text("review.no_reviewer"))
        if reviewer == self.author:
            raise ReviewError(text("review.self_review", output=self.output_name))
        if any(v.reviewer == reviewer for v in self._votes):
            raise ReviewError(text("review.already_voted", output=self.output_name))
        if self.outcome not in (ReviewOutcome.PENDING, ReviewOutcome.NEEDS_THIRD_REVIEW):
            raise ReviewError(text("review.closed", output=self.output_name,
                                   outcome=self.outcome.value))
        overriding = ((decision is Decision.APPROVE and self.check_status == "fail")
                      or (decision is Decision.REJECT and self.check_status == "pass"))
        if overriding and not comment.strip():
            raise ReviewError(text("review.comment_required", output=self.output_name,
                                   status=self.check_status, decision=decision.value))
        vote = Vote(reviewer, decision, comment.strip(), at or _now())
        self._votes.append(vote)
        return vote

    @property
    def votes_cast(self) -> int:
        """How many votes are in (visible to all: it reveals no decision)."""
        return len(self._votes)

    def visible_votes(self, viewer: str) -> tuple[Vote, ...]:
        """Return the votes ``viewer`` may see.

        Until both first votes are in, each reviewer sees only their own vote
        and everyone else sees none, so neither review is influenced.

        Args:
            viewer: who is looking.

        Returns:
            The visible votes.
        """
        if len(self._votes) >= self.REQUIRED_VOTES:
            return tuple(self._votes)
        return tuple(v for v in self._votes if v.reviewer == viewer)

    def all_votes(self) -> tuple[Vote, ...]:
        """Every vote, for storage by the service (never for display)."""
        return tuple(self._votes)

    @property
    def outcome(self) -> ReviewOutcome:
        """Decide from the votes cast so far."""
        if len(self._votes) < self.REQUIRED_VOTES:
            return ReviewOutcome.PENDING
        first, second = self._votes[0].decision, self._votes[1].decision
        if first is second:
            return _OUTCOME_OF[first]
        if Decision.REQUEST_CHANGES in (first, second):
            return ReviewOutcome.CHANGES_REQUESTED
        if len(self._votes) < 3:
            return ReviewOutcome.NEEDS_THIRD_REVIEW
        return _OUTCOME_OF[self._votes[2].decision]

    def to_dict(self) -> dict[str, Any]:
        """Serialize to JSON-compatible data (for the service's storage)."""
        return {"output_name": self.output_name, "author": self.author,
                "check_status": self.check_status, "votes": [v.to_dict() for v in self._votes]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReviewBoard:
        """Rebuild from :meth:`to_dict` output."""
        votes = [Vote(str(v["reviewer"]), Decision(v["decision"]), str(v["comment"]),
                      str(v["at"])) for v in data["votes"]]
        status = str(data["check_status"])
        if status not in ("pass", "review", "fail"):
            raise ValueError("unknown check status")
        return cls(str(data["output_name"]), str(data["author"]),
                   status, votes)  # type: ignore[arg-type]


_OUTCOME_OF = {
    Decision.APPROVE: ReviewOutcome.APPROVED,
    Decision.REJECT: ReviewOutcome.REJECTED,
    Decision.REQUEST_CHANGES: ReviewOutcome.CHANGES_REQUESTED,
}


def decide_request(boards: Sequence[ReviewBoard]) -> ExportRequestState | None:
    """Turn the outputs' review outcomes into the request's next state.

    Args:
        boards: one board per output of the request.

    Returns:
        ``None`` while any review is open; ``changes_requested`` if any output
        needs changes; ``rejected`` if every output is rejected; else
        ``approved`` (only approved outputs are then released).
    """
    outcomes = [b.outcome for b in boards]
    if not outcomes or any(o in (ReviewOutcome.PENDING, ReviewOutcome.NEEDS_THIRD_REVIEW)
                           for o in outcomes):
        return None
    if ReviewOutcome.CHANGES_REQUESTED in outcomes:
        return ExportRequestState.CHANGES_REQUESTED
    if all(o is ReviewOutcome.REJECTED for o in outcomes):
        return ExportRequestState.REJECTED
    return ExportRequestState.APPROVED


def approved_outputs(boards: Sequence[ReviewBoard]) -> tuple[str, ...]:
    """Names of the outputs both reviews (or the tie-break) approved."""
    return tuple(b.output_name for b in boards if b.outcome is ReviewOutcome.APPROVED)
