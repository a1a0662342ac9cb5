"""公开榜's inspection results without a broker: a unit's latest inspection (score, findings,
findings put right) shows only once an issued and published monthly 通报 covers it, as that
report's instant saw it; a draft, an unpublished report, a record or an acceptance after the
report show nothing new until the next report is issued. The clock is set (time-machine)."""
from datetime import UTC, datetime, timedelta

import time_machine

from services.common.actor import Actor
from services.supervision import inspection_records, inspections, public_record, rectifications, reports
from services.supervision.periods import Period
from tests.supervision.test_supervision_rules import OFFICE, county  # noqa: F401 (fixture)

JULY_6 = datetime(2026, 7, 6, 2, tzinfo=UTC)  # 10:00 in the county
FULL = [{"criterion": c, "score": m} for c, m in (
    ("content_complete", 10), ("content_true", 10), ("content_detail", 10), ("form_board", 10),
    ("form_online", 10), ("procedure_steps", 10), ("procedure_records", 5), ("on_time_periodic", 10),
    ("feedback_handling", 10))]
INSPECTOR = Actor("insp-a", "inspector")


def inspected(uow, at=JULY_6):
    with time_machine.travel(at, tick=False):
        return {u["unit_code"]: u["inspection"] for u in public_record.compute(uow.session, Period("2026"), at)["units"]}


def issue(uow, month, at, publish=True):
    with time_machine.travel(at, tick=False):
        made = reports.create(uow, OFFICE, {"kind": "monthly", "period": month})
        issued = reports.issue(uow, OFFICE, made["id"], {"publish": publish})
        uow.commit()
    return issued["id"]


def test_inspection_results_show_once_an_issued_report_covers_them(county):  # noqa: F811
    uow = county
    with time_machine.travel(JULY_6, tick=False):
        planned = inspections.plan(uow, OFFICE, {
            "title": "例行检查", "kind": "routine", "window_opens": "2026-07-06", "window_closes": "2026-07-06",
            "unit_codes": ["V01", "V02"], "inspectors": [{"username": "insp-a", "unit_code": None}]})
        inspection_records.save_draft(uow, INSPECTOR, planned["id"], "V01", {"scores": FULL, "findings": [
            {"dimension": "content", "text": "财务公开未到明细", "deduction": 6, "deadline_days": 5},
            {"dimension": "form", "text": "公开栏未更新", "deduction": 3, "deadline_days": 5}]})
        inspection_records.submit(uow, INSPECTOR, planned["id"], "V01")
        inspection_records.save_draft(uow, INSPECTOR, planned["id"], "V02", {"scores": FULL})  # never submitted
        uow.commit()
    assert inspected(uow, JULY_6 + timedelta(hours=1)) == {"T01": None, "V01": None, "V02": None, "V03": None}
    with time_machine.travel(JULY_6 + timedelta(hours=2), tick=False):
        reports.create(uow, OFFICE, {"kind": "monthly", "period": "2026-07"})  # a draft: nothing yet
        uow.commit()
    assert inspected(uow, JULY_6 + timedelta(hours=3))["V01"] is None
    draft = reports.list_reports(uow, OFFICE)[0]["id"]
    with time_machine.travel(JULY_6 + timedelta(hours=4), tick=False):
        reports.issue(uow, OFFICE, draft, {"publish": True})
        uow.commit()
    july = inspected(uow, JULY_6 + timedelta(hours=5))
    # content (30 - 6) / 30 = 80, form (20 - 3) / 20 = 85, the rest full: (80*30 + 85*20 + 100*50) / 100
    assert july["V01"] == {"report_id": draft, "report_period": "2026-07", "report_title": "2026-07 党务公开工作月度通报",
                           "inspection_id": planned["id"], "inspected_on": "2026-07-06", "score": 91.0,
                           "findings": 2, "rectified": 0}
    assert july["V02"] is None and july["V03"] is None
    # before the report was issued, the record as of then shows nothing
    assert inspected(uow, JULY_6 + timedelta(hours=3, minutes=59))["V01"] is None
    with time_machine.travel(JULY_6 + timedelta(days=2), tick=False):
        form = next(r for r in rectifications.list_for(uow, OFFICE, {"unit": "V01"})["items"] if r["dimension"] == "form")
        rectifications.submit(uow, Actor("op-v01", "operator", "V01"), form["id"], {"done": "已更新公开栏"})
        rectifications.decide(uow, INSPECTOR, form["id"], "accept")
        uow.commit()
    assert inspected(uow, JULY_6 + timedelta(days=3))["V01"]["rectified"] == 0  # the issued report did not see it
    issue(uow, "2026-08", datetime(2026, 9, 1, 2, tzinfo=UTC), publish=False)  # issued, not published
    assert inspected(uow, datetime(2026, 9, 2, tzinfo=UTC))["V01"]["report_id"] == draft
    september = issue(uow, "2026-09", datetime(2026, 10, 8, 2, tzinfo=UTC))
    october = inspected(uow, datetime(2026, 10, 9, tzinfo=UTC))["V01"]
    assert (october["report_id"], october["report_period"], october["rectified"], october["score"]) == (
        september, "2026-09", 1, 94.0)
    # another year's 公开榜 takes nothing from 2026's reports
    with time_machine.travel(datetime(2026, 10, 9, tzinfo=UTC), tick=False):
        assert all(u["inspection"] is None for u in public_record.compute(
            uow.session, Period("2025"), datetime(2026, 10, 9, tzinfo=UTC))["units"])
