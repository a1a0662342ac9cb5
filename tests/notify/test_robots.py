"""Robots per town or agency: the nearest ancestor's robot tells a unit's people, else the
county's; the 20-a-minute limit is counted once for two notify senders sharing a database
(SQLite, and PostgreSQL with TEST_DATABASE_URL), and what is over the limit waits for the next
minute without using an attempt."""
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from services.common.db import make_engine
from services.notify import directory, planner, robots
from services.notify.models import Delivery, RobotMinute
from services.notify.sender import Sender
from tests.feedback.test_feedback_and_notify_rules import UNIT
from tests.notify.test_notify_channels import DAY, RULES, VILLAGE, county, rectification_overdue, settings
from tests.peers.http_peer import Peer

AGENCY = {**UNIT, "code": "A01", "name": "县教育局党组", "sector": "agency", "org_type": "committee",
          "parent_code": None, "officials": []}
SCHOOL = {**UNIT, "code": "A01-S1", "name": "县一中党支部", "sector": "school", "parent_code": "A01",
          "officials": [{"role": "liaison", "name": "周联络", "phone": "13900000009", "email": None}]}


@pytest.fixture
def robot_peers():
    made = {name: Peer().start() for name in ("county", "town", "agency")}
    yield made
    for peer in made.values():
        peer.stop()


def robot_settings(peers, tmp_path, **extra):
    (tmp_path / "robots.yaml").write_text(f"A01:\n  WECOM: {{URL: '{peers['agency'].url}/send?key=a01'}}\n")
    return settings(ROBOTS={"WECOM": {"URL": peers["county"].url + "/send?key=county"},
                            "UNITS": {"T01": {"WECOM": {"URL": peers["town"].url + "/send?key=t01"}}},
                            "UNITS_FILE": str(tmp_path / "robots.yaml")}, **extra)


def test_the_nearest_ancestor_with_a_robot_tells_else_the_county(uow_factory, robot_peers, tmp_path):
    uow = uow_factory("notify")
    county(uow)
    for state in (AGENCY, SCHOOL, {**UNIT, "code": "T02", "name": "河西镇党委", "sector": "town", "parent_code": None,
                                   "officials": []}):
        directory.apply_unit_state(uow.session, state)
    uow.commit()
    notify = robot_settings(robot_peers, tmp_path)
    assert robots.owner(uow.session, notify, "wecom", "V01") == "T01"  # the village's town
    assert robots.owner(uow.session, notify, "wecom", "T01") == "T01"
    assert robots.owner(uow.session, notify, "wecom", "A01-S1") == "A01"  # from the mounted file
    assert robots.owner(uow.session, notify, "wecom", "T02") == robots.COUNTY
    assert robots.owner(uow.session, notify, "dingtalk", "V01") is None  # no 钉钉 robot anywhere
    no_county = {**notify, "ROBOTS": {**notify["ROBOTS"], "WECOM": {"URL": ""}}}
    assert robots.owner(uow.session, no_county, "wecom", "T02") is None
    assert planner.configured(no_county, "wecom") and not planner.configured(no_county, "dingtalk")


def test_a_villages_notice_goes_to_its_towns_robot(uow_factory, robot_peers, tmp_path):
    uow = uow_factory("notify")
    county(uow)
    notify = robot_settings(robot_peers, tmp_path)
    (robot,) = [d for d in planner.plan(uow.session, rectification_overdue(), RULES, notify, DAY)
                if d.channel == "wecom"]
    assert robot.destination == "wecom:T01" and robot.delivery_key.endswith(":wecom:robot:T01")
    uow.session.execute(sa.update(Delivery).where(Delivery.channel != "wecom").values(status="delivered"))
    uow.commit()
    clock = DAY + timedelta(seconds=1)
    Sender(uow._sessions, {"NOTIFY": notify}, clock=lambda: clock).pass_once(wait=True)
    uow.session.expire_all()
    assert uow.session.get(Delivery, robot.id).status == "delivered"
    assert len(robot_peers["town"].requests) == 1 and robot_peers["county"].requests == []
    assert robot_peers["town"].requests[0].query == {"key": ["t01"]}


def queue_robot_messages(uow, count, at):
    for number in range(count):
        uow.session.add(Delivery(cause_event_id=f"00000000-0000-0000-0000-{number:012d}", cause_type="ObligationOverdue",
                                 unit_code="V01", channel="wecom", recipient=f"(robot {number})", subject="",
                                 body=f"第 {number} 条", status="pending", attempts=0, created_at=at,
                                 next_attempt_at=at, delivery_key=f"k{number}", urgency="urgent",
                                 destination="wecom:T01", message_id=f"<{number}@gk>"))
    uow.commit()


def test_two_senders_sharing_a_database_send_twenty_a_minute_to_a_robot_and_hold_the_rest(
        uow_factory, database_urls, robot_peers, tmp_path):
    uow = uow_factory("notify")
    county(uow)
    # the peer shares this process's hub with the senders' database calls: patient timeouts
    notify = robot_settings(robot_peers, tmp_path, PER_PEER=8, READ_TIMEOUT_SECONDS=20, CONNECT_TIMEOUT_SECONDS=10)
    minute = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)  # 14:00 county time
    queue_robot_messages(uow, 25, minute)
    now = [minute + timedelta(seconds=30)]
    engines = [make_engine(database_urls["notify"]) for _ in range(2)]
    senders = [Sender(sessionmaker(engine, expire_on_commit=False), {"NOTIFY": notify}, clock=lambda: now[0])
               for engine in engines]

    def drain(sender):
        while sender.pass_once(wait=True):
            pass
    try:
        for worker in [eventlet.spawn(drain, sender) for sender in senders]:
            worker.wait()
        assert len(robot_peers["town"].requests) == 20
        uow.session.expire_all()
        waiting = list(uow.session.scalars(sa.select(Delivery).where(Delivery.status == "pending")))
        assert len(waiting) == 5 and {d.attempts for d in waiting} == {0}  # not dropped, no attempt used
        assert {d.next_attempt_at.replace(tzinfo=timezone.utc) for d in waiting} == {minute + timedelta(minutes=1)}
        now[0] = minute + timedelta(minutes=1, seconds=2)
        for worker in [eventlet.spawn(drain, sender) for sender in senders]:
            worker.wait()
        assert len(robot_peers["town"].requests) == 25
        assert uow.session.scalar(sa.select(sa.func.count()).select_from(Delivery)
                                  .where(Delivery.status == "delivered")) == 25
    finally:
        for engine in engines:
            engine.dispose()


def test_a_minute_another_sender_has_just_begun_is_counted_in_not_held(database_urls):
    # PostgreSQL's read committed: this sender's UPDATE finds no row for the minute, the other
    # sender's INSERT commits, then this one reads the row: it has room, so it is counted in
    engine = make_engine(database_urls["notify"])
    sessions = sessionmaker(engine, expire_on_commit=False)
    now = datetime(2026, 12, 1, 6, 0, 30, tzinfo=timezone.utc)
    mine, other = robots.SharedLimit(sessions, 20, lambda: now), robots.SharedLimit(sessions, 20, lambda: now)
    raced = []

    @sa.event.listens_for(sessions, "do_orm_execute")
    def other_sender_between(state):
        if state.is_update and not raced:
            raced.append(None)
            raced[0] = other.wait_for("wecom:town")
            return state.invoke_statement(statement=state.statement.where(sa.false()))
        return None
    try:
        assert mine.wait_for("wecom:town") == 0.0 and raced == [0.0]
        with sessions() as session:
            assert session.scalar(sa.select(RobotMinute.sent)) == 2
    finally:
        engine.dispose()
