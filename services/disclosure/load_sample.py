"""The sample county's disclosure programme: the default catalogue and this year's plan,
approved after a consultation held in January.

    python -m services.disclosure.load_sample

Safe to repeat: present catalogue entries and an existing plan for the year are left alone.
Obligations follow for every unit disclosure knows; units registered later (the running
units service publishes them) get theirs as they arrive, from today on.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from services.common.actor import Actor
from services.common.db import standalone_unit_of_work
from services.common.workdays import county_today

from . import default_catalogue, plans
from .models import Plan

OFFICE = Actor("office", "inspector")


def sample_plan(year: int) -> dict:
    return {
        "year": year, "title": f"集美县{year}年党务公开工作实施方案",
        "goals": ["党务公开目录全覆盖，按时公开率达到95%以上", "群众意见建议按期答复率100%",
                  "每个镇街培育1个党务公开示范点"],
        "milestones": [{"title": "公布年度公开目录", "due_on": date(year, 3, 31)},
                       {"title": "半年督促检查", "due_on": date(year, 6, 30)},
                       {"title": "年度考核评估", "due_on": date(year, 12, 31)}],
        "carriers": ["公开栏", "网站", "微信公众号"], "forms": ["定期公开", "随时公开", "预公开"],
        "consultation_days": 15,
    }


def install_plan(uow, year: int) -> str:
    if uow.session.scalar(sa.select(Plan.id).where(Plan.year == year)) is not None:
        return f"plan {year}: present already"
    plan = plans.create_plan(uow, OFFICE, sample_plan(year))
    plans.transition(uow, OFFICE, plan["id"], "consult", {})
    # the sample's consultation ran in January, so the plan can be approved now
    stored = uow.session.get(Plan, plan["id"])
    stored.consultation_opens_on = date(year, 1, 5)
    stored.consultation_closes_on = stored.consultation_opens_on + timedelta(days=stored.consultation_days)
    approved = plans.transition(uow, OFFICE, plan["id"], "approve", {})
    plans.transition(uow, OFFICE, plan["id"], "activate", {})
    return f"plan {year}: approved and active, {approved['obligations_scheduled']} obligations scheduled"


def main() -> None:
    uow = standalone_unit_of_work("disclosure")
    try:
        added = default_catalogue.install(uow)
        said = install_plan(uow, county_today().year)
        uow.commit()
    finally:
        uow.close()
    print(f"catalogue: {added} entries added; {said}")


if __name__ == "__main__":
    main()
