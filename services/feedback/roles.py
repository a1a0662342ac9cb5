"""Who may act on feedback: the county office, or the operator or reviewer of the unit now
answering it, action by action (a comment on the county's yearly plan is the county office's
own to answer: one of its inspectors drafts the answer, another approves it, never their own);
and from that and the state table (states.py), the actions a reader may take now, which every view of a feedback carries for the console's buttons."""
from __future__ import annotations

from services.common.actor import COUNTY_ROLES, Actor
from services.common.errors import Forbidden
from services.common.i18n import term

from .models import Feedback
from .states import TRANSITIONS

COUNTY_OFFICE = COUNTY_ROLES
UNIT_OFFICIALS = ("operator", "reviewer")

# the `act` RPC's actions (their names on the wire) → the state table's action
ACTS = {"release": "release", "reject": "reject", "accept": "accept", "transfer": "transfer", "extend": "extend",
        "grant-extension": "grant_extension", "answer": "answer", "approve-answer": "approve_answer",
        "reject-answer": "reject_answer"}
# who takes each: the county office, and which officials of the answering unit
OFFICE_TAKES = frozenset({"release", "reject", "accept", "transfer", "grant-extension"})
PLAN_ANSWERS = frozenset({"answer", "approve-answer", "reject-answer"})  # the office's, on its plan
PLAN_ANSWERER = "inspector"
UNIT_TAKES: dict[str, tuple[str, ...]] = {
    "reject": UNIT_OFFICIALS, "accept": UNIT_OFFICIALS, "extend": UNIT_OFFICIALS,
    "answer": ("operator",), "approve-answer": ("reviewer",), "reject-answer": ("reviewer",)}


def office_only(actor: Actor, what: str) -> None:
    if actor.role not in COUNTY_OFFICE:
        raise Forbidden(f"{what}由县委党务公开领导小组办公室办理，你的角色不能办理")


def answers_plan(actor: Actor | None, feedback: Feedback) -> bool:
    """The county office answering a comment on its own yearly plan."""
    return actor is not None and actor.role == PLAN_ANSWERER and feedback.target_kind == "plan"


def of_unit(actor: Actor, feedback: Feedback, roles: tuple[str, ...], what: str, plan_office: bool = False) -> None:
    """An operator or reviewer (as `roles` allow) of the unit now answering the feedback; with
    `plan_office`, on a comment on the plan, the county office's inspector too."""
    if plan_office and answers_plan(actor, feedback):
        return
    if actor.role not in roles:
        raise Forbidden(f"{what}需要{'或'.join(term('feedback_role', r) for r in roles)}办理")
    if actor.unit != feedback.unit_code:
        raise Forbidden(f"这条意见建议由 {feedback.unit_code} 办理，你属于 {actor.unit or '（无单位）'}，不能办理")


def may_take(actor: Actor | None, action: str, feedback: Feedback) -> bool:
    """Whether the actor's role and unit let them take this `act` action on the feedback."""
    if actor is None:
        return False
    if actor.role in COUNTY_OFFICE:
        return action in OFFICE_TAKES or (action in PLAN_ANSWERS and answers_plan(actor, feedback))
    if feedback.status == "held":  # held feedback is the county office's to screen
        return False
    return actor.role in UNIT_TAKES.get(action, ()) and actor.unit == feedback.unit_code


def actions(actor: Actor | None, feedback: Feedback, drafter: str | None = None) -> list[str]:
    """The `act` actions the actor may take on the feedback now: its state allows the step and
    their role and unit do; a request for an extension once, its decision while requested; a
    reviewer never approves an answer they drafted (`drafter`, of the answer awaiting review)."""
    found = []
    for action, step in ACTS.items():
        if (feedback.status, step) not in TRANSITIONS or not may_take(actor, action, feedback):
            continue
        if action == "extend" and feedback.extension_status is not None:
            continue
        if action == "grant-extension" and feedback.extension_status != "requested":
            continue
        if action == "approve-answer" and drafter is not None and actor is not None and drafter == actor.username:
            continue
        found.append(action)
    return found
