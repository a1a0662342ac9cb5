"""Supervision's rules without a broker: the random draw with its seed, the as-of score,
rectifications' state table and the bad inputs, rankings, and a report's figures."""
import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta

import pytest

from services.common.actor import Actor
from services.common.contract import names, new_event
from services.common.errors import Conflict, Forbidden, InvalidInput, Unprocessable
from services.supervision import (
    draw,
    draw_legacy,
    facts,
    inspection_records,
    inspections,
    rankings,
    rectifications,
    reports,
    scores,
)
from services.common.workdays import county_today
from services.supervision.periods import Period, parse_as_of

OFFICE = Actor("office", "inspector")
T0 = datetime(2026, 7, 1, tzinfo=UTC)


def unit_event(code, sector="village", parent=None, at=T0):
    event = new_event(names.UNIT_REGISTERED, {
        "code": code, "revision": 1, "name": f"{code}村党支部", "sector": sector, "org_type": "branch",
        "parent_code": parent, "status": "active", "merged_into": None, "demonstration": False, "officials": []})
    return event.__class__(**{**event.__dict__, "occurred_at": at})


def obligation_event(kind, unit, obligation_id, due_on, at, on_time=None):
    payload = {"obligation_id": obligation_id, "unit_code": unit, "entry_code": "V01", "matter": "村务：财务收支",
               "period": "2026-07", "due_on": due_on}
    if kind == names.OBLIGATION_FULFILLED:
        payload.update(year=2026, item_id=obligation_id, fulfilled_at=at, on_time=on_time)
    if kind == names.OBLIGATION_WAIVED:
        payload.update(year=2026, waived_by="office", reason="撤并")
    event = new_event(kind, payload)
    return event.__class__(**{**event.__dict__, "occurred_at": at})


