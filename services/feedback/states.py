"""The feedback state machine: one table {(state, action): new_state}.

held (待审, the word screen stopped it) → received (to the unit) → accepted (受理) →
reviewing (the unit's answer awaits its reviewer) → answered (the sender sees it) → closed,
or reopened (the sender was not satisfied) → reviewing → answered again. rejected (不予受理)
from held or received. Transfers and extensions leave the state as it is. The names people read are in the catalogues
(services/common/locale: feedback_status, feedback_action)."""
from __future__ import annotations

from services.common.errors import Conflict
from services.common.i18n import term

STATUSES = ("held", "received", "accepted", "reviewing", "answered", "reopened", "rejected", "closed")
OPEN = ("received", "accepted", "reviewing", "reopened")  # the unit owes an answer: the clock runs

TRANSITIONS: dict[tuple[str, str], str] = {
    ("held", "release"): "received",
    ("held", "reject"): "rejected",
    ("received", "accept"): "accepted",
    ("received", "reject"): "rejected",
    ("received", "transfer"): "received",
    ("accepted", "transfer"): "accepted",
    ("reviewing", "transfer"): "accepted",  # the draft belongs to the old unit; the new one answers
    ("reopened", "transfer"): "reopened",
    ("answered", "transfer"): "answered",  # a reopening then goes to the new unit (after a merge, say)
    ("accepted", "extend"): "accepted",
    ("reviewing", "extend"): "reviewing",
    ("reopened", "extend"): "reopened",
    ("accepted", "grant_extension"): "accepted",
    ("reviewing", "grant_extension"): "reviewing",
    ("reopened", "grant_extension"): "reopened",
    ("accepted", "answer"): "reviewing",
    ("reopened", "answer"): "reviewing",
    ("reviewing", "approve_answer"): "answered",
    ("reviewing", "reject_answer"): "accepted",
    ("answered", "rate"): "answered",  # then closed or reopened, by the rating
    ("answered", "reopen"): "reopened",
    ("answered", "close"): "closed",
}


def next_state(state: str, action: str) -> str:
    """The state after `action`, or a 409 naming why it cannot be done now."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise Conflict(f"该意见当前为“{term('feedback_status', state)}”，不能{term('feedback_action', action)}",
                       {"status": state, "action": action}) from None
