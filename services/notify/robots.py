"""Which 企业微信 or 钉钉 robot tells a unit's people, and each robot's 20-a-minute limit.

The county has its robots (NOTIFY ROBOTS WECOM / DINGTALK); a town or an agency may have its
own, for its whole subtree (NOTIFY ROBOTS UNITS, or the YAML file named by UNITS_FILE, a
mounted secret since a robot's URL is its key: unit code → {WECOM: {URL}, DINGTALK: {URL,
SECRET}}). A unit's robot is that of its nearest ancestor (itself included) that has one, in
notify's copy of the unit tree, else the county's.

The platforms refuse a robot's 21st message in a minute. Every notify replica counts each
robot's messages in one table (a row per robot and minute, incremented by a conditional
UPDATE, so two replicas never both take the 20th slot); a message over the limit waits for the
next minute, it is not dropped."""
from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime, timedelta
from typing import Any, Callable

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session, sessionmaker

from services.common.records import utcnow

from .models import KnownUnit, RobotMinute

log = logging.getLogger(__name__)

COUNTY = "county"
MAX_DEPTH = 32
_FILES: dict[str, tuple[float, dict[str, Any]]] = {}  # path → (mtime, its robots)


def unit_robots(robots: dict[str, Any]) -> dict[str, Any]:
    """unit code → {WECOM: {...}, DINGTALK: {...}}: the inline UNITS, then UNITS_FILE's."""
    found = dict(robots.get("UNITS") or {})
    path = str(robots.get("UNITS_FILE") or "")
    if path:
        try:
            mtime = os.stat(path).st_mtime
            if path not in _FILES or _FILES[path][0] != mtime:
                with open(path, encoding="utf-8") as f:
                    _FILES[path] = (mtime, yaml.safe_load(f) or {})
            found.update(_FILES[path][1])
        except (OSError, yaml.YAMLError) as exc:  # the county's robots still serve
            log.error("the towns' and agencies' robots (%s) cannot be read: %s", path, exc)
    return {str(code): value or {} for code, value in found.items()}


def _has(robot: Any) -> bool:
    return isinstance(robot, dict) and bool(robot.get("URL"))


def configured(settings: dict[str, Any], channel: str) -> bool:
    robots = settings.get("ROBOTS") or {}
    return _has(robots.get(channel.upper())) or any(
        _has(units.get(channel.upper())) for units in unit_robots(robots).values())


def owner(session: Session, settings: dict[str, Any], channel: str, unit_code: str | None) -> str | None:
    """The code of the nearest unit above (or at) `unit_code` with its own robot on `channel`,
    COUNTY for the county's, None when there is none."""
    robots = settings.get("ROBOTS") or {}
    units = unit_robots(robots)
    code, depth = unit_code, 0
    while code and depth < MAX_DEPTH:
        if _has(units.get(code, {}).get(channel.upper())):
            return code
        unit = session.get(KnownUnit, code)
        code, depth = (unit.parent_code if unit is not None else None), depth + 1
    return COUNTY if _has(robots.get(channel.upper())) else None


def destination(channel: str, robot_owner: str) -> str:
    return channel if robot_owner == COUNTY else f"{channel}:{robot_owner}"


def config(settings: dict[str, Any], channel: str, delivery_destination: str | None) -> dict[str, Any] | None:
    """The robot a planned delivery names (its destination), or None when it is gone."""
    robots = settings.get("ROBOTS") or {}
    _, _, code = (delivery_destination or channel).partition(":")
    robot = unit_robots(robots).get(code, {}).get(channel.upper()) if code else robots.get(channel.upper())
    return dict(robot) if _has(robot) else None


class SharedLimit:
    """At most `limit` messages a minute to one robot, counted in notify's database across
    replicas. `wait_for(robot)`: 0 and the slot taken, or the seconds until the next minute."""

    def __init__(self, sessions: sessionmaker, limit: int = 20, clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions, self.limit, self.clock = sessions, limit, clock

    def wait_for(self, robot: str) -> float:
        now = self.clock()
        start = now.replace(second=0, microsecond=0)
        minute, name = start.strftime("%Y-%m-%dT%H:%M"), hashlib.sha256(robot.encode()).hexdigest()[:32]
        wait = max((start + timedelta(minutes=1) - now).total_seconds(), 0.001)
        for _ in range(3):
            with self.sessions() as session:
                taken = session.execute(
                    sa.update(RobotMinute).where(RobotMinute.robot == name, RobotMinute.minute == minute,
                                                 RobotMinute.sent < self.limit)
                    .values(sent=RobotMinute.sent + 1)).rowcount
                if taken:
                    session.commit()
                    return 0.0
                row = session.get(RobotMinute, (name, minute))
                if row is not None:  # full, or made by another replica since the UPDATE: count in it
                    full = row.sent >= self.limit
                    session.rollback()
                    if full:
                        return wait
                    continue
                old = (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
                session.execute(sa.delete(RobotMinute).where(RobotMinute.robot == name, RobotMinute.minute < old))
                session.add(RobotMinute(robot=name, minute=minute, sent=1))
                try:
                    session.commit()
                    return 0.0
                except sa.exc.IntegrityError:  # another replica made the minute's row first: count in it
                    session.rollback()
        return wait
