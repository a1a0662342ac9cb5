"""Registry imports as jobs, without a broker: a dry run's counts are what applying does, an
apply goes in batches that commit their progress, a job interrupted half-way resumes where
it stopped, a file with problems changes nothing, and a job that keeps dying is failed with
the reason. Also: a new unit under a parent that does not exist is a 422 naming it."""
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.common.errors import Conflict, NotFound, Unprocessable
from services.common.records import utcnow
from services.units import audit, job_runner, jobs, registry
from services.units.backpressure import STALL_SECONDS, unit_event_queues, wait_for_consumers
from services.units.load_sample import SAMPLE_COUNTY
from services.units.models import ImportJob, Unit
from tests.units.units_fixtures import register_sample

SAMPLE = SAMPLE_COUNTY.read_bytes()


def no_pause(_seconds):
    pass


def submit_and_run(uow, content, apply, batch_rows=25):
    job = jobs.submit(uow, "admin", "county.csv", content, apply)
    uow.commit()
    assert job["status"] == "queued" and job["kind"] == ("apply" if apply else "dry_run")
    assert job_runner.claim_next(uow) == job["id"]
    return job_runner.run(uow, job["id"], batch_rows=batch_rows, pause=0, sleep=no_pause)


def renamed_sample(count):
    lines = SAMPLE.decode("utf-8-sig").splitlines()
    out = [lines[0]]
    for n, line in enumerate(lines[1:]):
        cells = line.split(",")
        if n < count:
            cells[1] += "（更名）"
        out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode()


def test_a_dry_run_counts_what_applying_does_and_changes_nothing(uow_factory):
    uow = uow_factory("units")
    dry = submit_and_run(uow, SAMPLE, apply=False)
    assert dry["status"] == "succeeded" and dry["rows_done"] == dry["rows_total"] == 121
    assert (dry["report"]["registered"], dry["report"]["applied"]) == (121, False)
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0

    applied = submit_and_run(uow, SAMPLE, apply=True)
    assert applied["status"] == "succeeded" and applied["error"] is None
    assert (applied["report"]["registered"], applied["report"]["applied"], applied["rows_done"]) == (121, True, 121)
    assert uow.session.scalar(sa.select(ImportJob.content).where(ImportJob.id == applied["id"])) is None

    changed = renamed_sample(30)
    dry = submit_and_run(uow, changed, apply=False)
    assert (dry["report"]["updated"], dry["report"]["unchanged"]) == (30, 91)
    applied = submit_and_run(uow, changed, apply=True, batch_rows=7)
    assert (applied["report"]["updated"], applied["report"]["unchanged"]) == (30, 91)
    assert submit_and_run(uow, changed, apply=False)["report"]["unchanged"] == 121


def test_a_clean_dry_run_is_applied_once_from_the_file_it_checked(uow_factory):
    uow = uow_factory("units")
    dry = submit_and_run(uow, SAMPLE, apply=False)
    assert dry["can_apply"] and dry["actor"] == "admin"
    applying = jobs.apply_checked(uow, "admin2", dry["id"])
    uow.commit()
    assert (applying["kind"], applying["status"], applying["actor"]) == ("apply", "queued", "admin2")
    assert job_runner.claim_next(uow) == applying["id"]
    done = job_runner.run(uow, applying["id"], pause=0, sleep=no_pause)
    assert done["status"] == "succeeded" and done["report"]["registered"] == 121
    assert uow.session.scalar(sa.select(ImportJob.content).where(ImportJob.id == dry["id"])) is None
    assert jobs.get(uow.session, dry["id"])["report"]["apply_job"] == applying["id"]
    listed = jobs.recent(uow.session, 2)
    assert [j["id"] for j in listed] == [applying["id"], dry["id"]] and not listed[1]["can_apply"]
    with pytest.raises(Conflict, match="已经确认导入过"):
        jobs.apply_checked(uow, "admin", dry["id"])
    with pytest.raises(Conflict, match="本身就是正式导入"):
        jobs.apply_checked(uow, "admin", applying["id"])
    with pytest.raises(NotFound):
        jobs.apply_checked(uow, "admin", 999999)

    flawed = submit_and_run(uow, SAMPLE.replace(b",agency,", b",army,", 1), apply=False)
    assert not flawed["can_apply"]
    with pytest.raises(Conflict, match="发现了问题"):
        jobs.apply_checked(uow, "admin", flawed["id"])
    assert uow.session.scalar(sa.select(ImportJob.content).where(ImportJob.id == flawed["id"])) is None

    old = submit_and_run(uow, SAMPLE, apply=False)  # a day later its file is gone
    later = utcnow() + timedelta(seconds=jobs.KEEP_CHECKED_SECONDS + 1)
    jobs.forget_old_files(uow, later)
    uow.commit()
    uow.session.expire_all()
    with pytest.raises(Conflict, match="只保留 24 小时"):
        jobs.apply_checked(uow, "admin", old["id"])
    waiting = jobs.submit(uow, "admin", "county.csv", SAMPLE, False)
    with pytest.raises(Conflict, match="还没有检查完"):
        jobs.apply_checked(uow, "admin", waiting["id"])


