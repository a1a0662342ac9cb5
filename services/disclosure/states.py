"""The item workflow as one table {(state, action): new_state}, with who may take each action.

draft → submitted (提出) → reviewed (审核) → approved (审批) → published (实施) → corrected
(a new version replaced it) | withdrawn (撤回) → archived (归档, when its year is sealed). A
reviewer may reject a submitted or reviewed item back to draft. Editing keeps a draft a draft;
correcting a published item starts a new draft version and leaves the published one as it is
until that version is published.

The steps themselves (what each writes and emits) are in workflow.py; the views publish
`actions(...)`, what the reader may do now, so pages draw their buttons from this table."""
from __future__ import annotations

from datetime import date

from services.common.actor import Actor

STATUSES = ("draft", "submitted", "reviewed", "approved", "published", "corrected", "withdrawn", "archived")

TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "edit"): "draft",
    ("draft", "submit"): "submitted",
    ("submitted", "review"): "reviewed",
    ("submitted", "reject"): "draft",
    ("reviewed", "reject"): "draft",
    ("reviewed", "approve"): "approved",
    ("approved", "publish"): "published",  # in the same step as approve: 审批 then 实施
    ("published", "correct"): "published",  # a new draft version; this one stays until it is replaced
    ("published", "withdraw"): "withdrawn",
}

# the role that takes each action a person takes (publish follows approve on its own)
TAKEN_BY = {"edit": "operator", "submit": "operator", "correct": "operator",
            "review": "reviewer", "approve": "reviewer", "reject": "reviewer", "withdraw": "reviewer"}
STEPS = ("submit", "review", "approve", "reject", "withdraw")  # transition_item's actions


def sources(action: str) -> tuple[str, ...]:
    """The states an action may be taken from, in the table's order."""
    return tuple(state for state, taken in TRANSITIONS if taken == action)


def after(state: str, action: str) -> str:
    """The state an action leads to; call after checking `sources`."""
    return TRANSITIONS[(state, action)]


def may_take(actor: Actor | None, action: str, status: str, unit_code: str, author: str | None) -> bool:
    """Whether the actor's role and unit let them take the action in this status (a reviewer
    never on an item they wrote). Whether the item can still change is the caller's check."""
    if actor is None or (status, action) not in TRANSITIONS or TAKEN_BY.get(action) != actor.role:
        return False
    if actor.unit != unit_code:
        return False
    return not (actor.role == "reviewer" and author == actor.username)


def actions(actor: Actor | None, status: str, unit_code: str, author: str | None,
            display_until: date | None = None, today: date | None = None,
            correcting: bool = False) -> list[str]:
    """The actions the actor may take now on an item in this status, in the table's order:
    a prior disclosure is not withdrawn before its display period ends, and a published item
    with a correction in progress takes no second one."""
    found = []
    for (state, action) in TRANSITIONS:
        if state != status or action in found or not may_take(actor, action, status, unit_code, author):
            continue
        if action == "withdraw" and display_until is not None and today is not None and today < display_until:
            continue
        if action == "correct" and correcting:
            continue
        found.append(action)
    return found
