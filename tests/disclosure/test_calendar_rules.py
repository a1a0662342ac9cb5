"""The county's calendar, the rules without a broker (SQLite, and PostgreSQL when given): what
the office may enter, the files it may upload, and the obligations that move with a year's
arrangement (2030 here: far enough that chinesecalendar will not know it, with 春节 in early
February). The clock is the test's."""
from __future__ import annotations

import io
import json
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from services.common import calendar_store, workdays
from services.common.actor import Actor
from services.common.errors import Forbidden, InvalidInput
from services.common.records import OutboxRecord
from services.disclosure import calendar, calendar_files, obligations
from services.disclosure.models import CatalogueEntry, Obligation
from services.disclosure.scheduling import Schedule, UnitRow, add_missing

OFFICE = Actor(username="office", role="inspector", unit=None)
OPERATOR = Actor(username="op-a001", role="operator", unit="A001")
AT = datetime(2029, 12, 1, 2, tzinfo=timezone.utc)
# the State Council's way with 春节 2030: 2 to 8 February off, Saturday 26 January and 9 February worked
SPRING = {"document": "国办发明电〔2029〕7号", "issued_on": "2029-11-20",
          "holidays": ["2030-01-01"] + [f"2030-02-0{d}" for d in range(2, 9)],
          "workdays": ["2030-01-26", "2030-02-09"]}


@pytest.fixture(autouse=True)
def clean_calendar():
    workdays.forget_entered()
    yield
    workdays.forget_entered()


@pytest.fixture
def today(monkeypatch):
    state = {"today": date(2030, 1, 10)}
    monkeypatch.setattr(calendar, "county_today", lambda: state["today"])
    return state


@pytest.fixture
def uow(uow_factory, today):
    uow = uow_factory("disclosure")
    monthly = CatalogueEntry(code="F01", version=1, matter="财务公开", sub_matter="月度收支", content_elements="收支明细",
                             basis="村民委员会组织法", time_limit="按月", audience="society", carriers=["公开栏"],
                             sectors=["village"], frequency="monthly", grace_days=5, valid_from=date(2030, 1, 1),
                             changed_by="office", changed_at=AT)
    uow.session.add(monthly)
    uow.session.flush()
    for period, due in (("2030-01", date(2030, 2, 11)), ("2029-12", date(2030, 1, 8))):
        uow.session.add(Obligation(unit_code="T01V001", entry_id=monthly.id, entry_code="F01", year=int(period[:4]),
                                   period=period, due_on=due, status="open", sector="village", town_code="T01",
                                   created_at=AT))
    uow.commit()
    return uow


def emitted(uow, event_type):
    rows = uow.session.execute(sa.select(OutboxRecord.type, OutboxRecord.body).order_by(OutboxRecord.id))
    return [json.loads(body)["payload"] for t, body in rows if t == event_type]


def due_of(uow, period):
    return uow.session.scalar(sa.select(Obligation.due_on).where(Obligation.period == period))


def test_the_statutory_fallback_gave_the_due_date_and_it_is_provisional():
    assert workdays.add_working_days(date(2030, 1, 31), 5) == date(2030, 2, 11)  # 除夕 to 初三 off only
    assert workdays.is_provisional(date(2030, 2, 11))


def test_entering_a_year_moves_the_deadlines_not_yet_passed_and_announces_each_once(uow):
    answer = calendar.enter_year(uow, OFFICE, 2030, calendar.arrangement_data(SPRING))
    uow.commit()
    assert answer["source"] == "entered" and not answer["provisional"]
    assert answer["versions"][0]["version"] == 1 and answer["versions"][0]["entered_by"] == "office"
    assert "2030-02-09" in answer["workdays"] and "2030-02-06" in answer["holidays"]
    assert [(m["id"], m["from_due_on"], m["to_due_on"]) for m in answer["moved"]] == [(1, "2030-02-11", "2030-02-13")]
    assert due_of(uow, "2030-01") == date(2030, 2, 13)
    assert due_of(uow, "2029-12") == date(2030, 1, 8)  # not moved by 2030's days: 2029 is published
    view = obligations.get_obligation(uow.session, OFFICE, 1)
    assert view["due_on"] == "2030-02-13" and view["due_provisional"] is False  # no longer 暂定
    (arranged,) = emitted(uow, "CalendarArranged")
    assert arranged["version"] == 1 and arranged["document"] == SPRING["document"]
    (moved,) = emitted(uow, "ObligationDeadlineMoved")
    assert moved["to_due_on"] == "2030-02-13" and moved["provisional"] is False
    # the same days again: a new version, and nothing moves a second time
    again = calendar.enter_year(uow, OFFICE, 2030, calendar.arrangement_data(SPRING))
    uow.commit()
    assert again["moved"] == [] and [v["version"] for v in again["versions"]] == [2, 1]
    assert len(emitted(uow, "ObligationDeadlineMoved")) == 1
    # every version is kept
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(calendar_store.CalendarArrangement)) == 2


def test_a_passed_deadline_is_never_moved_silently_but_listed(uow, today):
    today["today"] = date(2030, 2, 12)  # the due date of 11 February has passed
    answer = calendar.enter_year(uow, OFFICE, 2030, calendar.arrangement_data(SPRING))
    uow.commit()
    assert answer["moved"] == []
    assert [(p["id"], p["from_due_on"], p["to_due_on"]) for p in answer["passed"]] == [(1, "2030-02-11", "2030-02-13")]
    assert due_of(uow, "2030-01") == date(2030, 2, 11)
    assert emitted(uow, "ObligationDeadlineMoved") == []


