"""The county's yearly implementation plan (实施方案): goals, milestones with dates, carriers
and forms of disclosure.

draft → consultation (方案征求意见: open to the public and members for comments for N days)
→ approved (every unit's obligations for the year follow) → active (once the year has begun)
→ closed (once it has ended). One plan per year. Only the county office (inspector) drafts
and moves a plan; a draft is the office's own, every later status is readable by anyone.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from services.common.actor import Actor
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, InvalidInput, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.disclosure import NewPlan, PlanAction, PlanChanges
from services.common.workdays import county_today

from . import scheduling
from .actors import COUNTY_ROLES, require_role
from .models import Plan, PlanTransition
from .schemas import PlanView

EDITOR = "inspector"
PLAN_FIELDS = tuple(NewPlan().fields)


def _sees_drafts(actor: Actor | None) -> bool:
    return bool(actor) and actor.role in COUNTY_ROLES


def _load(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id, options=[selectinload(Plan.trail)])
    if plan is None:
        raise NotFound(f"no plan {plan_id}")
    return plan


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Validated fields as the columns keep them: milestone dates as ISO text in JSON."""
    return {**values, "milestones": [{"title": m["title"].strip(), "due_on": m["due_on"].isoformat()}
                                     for m in values["milestones"]]}


def _year_is_free(session: Session, year: int, plan_id: int | None = None) -> None:
    other = session.scalar(sa.select(Plan.id).where(Plan.year == year, Plan.id != (plan_id or 0)))
    if other is not None:
        raise Conflict(f"the plan for {year} exists already (plan {other}); one plan per year")


def _step(plan: Plan, to_status: str, actor: Actor, reason: str | None = None) -> None:
    plan.trail.append(PlanTransition(from_status=plan.status, to_status=to_status, actor=actor.username,
                                     role=actor.role, reason=reason, at=utcnow()))
    plan.status = to_status


def actions_of(plan: Plan, actor: Actor | None, today: date | None = None) -> list[str]:
    """What the reader may do with the plan now: edit a draft, and each move of ACTIONS whose
    status and date allow it (approve once the comments have closed, activate once the year
    has begun, close once it has ended). Only the county office moves a plan."""
    if actor is None or actor.role != EDITOR:
        return []
    today = today or county_today()
    allowed = {"consult": True,
               "approve": plan.consultation_closes_on is not None and today > plan.consultation_closes_on,
               "activate": today.year >= plan.year, "close": today.year > plan.year}
    moves = [action for action, (from_status, _) in ACTIONS.items() if from_status == plan.status and allowed[action]]
    return (["edit"] if plan.status == "draft" else []) + moves


def _view(plan: Plan, actor: Actor | None) -> dict[str, Any]:
    return {**PlanView().dump(plan), "actions": actions_of(plan, actor)}


def list_plans(session: Session, actor: Actor | None) -> list[dict[str, Any]]:
    """Every plan the caller may read, newest year first."""
    query = sa.select(Plan).options(selectinload(Plan.trail)).order_by(Plan.year.desc())
    if not _sees_drafts(actor):
        query = query.where(Plan.status != "draft")
    return [_view(plan, actor) for plan in session.scalars(query).all()]


def get_plan(session: Session, actor: Actor | None, plan_id: int) -> dict[str, Any]:
    plan = _load(session, plan_id)
    if plan.status == "draft" and not _sees_drafts(actor):
        raise NotFound(f"no plan {plan_id}")  # a draft is not shown, not even as existing
    return _view(plan, actor)


