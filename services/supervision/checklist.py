"""The checklist (考核细则): five dimensions with criteria, weights and maxima, versioned per
year like the catalogue. A year without one gets the default (data/checklist.yaml) as its
version 1; the county office publishes a new version before the year starts (a year under way
keeps the rules its units are scored by), and a score uses the year's version in force at its
as-of instant."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.config import ROOT
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.supervision import ChecklistBody
from services.common.workdays import county_today

from .models import Checklist

DEFAULT_FILE = ROOT / "data" / "checklist.yaml"


@lru_cache(maxsize=1)
def default_content() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))


def _validated(year: int, content: dict[str, Any]) -> dict[str, Any]:
    return validated(ChecklistBody(), {**content, "year": year}, "考核细则")


def ensure(session: Session, year: int) -> Checklist:
    """The year's newest version, installing the default as version 1 when there is none."""
    found = session.scalar(sa.select(Checklist).where(Checklist.year == year).order_by(Checklist.version.desc()))
    if found is None:
        found = Checklist(year=year, version=1, content=_validated(year, default_content()),
                          created_by="system", created_at=datetime(year - 1, 12, 1, tzinfo=utcnow().tzinfo))
        session.add(found)
        session.flush()
    return found


def in_force(session: Session, year: int, as_of: datetime) -> Checklist:
    """The version of the year's checklist that was newest at `as_of` (version 1 if none was yet)."""
    versions = list(session.scalars(sa.select(Checklist).where(Checklist.year == year)
                                    .order_by(Checklist.version.desc()))) or [ensure(session, year)]
    return (next((c for c in versions if c.created_at <= as_of), None)
            or next((c for c in versions if c.version == 1), None) or versions[0])


def view(checklist: Checklist) -> dict[str, Any]:
    content = checklist.content
    return {"id": checklist.id, "year": checklist.year, "version": checklist.version,
            "created_by": checklist.created_by, "created_at": checklist.created_at.isoformat(),
            **{k: v for k, v in content.items() if k != "year"},
            "maximum": {d["code"]: dimension_maximum(d) for d in content["dimensions"]}}


def dimension_maximum(dimension: dict[str, Any]) -> float:
    return float(sum(c["max"] for c in dimension["criteria"]))


def criteria_of(content: dict[str, Any]) -> dict[str, tuple[str, float]]:
    """criterion code → (dimension, maximum)."""
    return {c["code"]: (d["code"], float(c["max"])) for d in content["dimensions"] for c in d["criteria"]}


def get(uow: UnitOfWork, year: int, version: int | None = None) -> dict[str, Any]:
    latest = ensure(uow.session, int(year))
    if version is None:
        return view(latest)
    found = uow.session.scalar(sa.select(Checklist).where(Checklist.year == int(year),
                                                          Checklist.version == int(version)))
    if found is None:
        raise NotFound(f"{year} 年的考核细则没有第 {version} 版")
    return view(found)


def publish(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A new version of the year's checklist, in force from now on; only before the year starts,
    and (with `version`, the one the editor read) only over the newest version."""
    if actor.role != "inspector":
        raise Forbidden("考核细则由县委办（督查）制定，您的角色不能修改")
    seen = (data or {}).get("version")
    data = validated(ChecklistBody(), {k: v for k, v in (data or {}).items() if k != "version"}, "考核细则")
    year = data["year"]
    if year <= county_today().year:
        raise Conflict(f"{year} 年已经开始，本年的考核细则不能再修改；请修改下一年度的考核细则")
    latest = ensure(uow.session, year)
    if seen is not None and int(seen) != latest.version:
        raise Conflict(f"{year} 年的考核细则已有第 {latest.version} 版，请在最新版本上修改")
    made = Checklist(year=data["year"], version=latest.version + 1, content=data, created_by=actor.username,
                     created_at=utcnow())
    uow.session.add(made)
    uow.session.flush()
    return view(made)
