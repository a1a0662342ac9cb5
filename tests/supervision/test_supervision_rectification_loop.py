"""The rectification loop's rules without a broker: the actions each reader may take now (what the
console's buttons come from), evidence photos and PDF files (types by their bytes, the size limit),
and the refusals: another unit's operator, accepting one's own submission, a step the state
table does not allow; each refused leaves the rectification as it was."""
import base64
from datetime import timedelta

import pytest
import time_machine

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, TooLarge, UnsupportedMediaType
from services.common.workdays import county_date
from services.supervision import facts, inspection_records, inspections, photos, rectifications
from tests.supervision.test_supervision_rules import T0, unit_event

OFFICE = Actor("office", "inspector")
INSPECTOR = Actor("insp-a", "inspector")
OPERATOR = Actor("op-v01", "operator", "V01")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
FULL = [{"criterion": c, "score": m} for c, m in (
    ("content_complete", 10), ("content_true", 10), ("content_detail", 10), ("form_board", 10), ("form_online", 10),
    ("procedure_steps", 10), ("procedure_records", 5), ("on_time_periodic", 10), ("feedback_handling", 10))]


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


@pytest.fixture
def county_clock():
    """The test's clock: 10:00 in the county on a working day, a month after the units were registered."""
    with time_machine.travel(T0 + timedelta(hours=2), tick=True):
        yield


@pytest.fixture
def opened(uow_factory, county_clock):
    """One open rectification of V01's, from a submitted inspection record."""
    uow = uow_factory("supervision")
    facts.apply(uow.session, unit_event("T01", "town", at=T0 - timedelta(days=30)))
    for code in ("V01", "V02"):
        facts.apply(uow.session, unit_event(code, parent="T01", at=T0 - timedelta(days=30)))
    today = county_date(T0).isoformat()
    planned = inspections.plan(uow, OFFICE, {"title": "例行检查", "kind": "routine", "window_opens": today,
                                             "window_closes": today, "unit_codes": ["V01"],
                                             "inspectors": [{"username": "insp-a", "unit_code": None}]})
    inspection_records.save_draft(uow, INSPECTOR, planned["id"], "V01", {"scores": FULL, "findings": [
        {"dimension": "form", "text": "公开栏未及时更新", "deduction": 3, "deadline_days": 10}]})
    inspection_records.submit(uow, INSPECTOR, planned["id"], "V01")
    uow.commit()
    (rect,) = rectifications.list_for(uow, OFFICE, {"unit": "V01"})["items"]
    return uow, rect["id"]


def test_each_reader_is_offered_only_the_step_the_state_table_and_their_role_allow(opened):
    uow, rid = opened
    assert rectifications.get(uow, OPERATOR, rid)["actions"] == ["submit"]
    assert rectifications.get(uow, OFFICE, rid)["actions"] == []  # nothing to accept yet
    assert rectifications.get(uow, Actor("rv-v01", "reviewer", "V01"), rid)["actions"] == []
    evidence = photos.add(uow, OPERATOR, "rectification", rid, "application/pdf", b64(PDF))
    assert evidence["media_type"] == "application/pdf"
    submitted = rectifications.submit(uow, OPERATOR, rid, {"done": "已更新公开栏", "evidence": [evidence["sha256"]]})
    uow.commit()
    assert submitted["status"] == "submitted" and submitted["actions"] == []
    assert submitted["submitted_by"] == "op-v01" and submitted["evidence"][0]["size"] == len(PDF)
    assert rectifications.get(uow, OFFICE, rid)["actions"] == ["accept", "return"]
    returned = rectifications.decide(uow, OFFICE, rid, "return", {"reason": "照片看不清"})
    uow.commit()
    assert returned["status"] == "returned" and returned["trail"][-1]["note"] == "照片看不清"
    assert rectifications.get(uow, OPERATOR, rid)["actions"] == ["submit"]
    rectifications.submit(uow, OPERATOR, rid, {"done": "已重新拍照"})
    accepted = rectifications.decide(uow, OFFICE, rid, "accept")
    uow.commit()
    assert accepted["status"] == "accepted" and accepted["actions"] == []
    assert rectifications.get(uow, OPERATOR, rid)["actions"] == []


def test_refusals_change_nothing(opened):
    uow, rid = opened
    with pytest.raises(Forbidden):  # another unit's operator
        rectifications.submit(uow, Actor("op-v02", "operator", "V02"), rid, {"done": "已整改"})
    uow.rollback()
    with pytest.raises(Forbidden):
        photos.add(uow, Actor("op-v02", "operator", "V02"), "rectification", rid, "image/png", b64(PNG))
    uow.rollback()
    with pytest.raises(UnsupportedMediaType) as wrong:  # a text file called a photo
        photos.add(uow, OPERATOR, "rectification", rid, "image/png", b64(b"just some text"))
    assert "PDF" in wrong.value.message
    uow.rollback()
    with pytest.raises(TooLarge) as large:
        photos.add(uow, OPERATOR, "rectification", rid, "image/png", b64(PNG + b"\x00" * 100), max_bytes=64)
    assert "MB" in large.value.message
    uow.rollback()
    with pytest.raises(Conflict):  # nothing submitted to accept
        rectifications.decide(uow, OFFICE, rid, "accept")
    uow.rollback()
    # a person who submitted it as the unit's operator and has since joined the county office
    rectifications.submit(uow, Actor("zhang", "operator", "V01"), rid, {"done": "已整改"})
    uow.commit()
    moved = Actor("zhang", "inspector")
    assert rectifications.get(uow, moved, rid)["actions"] == []
    with pytest.raises(Forbidden) as own:
        rectifications.decide(uow, moved, rid, "accept")
    assert own.value.message == "不能验收自己提交的整改"
    uow.rollback()
    after = rectifications.get(uow, OFFICE, rid)
    assert after["status"] == "submitted" and after["evidence"] == [] and len(after["trail"]) == 2
