"""Without a broker: a rectification withdrawn because a corrected inspection record removed its
finding tells the unit's operator (联络员) and reviewer (审核人) that nothing is left to put right,
on every channel the other rectification notices have a text for, with the console link to the
rectification."""
import json
from datetime import date, datetime, timezone

import sqlalchemy as sa

from services.common.contract import json_default, new_event
from services.notify import directory, planner, templates
from services.notify.models import Delivery, InboxMessage
from tests.notify.test_notify_channels import DAY, RULES, VILLAGE, by_channel, county, settings

PUBLIC = "https://gk.example"
WITHDRAWN = {"rectification_id": 4, "inspection_id": 2, "unit_code": "V01", "dimension": "on_time",
             "finding": "三季度财务未按时公开", "deadline": date(2026, 12, 18), "withdrawn_by": "insp-zhou",
             "withdrawn_at": datetime(2026, 12, 1, 2, 30, tzinfo=timezone.utc), "revision": 2,
             "reason": "复核台账后确认已按时公开"}
REVIEWER = {"role": "reviewer", "name": "周审核", "phone": "13900000004", "email": "v01-review@example.gov.cn"}


# --- RectificationWithdrawn ----------------------------------------------------------------------

def test_a_withdrawn_rectification_tells_the_units_operator_and_reviewer_with_the_rectifications_link(
        uow_factory):
    uow = uow_factory("notify")
    county(uow)  # the town T01 and the village V01 (liaison with email and phone, secretary), op-v01
    directory.apply_unit_state(uow.session, {**VILLAGE, "revision": 2, "officials": [*VILLAGE["officials"], REVIEWER]})
    for username, role, unit in (("rv-v01", "reviewer", "V01"), ("rv-t01", "reviewer", "T01")):
        directory.apply_account_state(uow.session, {"username": username, "revision": 1, "display_name": username,
                                                    "role": role, "unit_code": unit, "enabled": True})
    uow.commit()
    event = new_event("RectificationWithdrawn", WITHDRAWN)
    sms = settings(SMS={"URL": "http://127.0.0.1:1/sms"}, ROBOTS={"WECOM": {"URL": "http://127.0.0.1:1/w"}})
    deliveries = by_channel(planner.plan(uow.session, event, RULES, sms, DAY))
    uow.commit()
    assert set(deliveries) == {("email", "v01@example.gov.cn"), ("email", "v01-review@example.gov.cn"),
                               ("sms", "13900000002")}  # not the secretary, not the town, no robot
    link = f"{PUBLIC}/console/rectifications/4"
    for delivery in deliveries.values():
        assert delivery.status == "pending" and delivery.urgency == "normal" and delivery.next_attempt_at == DAY
        assert link in delivery.body and delivery.link == link
    email = deliveries[("email", "v01-review@example.gov.cn")]
    assert "整改已撤销" in email.subject and "整改 4" in email.subject
    for text in ("三季度财务未按时公开", "复核台账后确认已按时公开", "第 2 版", "insp-zhou",
                 "2026-12-01 10:30", "2026-12-18", "无需再提交"):  # withdrawn at 10:30 county time
        assert text in email.body, (text, email.body)
    assert "已撤销" in deliveries[("sms", "13900000002")].body
    inbox = {m.username: m for m in uow.session.scalars(sa.select(InboxMessage))}
    assert set(inbox) == {"op-v01", "rv-v01"}  # the unit's operator and reviewer; the town's reviewer is not told
    assert all(m.link == link and m.subject == email.subject for m in inbox.values())


def test_a_withdrawal_has_its_own_text_on_every_channel_the_other_rectification_notices_have():
    others = {path.name.split(".")[-2] for path in templates.DIRECTORY.glob("Rectification*.j2")
              if not path.name.startswith("RectificationWithdrawn.")}
    assert others == {"email", "sms", "wecom", "dingtalk"}
    payload = json.loads(json.dumps(WITHDRAWN, default=json_default))  # as notify has it: through JSON
    link = PUBLIC + RULES.for_event("RectificationWithdrawn").link_for(payload)
    assert link == f"{PUBLIC}/console/rectifications/4"
    for channel in sorted(others | {"inbox"}):
        own = templates.file_for("RectificationWithdrawn", channel)
        assert own == f"RectificationWithdrawn.{'email' if channel == 'inbox' else channel}.j2"
        subject, body = templates.render("RectificationWithdrawn", channel, payload, link, "东村党支部")
        assert link in body and "撤销" in subject + body and "{{" not in body, (channel, body)
        assert bool(subject) == (channel in ("email", "inbox")), (channel, subject)
