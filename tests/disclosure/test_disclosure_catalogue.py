"""The catalogue (公开目录), without a broker: the default catalogue, versions in force by
date, validation of each frequency's rule, and who may edit."""
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.shapes.disclosure import NewCatalogueEntry
from services.common.workdays import county_date
from tests.conftest import rule_instant
from services.disclosure import catalogue, default_catalogue
from services.disclosure.models import FREQUENCIES, CatalogueEntry

OFFICE = Actor("office", "inspector", None)
IMPORTED_AT = rule_instant()  # TODAY's moment: each test runs from it (conftest.py day_of_import)
TODAY = county_date(datetime.fromtimestamp(IMPORTED_AT, timezone.utc))
pytestmark = pytest.mark.usefixtures("day_of_import")
JAN_1 = date(TODAY.year, 1, 1)
QUARTERLY = {"code": "TQ-01", "matter": "党费收缴使用管理", "sub_matter": "党费收缴情况",
             "content_elements": "应缴、实缴党费金额和人数", "basis": "《中国共产党党务公开条例（试行）》第十二条",
             "time_limit": "每季度结束后10个工作日内", "audience": "party", "carriers": ["公开栏", "党员大会"],
             "sectors": ["agency", "village"], "frequency": "quarterly", "grace_days": 10,
             "valid_from": JAN_1.isoformat()}


@pytest.fixture
def uow(uow_factory):
    return uow_factory("disclosure")


def add(uow, **changes):
    entry = catalogue.add_entry(uow, OFFICE, {**QUARTERLY, **changes})
    uow.commit()
    return entry


def stored(uow):
    return uow.session.scalar(sa.select(sa.func.count()).select_from(CatalogueEntry))


def codes(entries):
    return [e["code"] for e in entries]


def test_the_default_catalogue_installs_validates_and_reinstalls_nothing(uow):
    entries = default_catalogue.default_entries()
    assert 25 <= len(entries) <= 40 and len({e["code"] for e in entries}) == len(entries)
    for entry in entries:  # the same schema the API loads a new entry with
        NewCatalogueEntry().load(entry)
    assert set(Counter(e["frequency"] for e in entries)) == set(FREQUENCIES)
    for sector in ("village", "town", "school", "enterprise", "hospital"):  # each has matters of its own
        assert any(e["sectors"] == [sector] for e in entries), sector
    assert any(e["frequency"] == "prior" and e["audience"] == "society" for e in entries)  # 预公开
    village_monthly = [e for e in entries if e["frequency"] == "monthly"]
    assert village_monthly and all(e["sectors"] == ["village"] for e in village_monthly)  # 村务财务 每月

    assert default_catalogue.install(uow) == len(entries)
    uow.commit()
    assert default_catalogue.install(uow) == 0
    uow.commit()
    assert stored(uow) == len(entries)
    listed = catalogue.list_entries(uow.session)
    assert len(listed) == len(entries) and {e["valid_from"] for e in listed} == {JAN_1.isoformat()}
    assert {e["version"] for e in listed} == {1} and {e["changed_by"] for e in listed} == {"system"}


def test_the_default_catalogue_keeps_a_revision_when_reinstalled(uow):
    default_catalogue.install(uow)
    uow.commit()
    catalogue.revise_entry(uow, OFFICE, "CW-01", {"grace_days": 5, "change_note": "县里要求每月5个工作日内"})
    uow.commit()
    assert default_catalogue.install(uow) == 0
    assert [v["grace_days"] for v in catalogue.get_entry(uow.session, "CW-01")["versions"]] == [7, 5]


def test_list_filters_by_sector_frequency_text_and_date(uow):
    default_catalogue.install(uow)
    uow.commit()
    village = codes(catalogue.list_entries(uow.session, sector="village"))
    assert "CW-01" in village and "DW-01" in village and "XW-01" not in village
    assert codes(catalogue.list_entries(uow.session, frequency="monthly")) == ["CW-01"]
    assert "CW-05" in codes(catalogue.list_entries(uow.session, q="征地"))
    assert codes(catalogue.list_entries(uow.session, q="cw-0", sector="village"))[:2] == ["CW-01", "CW-02"]
    assert catalogue.list_entries(uow.session, on=date(TODAY.year - 1, 6, 1).isoformat()) == []
    assert [e.code for e in catalogue.entries_in_force(uow.session, TODAY)][:1] == ["CG-01"]
    with pytest.raises(InvalidInput, match="sector must be one of"):
        catalogue.list_entries(uow.session, sector="mars")
    with pytest.raises(InvalidInput, match="frequency must be one of"):
        catalogue.list_entries(uow.session, frequency="weekly")
    with pytest.raises(InvalidInput, match="must be a date"):
        catalogue.list_entries(uow.session, on="yesterday")
    with pytest.raises(NotFound, match="no catalogue entry NOPE-1"):
        catalogue.get_entry(uow.session, "NOPE-1")