def test_period_and_as_of_parse():
    assert (Period("2026-Q3").start, Period("2026-Q3").end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert Period("2026-07").previous().text == "2026-06" and Period("2026-Q1").previous().text == "2025-Q4"
    for bad in ("2026-13", "2026Q3", "26-07", ""):
        with pytest.raises(InvalidInput):
            Period(bad)
    with pytest.raises(InvalidInput):
        parse_as_of((datetime.now(UTC) + timedelta(days=1)).isoformat())
    with pytest.raises(InvalidInput):
        parse_as_of("2026-10-10T00:00:00")  # no offset
    assert parse_as_of("2026-10-10T00:00:00+08:00") == datetime(2026, 10, 9, 16, tzinfo=UTC)
    assert parse_as_of("2026-10-10T00:00:00 08:00") == datetime(2026, 10, 9, 16, tzinfo=UTC)  # "+" unencoded


SEED_A, SEED_B = "00" * 31 + "01", "ab" * 32


def test_random_draw_is_reproducible_and_keeps_inspectors_away_from_their_units():
    population = [f"V{i:03d}" for i in range(100)]
    pool = [{"username": "li", "unit_code": "V001"}, {"username": "wang", "unit_code": None},
            {"username": "zhao", "unit_code": "V002"}, {"username": "qian", "unit_code": None}]
    first = draw.draw(population, pool, seed=SEED_A)
    assert first == draw.draw(list(reversed(population)), list(reversed(pool)), seed=SEED_A)
    assert len(first["units"]) == 5  # at least 5% of 100
    assert first != draw.draw(population, pool, seed=SEED_B)
    for unit, assigned in first["assignments"].items():
        assert len(assigned) == 2
        assert all(next(p["unit_code"] for p in pool if p["username"] == a) != unit for a in assigned)
    assert len(draw.draw(population[:7], pool, seed=SEED_A)["units"]) == 1  # 5% of 7 rounds up to 1
    with pytest.raises(Unprocessable):
        draw.draw(population[:3], pool, seed=SEED_A, count=4)  # a sample larger than the population
    with pytest.raises(Unprocessable):  # fewer inspectors than each unit needs
        draw.draw(population, pool[:1], seed=SEED_A, count=1)


def test_hmac_draw_follows_its_written_definition():
    """hmac-sha256-v1 as docs/draw.md states it, computed here from hashlib and hmac alone."""
    def rank(message):
        return hmac.new(bytes.fromhex(SEED_B), message.encode(), hashlib.sha256).hexdigest()

    population = [f"V{i:03d}" for i in range(30)]
    pool = [{"username": f"u{i}", "unit_code": f"V{i:03d}"} for i in range(10)]
    chains = {code: [code, "TOWN"] for code in population}
    pool.append({"username": "town", "unit_code": "TOWN"})  # above every unit: always recused
    got = draw.draw(population, pool, SEED_B, count=4, inspectors_per_unit=3,
                    belongs_under=lambda own, unit: own in chains[unit])
    units = sorted(population, key=rank)[:4]
    assert got["units"] == units
    for unit in units:
        ordered = sorted((p["username"] for p in pool), key=lambda name: rank(f"{unit}:{name}"))
        allowed = [name for name in ordered if name != "town" and f"V{int(name[1:]):03d}" != unit]
        assert got["assignments"][unit] == allowed[:3]
    assert draw.commitment(SEED_B) == hashlib.sha256(bytes.fromhex(SEED_B)).hexdigest()
    assert len(bytes.fromhex(draw.new_seed())) == 32 and draw.new_seed() != draw.new_seed()


def test_draws_of_the_first_algorithm_still_rerun():
    population = [f"V{i:03d}" for i in range(100)]
    pool = [{"username": n, "unit_code": None} for n in ("li", "wang", "zhao")]
    old = draw_legacy.draw(population, pool, 20260701)
    assert old == draw.rerun(draw_legacy.ALGORITHM, population, pool, 20260701, 0.05, None, 2,
                             lambda own, unit: own == unit)
    assert old["units"] == sorted(old["units"]) and len(old["units"]) == 5


def test_rectification_state_table():
    assert rectifications.next_status("open", "submit") == "submitted"
    assert rectifications.next_status("submitted", "return") == "returned"
    assert rectifications.next_status("returned", "submit") == "submitted"
    assert rectifications.next_status("submitted", "accept") == "accepted"
    assert rectifications.next_status("overdue", "submit") == "submitted"
    for state, action in (("accepted", "submit"), ("open", "accept"), ("submitted", "submit")):
        with pytest.raises(Conflict):
            rectifications.next_status(state, action)


@pytest.fixture
def county(uow_factory):
    uow = uow_factory("supervision")
    facts.apply(uow.session, unit_event("T01", "town", at=T0 - timedelta(days=30)))
    for code in ("V01", "V02", "V03"):
        facts.apply(uow.session, unit_event(code, parent="T01", at=T0 - timedelta(days=30)))
    uow.commit()
    return uow


def test_as_of_score_counts_only_facts_known_then(county):
    uow = county
    due = date(2026, 7, 10)
    arrived = datetime(2026, 7, 20, tzinfo=UTC)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_FULFILLED, "V01", 1, due, datetime(2026, 7, 8, tzinfo=UTC),
                                              on_time=True), arrived)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_OVERDUE, "V01", 2, due, datetime(2026, 7, 11, tzinfo=UTC)),
                arrived)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_OVERDUE, "V02", 3, due, datetime(2026, 7, 11, tzinfo=UTC)),
                arrived)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_WAIVED, "V02", 3, due, datetime(2026, 7, 12, tzinfo=UTC)),
                arrived)
    uow.commit()
    as_of = datetime(2026, 8, 1, tzinfo=UTC)
    before = scores.compute(uow.session, Period("2026-07"), as_of)
    v01 = next(u for u in before["units"] if u["unit_code"] == "V01")
    assert v01["obligations"] == {"judged": 2, "on_time": 1, "rate": 50.0}
    assert v01["dimensions"]["on_time"]["value"] == 50.0 and v01["total"] == 50.0  # the only dimension assessed
    v02 = next(u for u in before["units"] if u["unit_code"] == "V02")
    assert v02["obligations"]["judged"] == 0 and v02["total"] is None  # waived: not counted
    # a late event: occurred in July, arrived in September
    facts.apply(uow.session, obligation_event(names.OBLIGATION_FULFILLED, "V01", 4, due,
                                              datetime(2026, 7, 9, tzinfo=UTC), on_time=True),
                datetime(2026, 9, 1, tzinfo=UTC))
    uow.commit()
    assert scores.compute(uow.session, Period("2026-07"), as_of) == before
    after = scores.compute(uow.session, Period("2026-07"), datetime(2026, 9, 2, tzinfo=UTC))
    assert next(u for u in after["units"] if u["unit_code"] == "V01")["obligations"]["judged"] == 3
    # not yet arrived at as_of: nothing of it counts
    early = scores.compute(uow.session, Period("2026-07"), datetime(2026, 7, 15, tzinfo=UTC))
    assert all(u["obligations"]["judged"] == 0 for u in early["units"])


