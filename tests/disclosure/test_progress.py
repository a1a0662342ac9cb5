"""Progress per town and sector, and the business gauges read at scrape time."""
from datetime import date

import pytest
import sqlalchemy as sa

from services.common import metrics
from services.common.actor import Actor
from services.common.errors import InvalidInput
from services.disclosure import obligations, progress, scheduling
from services.disclosure.models import Obligation
from tests.disclosure.test_obligations import get, today, uow  # noqa: F401  (shared fixtures)


def set_status(uow, status, unit, code, period):
    get(uow, unit, code, period).status = status


def test_progress_counts_by_town_and_sector(uow, monkeypatch):
    monkeypatch.setattr(progress, "county_today", lambda: date(2026, 3, 2))
    scheduling.schedule_year(uow, 2026)
    set_status(uow, "fulfilled", "T01V001", "F01", "2026-01")
    set_status(uow, "fulfilled_late", "T01V001", "F01", "2026-02")
    set_status(uow, "overdue", "T01V002", "F01", "2026-01")
    set_status(uow, "waived", "T02V001", "F01", "2026-01")
    uow.commit()
    result = progress.by_town_and_sector(uow.session)
    assert result["year"] == 2026
    rows = {(r["town_code"], r["sector"]): r for r in result["rows"]}
    assert set(rows) == {(None, "agency"), ("T01", "town"), ("T01", "village"), ("T02", "town"), ("T02", "village")}
    village = rows[("T01", "village")]
    assert village["town_name"] == "东山镇" and rows[(None, "agency")]["town_name"] == progress.COUNTY_LEVEL
    assert (village["fulfilled"], village["fulfilled_late"], village["overdue"], village["open"], village["total"]) \
        == (1, 1, 1, 33, 36)
    assert village["on_time_rate"] == round(1 / 3, 4)
    assert rows[("T02", "village")]["waived"] == 1 and rows[("T02", "village")]["on_time_rate"] is None
    assert result["totals"]["total"] == 3 * 18 + 2 * 6 + 2 * 3
    only = progress.by_town_and_sector(uow.session, {"year": "2026", "town": "T01", "sector": "village"})
    assert [(r["town_code"], r["sector"]) for r in only["rows"]] == [("T01", "village")]
    assert only["totals"]["total"] == 36
    assert progress.by_town_and_sector(uow.session, {"year": 2027})["rows"] == []
    with pytest.raises(InvalidInput, match="year"):
        progress.by_town_and_sector(uow.session, {"year": "last"})


def test_gauges_are_computed_from_the_database_at_scrape_time(uow, monkeypatch):
    monkeypatch.setattr(progress, "county_today", lambda: date(2026, 3, 2))
    scheduling.schedule_year(uow, 2026)
    set_status(uow, "fulfilled", "T01V001", "F01", "2026-01")
    set_status(uow, "overdue", "T01V002", "F01", "2026-01")
    uow.commit()
    families = {f.name: f for f in progress.gauges(uow.session)}
    samples = {tuple(sorted(s.labels.items())): s.value for s in families["gongkai_obligations"].samples}
    assert samples[(("sector", "village"), ("status", "open"), ("town", "T01"))] == 34
    assert samples[(("sector", "agency"), ("status", "open"), ("town", ""))] == 6
    ratio = {s.labels["sector"]: s.value for s in families["gongkai_obligations_on_time_ratio"].samples}
    assert ratio == {"village": 0.5}
    # plugged into the stored-state collector of the disclosure database
    assert progress.gauges in metrics.STORED_STATE._gauges["disclosure"]
    sessions = sa.orm.sessionmaker(uow.session.get_bind())
    uow.rollback()  # SQLite's engine has one connection
    unwatch = metrics.watch_database("disclosure", sessions)
    try:
        names = [family.name for family in metrics.STORED_STATE.collect()]
    finally:
        unwatch()
    assert "gongkai_obligations" in names and "gongkai_outbox_backlog" in names
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Obligation)) == 3 * 18 + 2 * 6 + 2 * 3


def test_progress_by_the_month_obligations_fall_due_adds_up_to_the_year(uow, monkeypatch):
    monkeypatch.setattr(progress, "county_today", lambda: date(2026, 3, 2))
    scheduling.schedule_year(uow, 2026)
    set_status(uow, "fulfilled", "T01V001", "F01", "2026-01")
    set_status(uow, "overdue", "T01V002", "F01", "2026-01")
    uow.commit()
    result = progress.by_month(uow.session)
    months = {m["month"]: m for m in result["months"]}
    assert result["year"] == 2026 and [m["month"] for m in result["months"]] == sorted(months)
    assert {f"2026-{n:02d}" for n in range(1, 13)} <= set(months)  # every month, even one with nothing due
    assert sum(m["total"] for m in result["months"]) == progress.by_town_and_sector(uow.session)["totals"]["total"]
    month = months[get(uow, "T01V001", "F01", "2026-01").due_on.isoformat()[:7]]  # January's, due in February
    due = obligations.list_obligations(uow.session, Actor("office", "inspector", None),
                                       {"due_month": month["month"]}, 500)["items"]
    assert len(due) == month["total"] and all(o["due_on"].startswith(month["month"]) for o in due)
    assert (month["fulfilled"], month["overdue"], month["on_time_rate"]) == (1, 1, 0.5)
    later = [m for m in result["months"] if m["month"] > "2026-12"]
    assert later and all(m["total"] for m in later)  # a yearly or Q4 matter due the next January is still this year's
    village = progress.by_month(uow.session, {"town": "T02", "sector": "village"})
    assert sum(m["total"] for m in village["months"]) == 18
    with pytest.raises(InvalidInput, match="due_month"):
        obligations.list_obligations(uow.session, Actor("office", "inspector", None),
                                     {"due_month": "2026-13"})