def create_plan(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    require_role(actor, EDITOR)
    values = _stored(validated(NewPlan(), data, "the plan"))
    _year_is_free(uow.session, values["year"])
    plan = Plan(**values, created_by=actor.username, created_at=utcnow())
    _step(plan, "draft", actor)  # from no status: the trail starts with the drafting
    uow.session.add(plan)
    uow.session.flush()
    return _view(plan, actor)


def update_plan(uow: UnitOfWork, actor: Actor, plan_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Edit a draft; once it is out for comments, what people comment on stays as it was."""
    require_role(actor, EDITOR)
    given = validated(PlanChanges(), changes, "the plan's changes")
    plan = _load(uow.session, plan_id)
    if plan.status != "draft":
        raise Conflict(f"only a draft plan can be changed; plan {plan.id} is {plan.status}")
    if not given:
        raise InvalidInput(f"the request changes nothing in plan {plan.id}")
    # the whole plan, old fields and new, goes through the same validation as a new one
    current = {name: getattr(plan, name) for name in PLAN_FIELDS}
    values = _stored(validated(NewPlan(), {**current, **(changes or {})}, "the plan"))
    if values["year"] != plan.year:
        _year_is_free(uow.session, values["year"], plan.id)
    for name, value in values.items():
        setattr(plan, name, value)
    uow.session.flush()
    return _view(plan, actor)


def _consult(uow: UnitOfWork, plan: Plan, options: dict[str, Any]) -> None:
    """Open the draft for comments. The opening day is not counted (开始的当日不计入), so
    comments are taken until `consultation_days` days after it."""
    plan.consultation_days = options["consultation_days"] or plan.consultation_days
    plan.consultation_opens_on = county_today()
    plan.consultation_closes_on = plan.consultation_opens_on + timedelta(days=plan.consultation_days)
    uow.emit(names.PLAN_CONSULTATION_OPENED, {"plan_id": plan.id, "year": plan.year, "title": plan.title,
                                        "opens_on": plan.consultation_opens_on,
                                        "closes_on": plan.consultation_closes_on})


def _approve(uow: UnitOfWork, plan: Plan, actor: Actor) -> None:
    """Approval only after the last day of comments; it schedules every unit's obligations."""
    if county_today() <= plan.consultation_closes_on:
        raise Conflict(f"plan {plan.id} is open for comments until {plan.consultation_closes_on}; "
                       f"it can be approved from {plan.consultation_closes_on + timedelta(days=1)}")
    plan.approved_at = utcnow()
    uow.emit(names.PLAN_APPROVED, {"plan_id": plan.id, "year": plan.year, "title": plan.title,
                              "approved_by": actor.username, "approved_at": plan.approved_at,
                              "milestones": [{"title": m["title"], "due_on": date.fromisoformat(m["due_on"])}
                                             for m in plan.milestones]})


def _year_begun(plan: Plan) -> None:
    if county_today().year < plan.year:
        raise Conflict(f"plan {plan.id} can be activated from {date(plan.year, 1, 1)}, when its year begins")


def _year_ended(plan: Plan) -> None:
    if county_today().year <= plan.year:
        raise Conflict(f"plan {plan.id} can be closed from {date(plan.year + 1, 1, 1)}, when its year has ended")


# action: (from status, to status)
ACTIONS = {"consult": ("draft", "consultation"), "approve": ("consultation", "approved"),
           "activate": ("approved", "active"), "close": ("active", "closed")}


def transition(uow: UnitOfWork, actor: Actor, plan_id: int, action: str,
               data: dict[str, Any]) -> dict[str, Any]:
    """consult (征求意见), approve (schedules the year's obligations), activate, close."""
    require_role(actor, EDITOR)
    if action not in ACTIONS:
        raise InvalidInput(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    options = validated(PlanAction(), data, f"the {action} request")
    plan = _load(uow.session, plan_id)
    from_status, to_status = ACTIONS[action]
    if plan.status != from_status:
        raise Conflict(f"a plan must be {from_status} to {action} it; plan {plan.id} is {plan.status}")
    if action == "consult":
        _consult(uow, plan, options)
    elif action == "approve":
        _approve(uow, plan, actor)
    elif action == "activate":
        _year_begun(plan)
    else:
        _year_ended(plan)
    _step(plan, to_status, actor, (options["reason"] or "").strip() or None)
    uow.session.flush()
    view = _view(plan, actor)
    if action == "approve":  # the plan is approved in this transaction: its year can be scheduled
        view["obligations_scheduled"] = scheduling.schedule_year(uow, plan.year)
    return view