def test_inspection_scores_findings_rectification_and_bad_input(county):
    uow = county
    pool = [{"username": "insp-a", "unit_code": None}, {"username": "insp-b", "unit_code": None}]
    today = county_today()  # the county's date, not the server's: at 00:30 Beijing time they differ
    planned = inspections.plan(uow, OFFICE, {"title": "例行检查", "kind": "routine", "window_opens": today.isoformat(),
                                             "window_closes": today.isoformat(), "unit_codes": ["V01", "V02"],
                                             "inspectors": pool})
    uow.commit()
    inspector = Actor("insp-a", "inspector")
    full = [{"criterion": c, "score": m} for c, m in (
        ("content_complete", 10), ("content_true", 10), ("content_detail", 10), ("form_board", 10),
        ("form_online", 10), ("procedure_steps", 10), ("procedure_records", 5), ("on_time_periodic", 10),
        ("feedback_handling", 10))]
    with pytest.raises(InvalidInput):  # above the criterion's maximum
        inspection_records.save_draft(uow, inspector, planned["id"], "V01",
                               {"scores": [{"criterion": "content_true", "score": 11}]})
    uow.rollback()
    with pytest.raises(Unprocessable):  # a unit outside the inspection
        inspection_records.save_draft(uow, inspector, planned["id"], "V03", {"scores": full})
    uow.rollback()
    with pytest.raises(Forbidden):  # not one of its inspectors
        inspection_records.save_draft(uow, Actor("other", "inspector"), planned["id"], "V01", {"scores": full})
    uow.rollback()
    inspection_records.save_draft(uow, inspector, planned["id"], "V01", {"scores": full, "findings": [
        {"dimension": "content", "text": "财务公开未到明细", "deduction": 6, "deadline_days": 5}]})
    inspection_records.submit(uow, inspector, planned["id"], "V01")
    uow.commit()
    with pytest.raises(Conflict):  # a second submission
        inspection_records.submit(uow, inspector, planned["id"], "V01")
    uow.rollback()
    now = datetime.now(UTC)
    row = next(u for u in scores.compute(uow.session, Period(f"{today:%Y-%m}"), now)["units"] if u["unit_code"] == "V01")
    assert row["dimensions"]["content"]["inspection"] == 80.0  # (30 - 6) / 30
    assert row["rectifications"]["open"] == 1
    # content 80*30 + 100*(20+15+20+15) over 100 = 94
    assert row["total"] == 94.0
    (rect,) = rectifications.list_for(uow, OFFICE, {"unit": "V01"})["items"]
    with pytest.raises(Forbidden):  # submitted by another unit
        rectifications.submit(uow, Actor("op-v02", "operator", "V02"), rect["id"], {"done": "已整改"})
    uow.rollback()
    rectifications.submit(uow, Actor("op-v01", "operator", "V01"), rect["id"], {"done": "已补充明细"})
    rectifications.decide(uow, inspector, rect["id"], "accept")
    uow.commit()
    row = next(u for u in scores.compute(uow.session, Period(f"{today:%Y-%m}"), datetime.now(UTC))["units"]
               if u["unit_code"] == "V01")
    assert row["total"] == 100.0 and row["rectifications"]["open"] == 0  # the accepted one lifts the deduction
    # as of before the acceptance, the deduction still counts
    assert next(u for u in scores.compute(uow.session, Period(f"{today:%Y-%m}"), now)["units"]
                if u["unit_code"] == "V01")["total"] == 94.0