def test_an_interrupted_apply_resumes_where_it_stopped(uow_factory):
    uow = uow_factory("units")
    job = jobs.submit(uow, "admin", "county.csv", SAMPLE, True)
    uow.commit()
    job_runner.claim_next(uow)
    calls = []

    def dies_after_two_batches(_seconds):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the process was stopped")

    with pytest.raises(RuntimeError):
        job_runner.run(uow, job["id"], batch_rows=20, pause=0, sleep=dies_after_two_batches)
    uow.rollback()
    stopped = jobs.get(uow.session, job["id"])  # two batches of at most 20 rows were committed
    assert stopped["status"] == "running" and 0 < stopped["rows_done"] <= 40
    assert stopped["report"]["registered"] == stopped["rows_done"]
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == stopped["rows_done"]

    assert job_runner.claim_next(uow, stale_seconds=60) is None  # its worker may still be alive
    assert job_runner.claim_next(uow, stale_seconds=0) == job["id"]  # its heartbeat is stale: resume it
    done = job_runner.run(uow, job["id"], batch_rows=20, pause=0, sleep=no_pause)
    assert (done["status"], done["attempts"], done["rows_done"]) == ("succeeded", 2, 121)
    assert (done["report"]["registered"], done["report"]["unchanged"]) == (121, 0)
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 121


def test_an_apply_keeps_to_its_pace(uow_factory):
    uow = uow_factory("units")
    job = jobs.submit(uow, "admin", "county.csv", SAMPLE, True)
    uow.commit()
    job_runner.claim_next(uow)
    asked = []
    started = time.monotonic()
    done = job_runner.run(uow, job["id"], batch_rows=20, pause=0, sleep=asked.append, rows_per_second=100)
    assert done["status"] == "succeeded" and len(asked) >= 121 // 20
    assert time.monotonic() - started + sum(asked) >= 121 / 100 - 0.25  # it asked to wait for the rest


def test_an_apply_waits_for_consumers_that_drain_but_not_for_a_stalled_one():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    draining = iter([300, 200, 120, 90])
    assert wait_for_consumers(lambda: next(draining), 100, sleep, lambda: now[0]) == 1.5
    now[0] = 0.0
    waited = wait_for_consumers(lambda: 500, 100, sleep, lambda: now[0])  # its service is down
    assert STALL_SECONDS < waited <= STALL_SECONDS + 1
    assert wait_for_consumers(lambda: 0, 100, sleep, lambda: now[0]) == 0


def test_the_queues_watched_are_those_of_units_events():
    queues = unit_event_queues()
    assert "gongkai.disclosure.UnitRegistered" in queues and "gongkai.notify.OfficialAssigned" in queues
    assert not any(name.endswith(".ItemPublished") for name in queues)


def test_a_job_that_keeps_dying_is_failed_with_the_reason(uow_factory):
    uow = uow_factory("units")
    job = jobs.submit(uow, "admin", "county.csv", SAMPLE, True)
    uow.commit()
    for _ in range(jobs.MAX_ATTEMPTS + 1):
        assert job_runner.claim_next(uow, stale_seconds=0) == job["id"]
    failed = job_runner.run(uow, job["id"], pause=0, sleep=no_pause)
    assert failed["status"] == "failed" and failed["error"]["code"] == "interrupted"
    assert "已停止重试" in failed["error"]["message"]
    assert job_runner.claim_next(uow, stale_seconds=0) is None


def test_a_file_with_problems_registers_nothing_and_a_bad_file_fails(uow_factory):
    uow = uow_factory("units")
    bad = SAMPLE.replace(b",agency,", b",army,", 1)
    failed = submit_and_run(uow, bad, apply=True)
    assert failed["status"] == "failed" and failed["error"]["code"] == "unprocessable"
    assert failed["report"]["problems"][0]["column"] == "sector" and failed["rows_total"] == 121
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0
    checked = submit_and_run(uow, bad, apply=False)  # a dry run succeeds with its report
    assert checked["status"] == "succeeded" and checked["report"]["problems"]
    junk = submit_and_run(uow, b"\x00\x01binary", apply=True)
    assert junk["status"] == "failed" and junk["error"]["code"] == "invalid_input" and junk["report"] is None


def test_a_new_unit_under_a_parent_that_does_not_exist_is_unprocessable(uow_factory):
    uow = register_sample(uow_factory("units"))
    row = {"code": "X001", "name": "中共某村支部委员会", "sector": "village", "org_type": "branch"}
    for parent in ("NOPE", ""):
        with pytest.raises(Unprocessable) as caught:
            registry.create_unit(uow, "admin", {**row, "parent_code": parent})
        assert "上级组织" in caught.value.message and "parent_code" in caught.value.details
    uow.rollback()
    assert uow.session.get(Unit, "X001") is None


def test_a_batch_of_audit_entries_is_appended_once_and_in_order(uow_factory):
    uow = uow_factory("units")
    entries = [{"actor": "admin", "role": "admin", "unit": None, "action": "POST /api/v1/units",
                "target": "/api/v1/units", "result": 201, "request_id": "same-id", "entry_id": f"e{n}"}
               for n in range(5)]
    assert audit.append_batch(uow.session, entries[:3])["appended"] == 3
    uow.commit()
    again = audit.append_batch(uow.session, entries)  # a retry of the first batch, and more
    uow.commit()
    assert (again["appended"], again["skipped"]) == (2, 3)
    listed = audit.query(uow.session)["items"]
    assert [e["entry_id"] for e in listed] == [f"e{n}" for n in range(5)]
    assert audit.verify(uow.session)["ok"]