def test_a_long_term_obligation_is_counted_again_from_the_start_kept_with_it(uow):
    standing = CatalogueEntry(code="L01", version=1, matter="组织建设", sub_matter="班子成员及分工", content_elements="名单",
                              basis="党务公开条例", time_limit="长期", audience="society", carriers=["公开栏"],
                              sectors=["village"], frequency="long_term", within_days=10, valid_from=date(2030, 1, 1),
                              changed_by="office", changed_at=AT)
    uow.session.add(standing)
    uow.session.flush()
    schedule = Schedule(uow.session, 2030, date(2030, 1, 28), code="L01")  # the plan approved on 28 January
    assert add_missing(uow, schedule, [UnitRow("T01V001", "village", "T01")], "plan_approved") == 1
    uow.commit()
    row = uow.session.scalar(sa.select(Obligation).where(Obligation.entry_code == "L01"))
    assert (row.counted_from, row.due_on) == (date(2030, 1, 28), date(2030, 2, 13))  # statutory: provisional
    answer = calendar.enter_year(uow, OFFICE, 2030, calendar.arrangement_data(SPRING))
    uow.commit()
    assert (row.id, "2030-02-13", "2030-02-15") in [(m["id"], m["from_due_on"], m["to_due_on"]) for m in answer["moved"]]
    assert due_of(uow, "2030") == date(2030, 2, 15)  # 2 to 8 February off, Saturday 9 February worked


def test_only_the_county_office_enters_a_year(uow):
    with pytest.raises(Forbidden):
        calendar.enter_year(uow, OPERATOR, 2030, calendar.arrangement_data(SPRING))


@pytest.mark.parametrize("year,holidays,working,words", [
    (1999, [], [], ["1999", "超出范围"]),
    (2101, [], [], ["2101", "超出范围"]),
    (2029, [date(2029, 10, 1)], [], ["2029", "已经过去"]),
    (2030, [date(2030, 2, 9)], [date(2030, 2, 9)], ["2030-02-09", "同时列为放假和上班"]),
    (2030, [], [date(2030, 2, 11)], ["2030-02-11", "不是周末"]),
    (2030, [date(2031, 1, 1)], [], ["2031-01-01", "不在 2030 年内"]),
])
def test_an_arrangement_that_cannot_be_right_is_refused_naming_the_date(year, holidays, working, words):
    with pytest.raises(InvalidInput) as refused:
        calendar.check(year, holidays, working, date(2030, 1, 10))
    assert all(word in refused.value.message for word in words), refused.value.message


def test_nothing_is_kept_when_refused(uow):
    with pytest.raises(InvalidInput):
        calendar.enter_year(uow, OFFICE, 2030, calendar.arrangement_data({**SPRING, "workdays": ["2030-02-11"]}))
    uow.rollback()
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(calendar_store.CalendarArrangement)) == 0
    assert workdays.year_source(2030) == workdays.STATUTORY


def test_the_document_and_its_date_are_required():
    with pytest.raises(InvalidInput, match="文号"):
        calendar.arrangement_data({"holidays": [], "workdays": []})


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def test_a_year_is_read_from_yaml_or_xlsx():
    read = calendar_files.read("2030.yaml", (
        "year: 2030\ndocument: 国办发明电〔2029〕7号\nissued_on: 2029-11-20\n"
        "holidays: [2030-01-01, 2030-02-04]\nworkdays: [2030-02-09]\n").encode())
    assert read == {"year": 2030, "document": "国办发明电〔2029〕7号", "issued_on": date(2029, 11, 20),
                    "holidays": [date(2030, 1, 1), date(2030, 2, 4)], "workdays": [date(2030, 2, 9)]}
    book = calendar_files.read("2030.xlsx", _xlsx([["日期", "类别"], [date(2030, 1, 1), "放假"],
                                                  ["2030-02-09", "上班"], [None, None]]))
    assert book == {"holidays": [date(2030, 1, 1)], "workdays": [date(2030, 2, 9)]}


@pytest.mark.parametrize("name,content,words", [
    ("x.yaml", b"\xff\xfe[", ["无法读取"]),
    ("x.yaml", b"- just a list", ["无法读取"]),
    ("x.yaml", "holidays: [2030-02-30]".encode(), ["holidays 第 1 项", "2030-02-30"]),
    ("x.xlsx", b"PK not really a workbook", ["无法读取"]),
    ("x.xlsx", _xlsx([["日期", "类别"], [date(2030, 1, 1), "放假"], ["明天", "放假"]]), ["第 3 行", "明天"]),
    ("x.xlsx", _xlsx([["日期", "类别"], [date(2030, 1, 1), "午休"]]), ["第 2 行", "午休"]),
    ("x.xlsx", _xlsx([["日期", "类别"], [date(2030, 1, 1)]]), ["第 2 行"]),
])
def test_a_file_that_cannot_be_read_is_refused_naming_the_row(name, content, words):
    with pytest.raises(InvalidInput) as refused:
        calendar_files.read(name, content)
    assert all(word in refused.value.message for word in words), refused.value.message


def test_a_copy_installs_the_newest_version_whatever_order_the_versions_arrive_in(uow_factory):
    uow = uow_factory("feedback")
    base = {"year": 2030, "holidays": ["2030-02-11"], "workdays": [], "document": "x", "issued_on": "2029-11-20",
            "entered_by": "office", "entered_at": AT.isoformat()}
    assert calendar_store.store(uow.session, {**base, "version": 2})
    assert calendar_store.store(uow.session, {**base, "version": 1, "holidays": []})
    assert not calendar_store.store(uow.session, {**base, "version": 2})  # redelivered
    uow.commit()
    assert not workdays.is_working_day(date(2030, 2, 11))
    workdays.forget_entered()
    assert calendar_store.load(uow.session) == 1 and workdays.entered(2030).version == 2