def test_rankings_and_report_figures():
    current = {"period": "2026-07", "as_of": "x", "units": [
        {"unit_code": "V01", "total": 90.0, "sector": "village", "town_code": "T01"},
        {"unit_code": "V02", "total": 70.0, "sector": "village", "town_code": "T01"},
        {"unit_code": "V03", "total": 90.0, "sector": "village", "town_code": "T01"},
        {"unit_code": "T01", "total": 50.0, "sector": "town", "town_code": "T01"}]}
    previous = {"period": "2026-06", "as_of": "x", "units": [
        {"unit_code": "V01", "total": 60.0, "sector": "village", "town_code": "T01"},
        {"unit_code": "V02", "total": 80.0, "sector": "village", "town_code": "T01"}]}
    built = rankings.build(current, previous, {}, n=1)
    by = {u["unit_code"]: u for u in built["units"]}
    assert (by["V01"]["rank"], by["V03"]["rank"], by["V02"]["rank"], by["T01"]["rank"]) == (1, 1, 3, 4)
    assert by["V01"]["change"] == 1 and by["V02"]["change"] == -2 and by["V03"]["change"] is None
    assert by["T01"]["sector_rank"] == 1
    assert built["towns"] == [{"code": "T01", "units": 4, "total": 75.0, "name": "T01", "rank": 1,
                               "previous_rank": 1, "change": 0}]
    assert [u["unit_code"] for u in built["red_list"]] == ["V01"] and built["black_list"][0]["unit_code"] == "T01"
    assert reports.below_threshold(current, 60) == ["T01"]


def test_random_inspection_commits_to_a_seed_nobody_chooses(county):
    uow = county
    today = T0.date()  # the window opens on the test's own date, not on whatever day the suite runs
    pool = [{"username": "insp-a", "unit_code": "T01"},  # the town: above every village, always recused
            {"username": "insp-b", "unit_code": None}, {"username": "insp-c", "unit_code": "V01"},
            {"username": "insp-d", "unit_code": None}]
    plan = {"title": "双随机抽查", "kind": "random", "window_opens": today.isoformat(),
            "window_closes": today.isoformat(), "sample": {"count": 2, "scope": "subtree", "scope_value": "T01"},
            "inspectors": pool}
    refused = [({**plan, "sample": {**plan["sample"], "seed": 42}}, InvalidInput),  # a seed by hand
               ({**plan, "sample": {**plan["sample"], "seed": "ab" * 32}}, InvalidInput),
               ({**plan, "inspectors": pool[:2]}, Unprocessable),  # one inspector left once recused
               ({**plan, "sample": {**plan["sample"], "count": 9}}, Unprocessable)]  # more units than the scope
    for bad, error in refused:
        with pytest.raises(error) as caught:
            inspections.plan(uow, OFFICE, bad)
        uow.rollback()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))
    assert inspections.list_inspections(uow, OFFICE)["items"] == []  # nothing changed
    planned = inspections.plan(uow, OFFICE, plan)
    uow.commit()
    published = inspections.rerun_draw(uow, planned["id"])
    assert published["algorithm"] == "hmac-sha256-v1" and published["matches"] is True
    assert published["commitment"] == hashlib.sha256(bytes.fromhex(published["seed"])).hexdigest()
    assert published["committed_at"] <= published["drawn_at"]
    assert len(published["units"]) == 2 and set(published["population"]) == {"T01", "V01", "V02", "V03"}
    for unit, assigned in published["assignments"].items():
        assert "insp-a" not in assigned and len(assigned) == 2
        assert unit != "V01" or "insp-c" not in assigned
