"""The feedback loop's rules without a broker: the state machine alone, the whole loop with its
events, deadlines on the working-day calendar claimed once, routing after merges and
dissolutions, moderation, masking and the gauges."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from services.common.actor import Actor
from services.common.contract import names
from services.common.errors import AccountLocked, Conflict, Forbidden, InvalidInput, NotFound, Unprocessable
from services.common.records import OutboxRecord
from services.common.workdays import add_working_days, county_today
from services.feedback import deadlines, gauges, handling, intake, moderation, routing, sender, states, trail, views
from services.feedback.models import Feedback
from services.feedback.settings import Settings

OFFICE = Actor("zhou", "inspector")
OPERATOR = Actor("op-a001", "operator", "A001")
REVIEWER = Actor("rv-a001", "reviewer", "A001")
OTHER_OPERATOR = Actor("op-b001", "operator", "B001")
CONTACT = "13812340000"


def unit(code, parent=None, sector="village", status="active", revision=1, name=None):
    return {"code": code, "revision": revision, "name": name or f"{code}党支部", "sector": sector,
            "org_type": "branch", "parent_code": parent, "status": status, "merged_into": None,
            "demonstration": False, "officials": []}


@pytest.fixture
def county(uow_factory, tmp_path):
    """A county root, a town T01 with villages A001 and B001, and a word screen of our own."""
    uow = uow_factory("feedback")
    for state in (unit("C000", sector="agency"), unit("T01", "C000", "town"), unit("A001", "T01"),
                  unit("B001", "T01"), unit("D001", "T01", status="dissolved")):
        intake.apply_unit(uow.session, state)
    uow.commit()
    screen = tmp_path / "screen.txt"
    screen.write_text("# test words\n博彩\n", encoding="utf-8")
    return uow, Settings(screen_file=str(screen))


def send(uow, settings, content="村里的路灯坏了，何时修？", target="A001", **extra):
    receipt = intake.receive(uow, {"target_kind": "unit", "target_id": target, "kind": "question",
                                   "content": content, "contact": CONTACT, **extra}, settings=settings)
    uow.commit()
    return receipt, uow.session.scalar(sa.select(Feedback).where(Feedback.tracking_code == receipt["tracking_code"]))


def events(uow):
    return [(row.type, json.loads(row.body)["payload"]) for row in
            uow.session.execute(sa.select(OutboxRecord).order_by(OutboxRecord.id)).scalars()]


def act(uow, actor, feedback, action, data=None, settings=Settings()):
    handling.act(uow, actor, feedback.id, action, data, settings)
    uow.commit()


def test_the_state_machine_is_one_table():
    assert set(states.TRANSITIONS.values()) <= set(states.STATUSES)
    assert {s for s, _ in states.TRANSITIONS} <= set(states.STATUSES)
    assert states.next_state("held", "release") == "received"
    assert states.next_state("answered", "reopen") == "reopened"
    for state in ("rejected", "closed"):  # ends: nothing leaves them
        assert not [a for s, a in states.TRANSITIONS if s == state]
    with pytest.raises(Conflict, match="已办结"):
        states.next_state("closed", "answer")
    with pytest.raises(Conflict):
        states.next_state("received", "approve_answer")


def test_the_whole_loop_with_its_events_and_never_the_contact(county):
    uow, settings = county
    receipt, feedback = send(uow, settings, content="有人在村里搞博 彩，请查处", public=True)
    assert feedback.status == "held" and "博彩" in feedback.held_reason and len(receipt["secret"]) == 8
    assert events(uow) == []  # held: the unit is not told yet
    with pytest.raises(Forbidden):
        act(uow, OPERATOR, feedback, "release")
    uow.rollback()
    act(uow, OFFICE, feedback, "release")
    with pytest.raises(Forbidden):  # not their unit
        act(uow, OTHER_OPERATOR, feedback, "accept")
    uow.rollback()
    act(uow, OPERATOR, feedback, "accept")
    due = feedback.answer_due
    act(uow, OPERATOR, feedback, "extend", {"working_days": 5, "reason": "需要实地核查"})
    with pytest.raises(Conflict):  # one extension
        act(uow, OPERATOR, feedback, "extend", {"working_days": 5, "reason": "再延"})
    uow.rollback()
    with pytest.raises(Forbidden):
        act(uow, REVIEWER, feedback, "grant-extension", {})
    uow.rollback()
    act(uow, OFFICE, feedback, "grant-extension", {})
    assert feedback.answer_due == add_working_days(due, 5)
    act(uow, OPERATOR, feedback, "answer", {"body": "已报派出所查处，电话 13900001111。"})
    with pytest.raises(Forbidden):  # the operator does not approve answers
        act(uow, OPERATOR, feedback, "approve-answer", {})
    uow.rollback()
    act(uow, REVIEWER, feedback, "approve-answer", {})
    assert views.public_answers(uow.session, {"unit": "A001"}, 10, None)["items"][0]["answer"].count("139****1111")
    code = receipt["tracking_code"]
    with pytest.raises(Forbidden):  # the code alone is not enough
        sender.rate(uow, code, {"secret": "00000000", "rating": "unsatisfied"}, settings)
    uow.rollback()
    assert sender.rate(uow, code, {"secret": receipt["secret"], "rating": "unsatisfied", "comment": "没人来"},
                       settings)["status"] == "reopened"
    uow.commit()
    assert feedback.round == 2 and feedback.overdue_at is None
    act(uow, OPERATOR, feedback, "answer", {"body": "已联系派出所，本周内处理。"})
    act(uow, REVIEWER, feedback, "approve-answer", {})
    view = sender.rate(uow, code, {"secret": receipt["secret"], "rating": "satisfied"}, settings)
    uow.commit()
    assert view["status"] == "closed" and [a["round"] for a in view["answers"]] == [1, 2]
    assert "contact" not in view and CONTACT not in json.dumps(view)
    types = [t for t, _ in events(uow)]
    assert types == [names.FEEDBACK_RECEIVED, names.FEEDBACK_ACCEPTED, names.FEEDBACK_EXTENDED,
                     names.FEEDBACK_ANSWERED, names.FEEDBACK_RATED, names.FEEDBACK_REOPENED,
                     names.FEEDBACK_ANSWERED, names.FEEDBACK_RATED, names.FEEDBACK_CLOSED]
    answered = [p for t, p in events(uow) if t == names.FEEDBACK_ANSWERED]
    assert all(p["on_time"] and p["unit_code"] == "A001" for p in answered)
    assert all(CONTACT not in json.dumps(p) and "13812340000" not in json.dumps(p) for _, p in events(uow))
    detail = views.detail(uow.session, REVIEWER, feedback.id, settings)
    assert detail["contact"] == CONTACT and [s["action"] for s in detail["steps"]][:3] == ["hold", "release", "accept"]
    with pytest.raises(Forbidden, match="由单位 A001 办理"):  # another unit sees nothing of it but whose it is
        views.detail(uow.session, OTHER_OPERATOR, feedback.id, settings)


def test_wrong_pins_are_counted_and_lock_the_tracking_code_for_a_while(county):
    uow, settings = county
    receipt, feedback = send(uow, settings, content="垃圾没人清运")
    act(uow, OPERATOR, feedback, "accept")
    act(uow, OPERATOR, feedback, "answer", {"body": "已安排清运"})
    act(uow, REVIEWER, feedback, "approve-answer", {})
    code, rating = receipt["tracking_code"], {"rating": "unsatisfied", "comment": "还是没人来"}
    for _ in range(settings.pin_tries):
        with pytest.raises(Forbidden, match="查询码与密码不符"):
            sender.rate(uow, code, {"secret": "99999999", **rating}, settings)
        uow.rollback()
    with pytest.raises(AccountLocked, match=f"已连续输错 {settings.pin_tries} 次") as locked:
        sender.rate(uow, code, {"secret": receipt["secret"], **rating}, settings)  # even the right one, for now
    assert locked.value.details == {"retry_after_seconds": settings.pin_lock_minutes * 60}
    uow.rollback()
    uow.session.expire_all()
    assert feedback.status == "answered" and feedback.rating is None and feedback.reopen_count == 0
    assert [s.action for s in trail.steps(uow.session, feedback.id)].count("wrong_pin") == settings.pin_tries
    assert "wrong_pin" not in [s["action"] for s in sender.track(uow.session, code)["steps"]]  # not the sender's trail
    later = datetime.now(timezone.utc) + timedelta(minutes=settings.pin_lock_minutes + 1)
    with time_machine.travel(later, tick=False):
        assert sender.rate(uow, code, {"secret": receipt["secret"], "rating": "satisfied"}, settings)["status"] == "closed"
    uow.commit()


def test_bad_steps_change_nothing(county):
    uow, settings = county
    receipt, feedback = send(uow, settings)
    with pytest.raises(Conflict):
        act(uow, OPERATOR, feedback, "answer", {"body": "先答复"})  # not accepted yet
    uow.rollback()
    act(uow, OPERATOR, feedback, "accept")
    with pytest.raises(Forbidden):
        act(uow, OPERATOR, feedback, "transfer", {"unit_code": "B001", "reason": "不归我们"})
    uow.rollback()
    with pytest.raises(Conflict, match="已撤销"):
        act(uow, OFFICE, feedback, "transfer", {"unit_code": "D001", "reason": "转给撤销的"})
    uow.rollback()
    with pytest.raises(Unprocessable):
        act(uow, OFFICE, feedback, "transfer", {"unit_code": "Z999", "reason": "不存在"})
    uow.rollback()
    with pytest.raises(InvalidInput):  # past the limit: the shape refuses it as the gateway does
        act(uow, OPERATOR, feedback, "extend", {"working_days": 16, "reason": "太多"})
    uow.rollback()
    author_reviewer = Actor("rv-a001", "operator", "A001")  # the same person drafting
    act(uow, author_reviewer, feedback, "answer", {"body": "答复"})
    with pytest.raises(Forbidden, match="本人"):
        act(uow, REVIEWER, feedback, "approve-answer", {})
    uow.rollback()
    act(uow, Actor("rv2", "reviewer", "A001"), feedback, "approve-answer", {})
    for _ in range(settings.max_reopens):
        sender.reopen(uow, receipt["tracking_code"], {"secret": receipt["secret"]}, settings)
        uow.commit()
        act(uow, OPERATOR, feedback, "answer", {"body": "再答复"})
        act(uow, Actor("rv2", "reviewer", "A001"), feedback, "approve-answer", {})
    before = len(events(uow))
    with pytest.raises(Conflict, match="最多"):
        sender.reopen(uow, receipt["tracking_code"], {"secret": receipt["secret"]}, settings)
    uow.rollback()
    assert (feedback.status, feedback.reopen_count, len(events(uow))) == ("answered", 2, before)
    sender.rate(uow, receipt["tracking_code"], {"secret": receipt["secret"], "rating": "satisfied"}, settings)
    uow.commit()
    with pytest.raises(Conflict, match="已办结"):  # closed: nothing to transfer
        act(uow, OFFICE, feedback, "transfer", {"unit_code": "B001", "reason": "转办"})


def test_deadlines_warn_escalate_and_close_once_each(county, uow_factory):
    uow, settings = county
    _, feedback = send(uow, settings)
    _, answered = send(uow, settings, content="另一条")
    act(uow, OPERATOR, answered, "accept")
    act(uow, OPERATOR, answered, "answer", {"body": "答复"})
    act(uow, REVIEWER, answered, "approve-answer", {})
    due = feedback.answer_due
    replica = uow_factory("feedback")  # a second replica on the same database
    assert deadlines.check_deadlines(uow, settings) == {names.FEEDBACK_OVERDUE: 0, names.FEEDBACK_DUE_SOON: 0,
                                                        "escalate_1": 0, "escalate_2": 0, "closed": 0}
    day_before = due - timedelta(days=1)
    assert deadlines.check_deadlines(uow, settings, day_before)[names.FEEDBACK_DUE_SOON] == 1
    assert deadlines.check_deadlines(replica, settings, day_before)[names.FEEDBACK_DUE_SOON] == 0
    late = add_working_days(due, 1)
    assert deadlines.check_deadlines(uow, settings, late)[names.FEEDBACK_OVERDUE] == 1
    level_1 = add_working_days(due, settings.escalation_working_days + 1)
    counts = deadlines.check_deadlines(replica, settings, level_1)
    assert (counts["escalate_1"], counts["escalate_2"], counts[names.FEEDBACK_OVERDUE]) == (1, 0, 0)
    level_2 = add_working_days(due, 2 * settings.escalation_working_days + 1)
    assert deadlines.check_deadlines(uow, settings, level_2)["escalate_2"] == 1
    assert deadlines.check_deadlines(replica, settings, level_2)["escalate_2"] == 0
    escalations = [p for t, p in events(uow) if t == names.FEEDBACK_ESCALATED]
    assert [(p["level"], p["to"]) for p in escalations] == [(1, "secretary"), (2, "county_office")]
    assert [t for t, _ in events(uow)].count(names.FEEDBACK_DUE_SOON) == 1
    # the answered one closed (once) when its reopening window had passed unrated
    assert [p["reason"] for t, p in events(uow) if t == names.FEEDBACK_CLOSED] == ["reopen_window_passed"]
    uow.session.refresh(answered)
    assert answered.status == "closed"
    for today in (date(2026, 10, 9), date(2026, 10, 12), date(2027, 2, 1)):  # around 国庆, and a weekend
        cutoff = deadlines.latest_due_passed_by(today, 3)
        assert add_working_days(cutoff, 3) < today <= add_working_days(cutoff + timedelta(days=1), 3)


def test_merged_and_dissolved_units_hand_their_open_feedback_on(county):
    uow, settings = county
    _, open_one = send(uow, settings)
    _, held = send(uow, settings, content="博彩广告")
    _, answered = send(uow, settings, content="已答复的一条")
    for action, who, body in (("accept", OPERATOR, None), ("answer", OPERATOR, {"body": "答复"}),
                              ("approve-answer", REVIEWER, {})):
        act(uow, who, answered, action, body)
    payload = {"unit": unit("A001", "T01", status="merged", revision=2), "changed_by": "admin",
               "into_code": "B001", "children_moved": [], "merged_on": county_today()}
    intake.apply_unit(uow.session, payload["unit"])
    assert routing.follow_unit_change(uow, names.UNIT_MERGED, payload) == 3
    uow.commit()
    assert (open_one.unit_code, held.unit_code, open_one.status) == ("B001", "B001", "received")
    assert (answered.unit_code, answered.status) == ("B001", "answered")  # a reopening goes to the survivor
    moved = [p for t, p in events(uow) if t == names.FEEDBACK_TRANSFERRED][0]
    assert (moved["from_unit_code"], moved["cause"], moved["answer_due"]) == ("A001", "unit_merged",
                                                                            open_one.answer_due.isoformat())
    dissolved = {"unit": unit("B001", "T01", status="dissolved", revision=2), "changed_by": "admin",
                 "reason": "撤村并居", "dissolved_on": county_today()}
    intake.apply_unit(uow.session, dissolved["unit"])
    routing.follow_unit_change(uow, names.UNIT_DISSOLVED, dissolved)
    uow.commit()
    assert open_one.unit_code == "T01"
    assert routing.towns(uow.session)["A001"] == "T01" and routing.towns(uow.session)["C000"] == routing.COUNTY_LEVEL


def test_moderation_limits_duplicates_screen_and_reports(county, tmp_path):
    uow, settings = county
    with pytest.raises(InvalidInput, match="链接"):
        send(uow, settings, content="看 http://a.cn http://b.cn www.c.cn")
    with pytest.raises(InvalidInput, match="过长"):
        send(uow, settings, content="字" * (settings.max_chars + 1))
    first, _ = send(uow, settings, content="路灯坏了")
    with pytest.raises(Conflict) as refused:
        send(uow, settings, content=" 路灯 坏了 ")
    assert first["tracking_code"] not in str(refused.value.message) + str(refused.value.details)  # whose: not said
    uow.rollback()
    screen = moderation.screen_for(settings)
    assert screen.matches("新词出现") == []
    settings.screen_path.write_text("博彩\n新词\n", encoding="utf-8")
    assert screen.matches("新词出现") == ["新词"]  # reread without a restart
    receipt, feedback = send(uow, settings, content="问题", public=True)
    act(uow, OPERATOR, feedback, "accept")
    act(uow, OPERATOR, feedback, "answer", {"body": "答复"})
    act(uow, REVIEWER, feedback, "approve-answer", {})
    uow.commit()
    with pytest.raises(Conflict) as repeated:  # a repeat of a publicly answered text: its answer, not its code
        send(uow, settings, content="问题")
    assert repeated.value.details == {"answer": f"/units/A001#answer-{feedback.id}"}
    assert receipt["tracking_code"] not in repeated.value.message
    uow.rollback()
    for reader in ("r1", "r1", "r2", "r3"):
        shown = moderation.report_answer(uow.session, feedback.id, reader, settings)
    uow.commit()
    assert shown == {"id": feedback.id, "reports": 3, "hidden": True}
    assert views.public_answers(uow.session, {}, 10, None)["items"] == []
    moderation.review_answer(uow.session, feedback.id, keep=True)
    moderation.report_answer(uow.session, feedback.id, "r4", settings)
    uow.commit()
    assert len(views.public_answers(uow.session, {}, 10, None)["items"]) == 1  # kept after review
    metrics = {m.name: m for m in gauges.gauges(uow.session)}
    moderation_counts = {s.labels["outcome"]: s.value for s in metrics["gongkai_feedback_moderation"].samples}
    assert moderation_counts["reported"] == 4
    by_status = {(s.labels["status"], s.labels["town"]): s.value for s in metrics["gongkai_feedback"].samples}
    assert by_status[("answered", "T01")] == 1
    assert metrics["gongkai_feedback_answered_on_time_ratio"].samples[0].value == 1.0


def test_a_tracking_code_always_holds_a_letter(county, monkeypatch):
    uow, settings = county
    drawn = iter("2345678923" + "23456789AB")  # an all-digit draw is thrown away
    monkeypatch.setattr(intake.secrets, "choice", lambda alphabet: next(drawn) if alphabet == intake.TRACKING_ALPHABET
                        else "7")
    receipt, _ = send(uow, settings)
    assert receipt["tracking_code"] == "23456789AB" and receipt["secret"] == "77777777"


def test_contacts_are_masked_and_queues_are_scoped(county):
    uow, settings = county
    assert views.mask("13812340000") == "138****0000"
    assert views.mask("wang.xin@example.gov.cn") == "wa***@example.gov.cn"
    assert views.mask("老王") == "老***"
    send(uow, settings)
    send(uow, settings, content="博彩")
    assert len(views.list_feedback(uow.session, OPERATOR, {}, 10, None, settings)["items"]) == 1  # not the held one
    assert views.list_feedback(uow.session, OTHER_OPERATOR, {}, 10, None, settings)["items"] == []
    office = views.list_feedback(uow.session, OFFICE, {"town": "T01", "status": "held"}, 10, None, settings)
    assert [r["status"] for r in office["items"]] == ["held"]
    with pytest.raises(Forbidden):
        views.list_feedback(uow.session, Actor("m", "member", "A001"), {}, 10, None, settings)
