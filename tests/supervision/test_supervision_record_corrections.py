"""A submitted inspection record corrected as a new revision, without a broker: only the inspector
who inspected corrects it; the earlier revision is kept and readable; the rectifications it opened
follow the correction (a finding removed withdraws its rectification, a finding kept keeps its
rectification and its progress, a new finding opens one) instead of all reopening; refusals
change nothing."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from services.common.actor import Actor
from services.common.contract import names
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.common.records import OutboxRecord as OutboxRow
from services.common.workdays import county_date
from services.supervision import facts, inspection_records, inspections, rectifications, scores
from services.supervision.periods import Period
from tests.supervision.test_supervision_rectification_loop import FULL
from tests.supervision.test_supervision_rules import T0, unit_event

OFFICE = Actor("office", "inspector")
INSPECTOR = Actor("insp-a", "inspector")
OTHER = Actor("insp-b", "inspector")
OPERATOR = Actor("op-v01", "operator", "V01")
BOARD = {"dimension": "form", "text": "公开栏未及时更新", "deduction": 3, "deadline_days": 10}
LEDGER = {"dimension": "procedure", "text": "审核记录缺签字", "deduction": 2, "deadline_days": 10}


@pytest.fixture
def recorded(uow_factory):
    """V01's record submitted by insp-a with two findings (two open rectifications); insp-b is V01's
    second inspector and did not inspect it. 10:00 in the county on a working day."""
    with time_machine.travel(T0 + timedelta(hours=2), tick=True):
        uow = uow_factory("supervision")
        facts.apply(uow.session, unit_event("T01", "town", at=T0 - timedelta(days=30)))
        facts.apply(uow.session, unit_event("V01", parent="T01", at=T0 - timedelta(days=30)))
        today = county_date(T0).isoformat()
        planned = inspections.plan(uow, OFFICE, {
            "title": "例行检查", "kind": "routine", "window_opens": today, "window_closes": today,
            "unit_codes": ["V01"], "inspectors": [{"username": "insp-a", "unit_code": None},
                                                  {"username": "insp-b", "unit_code": None}]})
        inspection_records.save_draft(uow, INSPECTOR, planned["id"], "V01", {"scores": FULL, "findings": [BOARD, LEDGER]})
        first = inspection_records.submit(uow, INSPECTOR, planned["id"], "V01")
        uow.commit()
        yield uow, planned["id"], first


def _rects(uow):
    return {r["finding"]: r for r in rectifications.list_for(uow, OFFICE, {"unit": "V01"})["items"]}


def test_only_the_inspector_who_inspected_corrects_and_a_refusal_changes_nothing(recorded):
    uow, iid, first = recorded
    assert inspection_records.current_record(uow, INSPECTOR, iid, "V01")["actions"] == ["correct"]
    assert inspection_records.current_record(uow, OTHER, iid, "V01")["actions"] == []
    body = {"scores": FULL, "findings": [], "reason": "复核"}
    with pytest.raises(Forbidden) as refused:
        inspection_records.correct(uow, OTHER, iid, "V01", body)
    assert "只有检查的人员才能更正" in refused.value.message and "insp-a" in refused.value.message
    with pytest.raises(Forbidden):
        inspection_records.correct(uow, OFFICE, iid, "V01", body)  # not V01's inspector at all
    uow.rollback()
    with pytest.raises(Conflict):  # the form read revision 0: stale
        inspection_records.correct(uow, INSPECTOR, iid, "V01", {**body, "revision": 0})
    uow.rollback()
    with pytest.raises(InvalidInput):  # keeping a finding that is not the corrected revision's
        inspection_records.correct(uow, INSPECTOR, iid, "V01", {**body, "findings": [{**BOARD, "keeps": 999999}]})
    uow.rollback()
    assert [r["revision"] for r in inspection_records.unit_records(uow, OFFICE, iid, "V01")] == [1]
    assert {r["status"] for r in _rects(uow).values()} == {"open"}


def test_rectifications_follow_the_correction(recorded):
    uow, iid, first = recorded
    board_id, ledger_id = (f["id"] for f in first["findings"])
    before = _rects(uow)
    board_rect = before[BOARD["text"]]["id"]
    with time_machine.travel(T0 + timedelta(hours=3), tick=True):
        rectifications.submit(uow, OPERATOR, board_rect, {"done": "已更新公开栏"})  # progress on the kept one
        uow.commit()
        outbox_before = uow.session.scalar(sa.select(sa.func.max(OutboxRow.id)))
        corrected = inspection_records.correct(uow, INSPECTOR, iid, "V01", {
            "revision": 1, "reason": "审核记录复核属实，另发现会议记录缺失", "scores": FULL,
            "findings": [{**BOARD, "text": "公开栏未按月更新", "keeps": board_id},
                         {"dimension": "content", "text": "会议记录缺失", "deduction": 1, "deadline_days": 5}]})
        uow.commit()
    assert corrected["revision"] == 2 and corrected["status"] == "submitted"
    revisions = inspection_records.unit_records(uow, OFFICE, iid, "V01")
    assert [(r["revision"], r["status"]) for r in revisions] == [(1, "superseded"), (2, "submitted")]
    assert [f["text"] for f in revisions[0]["findings"]] == [BOARD["text"], LEDGER["text"]]  # the earlier one kept
    after = {r["id"]: r for r in rectifications.list_for(uow, OFFICE, {"unit": "V01"})["items"]}
    assert len(after) == 3
    kept = after[board_rect]
    assert kept["status"] == "submitted" and kept["finding"] == "公开栏未按月更新"  # its progress kept
    assert kept["deadline"] == before[BOARD["text"]]["deadline"] and "第 2 版" in kept["trail"][-1]["note"]
    assert rectifications.get(uow, OFFICE, board_rect)["actions"] == ["accept", "return"]
    gone = after[before[LEDGER["text"]]["id"]]
    assert gone["status"] == "withdrawn" and gone["actions"] == [] and gone["status_label"] == "已撤销（检查记录更正）"
    assert "会议记录缺失" in gone["trail"][-1]["note"]
    (new,) = [r for r in after.values() if r["finding"] == "会议记录缺失"]
    assert new["status"] == "open"
    assert [f["rectification_id"] for f in corrected["findings"]] == [board_rect, new["id"]]
    emitted = [row.type for row in uow.session.scalars(sa.select(OutboxRow).where(OutboxRow.id > outbox_before)
                                                       .order_by(OutboxRow.id))]
    assert emitted == [names.INSPECTION_RECORDED, names.RECTIFICATION_OPENED, names.RECTIFICATION_WITHDRAWN]
    # the withdrawn rectification no longer counts against the unit; the kept one still does
    with time_machine.travel(T0 + timedelta(hours=4), tick=True):
        row = next(u for u in scores.compute(uow.session, Period(county_date(T0).strftime("%Y-%m")),
                                             T0 + timedelta(hours=4))["units"] if u["unit_code"] == "V01")
    assert row["rectifications"]["open"] == 2


def test_an_accepted_rectification_stays_accepted_when_its_finding_goes(recorded):
    uow, iid, first = recorded
    board_rect = _rects(uow)[BOARD["text"]]["id"]
    with time_machine.travel(T0 + timedelta(hours=3), tick=True):
        rectifications.submit(uow, OPERATOR, board_rect, {"done": "已更新公开栏"})
        rectifications.decide(uow, OFFICE, board_rect, "accept")
        inspection_records.correct(uow, INSPECTOR, iid, "V01", {"reason": "复核", "scores": FULL, "findings": []})
        uow.commit()
    statuses = {r["finding"]: r["status"] for r in _rects(uow).values()}
    assert statuses == {BOARD["text"]: "accepted", LEDGER["text"]: "withdrawn"}