def test_a_revision_mid_year_keeps_the_old_version_for_the_days_before(uow):
    add(uow)
    change_day = TODAY + timedelta(days=10)
    revised = catalogue.revise_entry(uow, OFFICE, "TQ-01", {
        "grace_days": 5, "carriers": ["公开栏"], "valid_from": change_day.isoformat(), "change_note": "缩短时限"})
    uow.commit()
    assert (revised["version"], revised["grace_days"], revised["valid_from"]) == (2, 5, change_day.isoformat())
    assert revised["matter"] == QUARTERLY["matter"] and revised["change_note"] == "缩短时限"

    (before,) = catalogue.list_entries(uow.session, on=TODAY)
    (after,) = catalogue.list_entries(uow.session, on=change_day)
    assert (before["version"], before["grace_days"]) == (1, 10)
    assert (after["version"], after["grace_days"], after["carriers"]) == (2, 5, ["公开栏"])
    entry = catalogue.get_entry(uow.session, "TQ-01")
    assert entry["current"]["version"] == 1  # the new version starts later
    first, second = entry["versions"]
    assert first["valid_to"] == (change_day - timedelta(days=1)).isoformat() and first["grace_days"] == 10
    assert second["valid_to"] is None
    # a further revision from an earlier day than the latest version's start is refused
    with pytest.raises(Conflict, match="a revision must start on or after that day"):
        catalogue.revise_entry(uow, OFFICE, "TQ-01", {"grace_days": 3, "valid_from": TODAY.isoformat(),
                                                      "change_note": "再改"})


def test_a_revision_from_today_may_change_the_frequency_and_its_rule(uow):
    add(uow)
    with pytest.raises(InvalidInput, match="within_days"):  # the old grace period does not fit
        catalogue.revise_entry(uow, OFFICE, "TQ-01", {"frequency": "on_event", "change_note": "改为随时"})
    revised = catalogue.revise_entry(uow, OFFICE, "TQ-01", {"frequency": "on_event", "within_days": 5,
                                                            "change_note": "改为随时公开"})
    uow.commit()
    assert (revised["frequency"], revised["within_days"], revised["grace_days"]) == ("on_event", 5, None)
    assert revised["valid_from"] == TODAY.isoformat()
    assert catalogue.get_entry(uow.session, "TQ-01")["current"]["version"] == 2


def test_a_revision_never_rewrites_the_past_nor_changes_nothing(uow):
    add(uow)
    with pytest.raises(InvalidInput, match="not rewritten"):
        catalogue.revise_entry(uow, OFFICE, "TQ-01", {"grace_days": 5, "change_note": "补录",
                                                      "valid_from": (TODAY - timedelta(days=1)).isoformat()})
    with pytest.raises(InvalidInput, match="changes nothing"):
        catalogue.revise_entry(uow, OFFICE, "TQ-01", {"grace_days": 10, "change_note": "同上"})
    with pytest.raises(InvalidInput, match="change_note"):
        catalogue.revise_entry(uow, OFFICE, "TQ-01", {"grace_days": 5})
    with pytest.raises(InvalidInput, match="code"):  # the code is stable
        catalogue.revise_entry(uow, OFFICE, "TQ-01", {"code": "TQ-02", "change_note": "改代码"})
    with pytest.raises(NotFound):
        catalogue.revise_entry(uow, OFFICE, "NOPE-1", {"grace_days": 5, "change_note": "x"})
    uow.rollback()
    assert [v["version"] for v in catalogue.get_entry(uow.session, "TQ-01")["versions"]] == [1]


