"""What staff do with one feedback in the console, as one table: each action's button, who may
take it in which state, the fields of its confirmation form (validated by the API's own
schemas), the body the feedback service's `act` is sent, and what the case page says after it.

The feedback service decides (its role, unit and state checks are the rules); this table only
chooses which buttons a reader sees. A form carries how many steps the case had when it was
opened (`seen`): when the case moved on meanwhile, the post is refused with who did what when,
and nothing is changed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema

from services.common.shapes import feedback as shapes

from ..kit.forms import validate_form
from ..kit.render import cn_datetime

OPEN = ("received", "accepted", "reviewing", "reopened")
ANSWER_STATUSES = {"review": "待审核", "approved": "已审核通过", "returned": "已退回"}
EXTENSION_STATUSES = {"requested": "待县委办公室批准", "granted": "已批准", "refused": "未批准"}
SOURCES = {"public": "群众", "member": "党员"}
SENDER = "提问人"
PEOPLE = {"sender": SENDER, "system": "系统"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "textarea"  # textarea, text or number
    required: bool = True
    hint: str = ""
    maxlength: int = 500


@dataclass(frozen=True)
class Action:
    label: str  # the button that opens the confirmation
    done: str  # what the case page says once it is done
    roles: tuple[str, ...]
    states: tuple[str, ...]
    rpc: str  # the feedback service's action
    schema: type[Schema] | None = None
    fields: tuple[Field, ...] = ()
    secondary: bool = False  # a step back (refusing, returning): the grey button


REASON = "reason"
ACTIONS: dict[str, Action] = {
    "accept": Action("受理", "已受理，请在答复期限前拟写答复。", ("operator", "reviewer"), ("received",), "accept"),
    "answer": Action("答复", "答复已送审核人审核；审核通过后提问人才能看到。", ("operator",), ("accepted", "reopened"),
                     "answer", shapes.AnswerDraft,
                     (Field("body", "答复内容", maxlength=5000, hint="提问人能看到这段答复（审核通过后）。最多 5000 字。"),)),
    "approve-answer": Action("审核通过答复", "答复已审核通过，提问人现在可以看到。", ("reviewer",), ("reviewing",),
                             "approve-answer", shapes.AnswerReview,
                             (Field("note", "审核意见", required=False, hint="选填，只在办理记录里。"),)),
    "reject-answer": Action("退回答复", "答复已退回党务干事修改。", ("reviewer",), ("reviewing",), "reject-answer",
                            shapes.FeedbackReason, (Field(REASON, "退回原因", hint="党务干事会看到，请写明要怎样修改。"),),
                            secondary=True),
    "extend": Action("申请延期", "延期申请已送县委办公室。", ("operator", "reviewer"), ("accepted", "reviewing", "reopened"),
                     "extend", shapes.ExtensionRequest,
                     (Field("working_days", "延期工作日数", "number", hint="最多 15 个工作日，每条意见只能申请一次。", maxlength=2),
                      Field(REASON, "延期理由")), secondary=True),
    "reject": Action("不予受理", "已不予受理；提问人能看到原因。", ("operator", "reviewer", "inspector"), ("held", "received"),
                     "reject", shapes.FeedbackReason,
                     (Field(REASON, "不予受理的原因", hint="提问人能看到这段原因。"),), secondary=True),
    "release": Action("放行", "已放行，意见已送办理单位。", ("inspector",), ("held",), "release"),
    "transfer": Action("转办", "已转办，答复期限不变。", ("inspector",), (*OPEN, "answered"), "transfer", shapes.Transfer,
                       (Field("unit_code", "转办给（党组织代码）", "text", hint="如 A002；接手单位须为在册的党组织。", maxlength=32),
                        Field(REASON, "转办理由"))),
    "grant-extension": Action("批准延期", "已批准延期，答复期限已顺延。", ("inspector",), ("accepted", "reviewing", "reopened"),
                              "grant-extension", shapes.ExtensionDecision,
                              (Field("note", "批复意见", required=False, hint="选填。"),)),
    "refuse-extension": Action("不批准延期", "已不批准延期，答复期限不变。", ("inspector",),  # in any state: a note only
                               (*OPEN, "answered", "closed"), "grant-extension", shapes.ExtensionDecision,
                               (Field("note", "不批准的原因", hint="办理单位会看到。"),), secondary=True),
}
# werkzeug's converter arguments: a name with a hyphen is quoted
RULE = "/console/feedback/<id:feedback_id>/<any({}):action>".format(
    ",".join(f"'{a}'" if "-" in a else a for a in ACTIONS))


def applies(slug: str, actor: dict[str, Any], feedback: dict[str, Any]) -> bool:
    """Whether the reader sees this action's button on the case now: the feedback service says,
    in the `actions` it returns with the case (its state table, the reader's role and unit).
    Refusing an extension is its grant-extension call answered no, which the county office may
    give while a request waits, whatever the case's state."""
    if slug == "refuse-extension":
        extension = (feedback.get("extension") or {}).get("status", feedback.get("extension_status"))
        return actor["role"] in ACTIONS[slug].roles and extension == "requested"
    return ACTIONS[slug].rpc in (feedback.get("actions") or ())


def available(actor: dict[str, Any], feedback: dict[str, Any]) -> list[str]:
    return [slug for slug in ACTIONS if applies(slug, actor, feedback)]


def why_not(slug: str, actor: dict[str, Any], feedback: dict[str, Any]) -> tuple[str, int]:
    """Why the button is not there, in words, and the status to answer with (403 or 409)."""
    action = ACTIONS[slug]
    if actor["role"] not in action.roles:
        return f"“{action.label}”不由你的角色办理。", 403
    if slug in ("grant-extension", "refuse-extension") and feedback["status"] in action.states:
        return "这条意见建议没有待批准的延期申请。", 409
    if slug == "extend" and (feedback.get("extension") or {}).get("status"):
        return "每条意见建议只能申请一次延期，已经申请过了。", 409
    return f"该意见现为“{feedback['status_label']}”，不能{action.label}。", 409


def body_of(slug: str, form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(the body for the service, {}) or ({}, {field: what to change}) from the posted form."""
    action = ACTIONS[slug]
    if action.schema is None:
        return {}, {}
    data = {f.name: form.get(f.name, "") for f in action.fields if f.required or form.get(f.name)}
    labels = {f.name: f.label for f in action.fields}
    loaded, errors = validate_form(action.schema(), data, labels)
    if "working_days" in errors and data.get("working_days"):
        errors["working_days"] = "延期最多 15 个工作日，请填写 1 到 15 之间的整数。"
    if slug.endswith("-extension"):
        loaded["grant"] = slug == "grant-extension"
    return loaded, errors


def seen_of(form: dict[str, str]) -> int | None:
    seen = form.get("seen", "")
    return int(seen) if seen.isdigit() else None


def person(name: str | None) -> str:
    return PEOPLE.get(name or "", name or "")


def moved_on(feedback: dict[str, Any], seen: int | None) -> str | None:
    """When the case has steps the form had not seen: who did what when, to say so."""
    steps = feedback.get("steps") or []
    if seen is None or len(steps) <= seen:
        return None
    last = steps[-1]
    return (f"该意见已由 {person(last['actor'])} 于 {cn_datetime(last['at'])} 处理（{last.get('label', last['action'])}），"
            f"现为“{feedback['status_label']}”，请刷新后再看。")


def pending_answer(feedback: dict[str, Any]) -> dict[str, Any] | None:
    """The answer waiting for the reviewer, if any."""
    waiting = [a for a in feedback.get("answers") or [] if a["status"] == "review"]
    return waiting[-1] if waiting else None


def returned_answer(feedback: dict[str, Any]) -> dict[str, Any] | None:
    """The last answer sent back, while the unit owes a new one (to start the new draft from)."""
    answers = feedback.get("answers") or []
    if feedback["status"] != "accepted" or not answers or answers[-1]["status"] != "returned":
        return None
    return answers[-1]