@pytest.mark.parametrize("changes, message", [
    ({"grace_days": None}, "a quarterly entry needs grace_days"),
    ({"grace_days": 0}, "must be 1..60"),
    ({"grace_days": 61}, "must be 1..60"),
    ({"grace_days": "10"}, "grace_days"),
    ({"frequency": "on_event", "grace_days": None, "within_days": 121}, "must be 1..120"),
    ({"frequency": "long_term", "grace_days": None}, "a long_term entry needs within_days"),
    ({"frequency": "on_event", "within_days": 5}, "grace_days.*applies to monthly, quarterly"),
    ({"frequency": "prior", "grace_days": None, "audience": "society", "display_days": 10},
     "must be 15..90 for a society audience"),
    ({"frequency": "prior", "grace_days": None, "audience": "party", "display_days": 6},
     "must be 7..90 for a party audience"),
    ({"frequency": "prior", "grace_days": None}, "a prior entry needs display_days"),
    ({"frequency": "weekly"}, "frequency"),
    ({"sectors": []}, "sectors"),
    ({"sectors": ["mars"]}, "sectors"),
    ({"sectors": ["village", "village"]}, "each value may appear once"),
    ({"carriers": ["飞鸽传书"]}, "carriers"),
    ({"audience": "everyone"}, "audience"),
    ({"matter": "  "}, "may not be blank"),
    ({"code": "dw 01"}, "capital letters"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_entry_is_refused_with_a_clear_message_and_nothing_stored(uow, changes, message):
    with pytest.raises(InvalidInput, match=message):
        catalogue.add_entry(uow, OFFICE, {**QUARTERLY, "code": "TB-01", **changes})
    uow.rollback()
    assert stored(uow) == 0


def test_a_prior_entry_with_its_minimum_display_period_is_accepted(uow):
    entry = add(uow, code="TP-01", frequency="prior", grace_days=None, audience="society", display_days=15)
    assert (entry["frequency"], entry["display_days"]) == ("prior", 15)
    entry = add(uow, code="TP-02", frequency="prior", grace_days=None, audience="party", display_days=7)
    assert entry["display_days"] == 7


def test_a_code_is_used_once(uow):
    add(uow)
    with pytest.raises(Conflict, match="TQ-01 exists already"):
        catalogue.add_entry(uow, OFFICE, {**QUARTERLY, "matter": "另一事项"})
    uow.rollback()
    assert stored(uow) == 1


def test_only_the_county_office_edits_the_catalogue(uow):
    add(uow)
    for role in ("operator", "reviewer", "admin", "member"):
        actor = Actor(f"x-{role}", role, "A001")
        with pytest.raises(Forbidden, match="only a inspector"):
            catalogue.add_entry(uow, actor, {**QUARTERLY, "code": "TX-09"})
        with pytest.raises(Forbidden):
            catalogue.revise_entry(uow, actor, "TQ-01", {"grace_days": 5, "change_note": "x"})
        with pytest.raises(Forbidden):
            catalogue.retire_entry(uow, actor, "TQ-01", {"reason": "x"})
    uow.rollback()
    assert stored(uow) == 1


def test_a_retired_entry_keeps_its_days_and_changes_no_more(uow):
    add(uow)
    with pytest.raises(InvalidInput, match="reason"):
        catalogue.retire_entry(uow, OFFICE, "TQ-01", {"reason": "  "})
    with pytest.raises(InvalidInput, match="not rewritten"):
        catalogue.retire_entry(uow, OFFICE, "TQ-01", {"reason": "撤销",
                                                      "valid_to": (TODAY - timedelta(days=2)).isoformat()})
    retired = catalogue.retire_entry(uow, OFFICE, "TQ-01", {"reason": "并入 DW-08"})
    uow.commit()
    assert retired["valid_to"] == TODAY.isoformat() and retired["retired_reason"] == "并入 DW-08"
    assert retired["retired_by"] == "office" and retired["retired_at"]
    assert codes(catalogue.list_entries(uow.session, on=TODAY)) == ["TQ-01"]  # its last day
    assert catalogue.list_entries(uow.session, on=TODAY + timedelta(days=1)) == []
    with pytest.raises(Conflict, match="retired"):
        catalogue.retire_entry(uow, OFFICE, "TQ-01", {"reason": "再次"})
    with pytest.raises(Conflict, match="retired"):
        catalogue.revise_entry(uow, OFFICE, "TQ-01", {"grace_days": 5, "change_note": "恢复"})
    with pytest.raises(Conflict, match="exists already"):  # nor is its code reused
        catalogue.add_entry(uow, OFFICE, QUARTERLY)


def test_an_entry_is_retired_from_a_later_day(uow):
    add(uow)
    last_day = TODAY + timedelta(days=30)
    catalogue.retire_entry(uow, OFFICE, "TQ-01", {"reason": "年底停止", "valid_to": last_day.isoformat()})
    uow.commit()
    entry = catalogue.get_entry(uow.session, "TQ-01")
    assert entry["current"]["valid_to"] == last_day.isoformat()
    assert [e.code for e in catalogue.entries_in_force(uow.session, last_day)] == ["TQ-01"]
    assert catalogue.entries_in_force(uow.session, last_day + timedelta(days=1)) == []
