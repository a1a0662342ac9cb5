"""The item workflow 提出 → 审核 → 审批 → 实施, corrections (整改), withdrawal (撤回) and the
obligation a publication fulfils, without a broker."""
import dataclasses
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.records import OutboxRecord, utcnow
from services.common.workdays import county_today
from services.disclosure import reading, units_copy, workflow
from services.disclosure.models import CatalogueEntry, Item, Obligation

OPERATOR = Actor("op-a001", "operator", "A001")
REVIEWER = Actor("rv-a001", "reviewer", "A001")
INSPECTOR = Actor("office", "inspector", None)
DRAFT = {"unit_code": "A001", "title": "2026年第四季度党费收缴情况", "body": "本季度……" * 50,
         "audience": "society", "carriers": ["公开栏", "网站"]}
# the county C000 with an agency A001 and A002, and a town T01 with villages V01 and V02
UNITS = (("C000", None, "other"), ("A001", "C000", "agency"), ("A002", "C000", "agency"),
         ("T01", "C000", "town"), ("V01", "T01", "village"), ("V02", "T01", "village"))


def operator_of(unit):
    return Actor(f"op-{unit.lower()}", "operator", unit)


def reviewer_of(unit):
    return Actor(f"rv-{unit.lower()}", "reviewer", unit)


@pytest.fixture
def uow(uow_factory):
    uow = uow_factory("disclosure")
    for code, parent, sector in UNITS:
        units_copy.apply_unit_state(uow.session, {"code": code, "revision": 1, "name": code, "sector": sector,
                                                  "parent_code": parent, "status": "active", "merged_into": None})
    uow.commit()
    return uow


def draft(uow, **changes):
    unit = changes.get("unit_code", "A001")
    item = workflow.create_item(uow, operator_of(unit), {**DRAFT, **changes})
    uow.commit()
    return item["id"]


def publish(uow, item_id):
    unit = uow.session.get(Item, item_id).unit_code
    workflow.transition(uow, operator_of(unit), item_id, "submit", None)
    workflow.transition(uow, reviewer_of(unit), item_id, "review", "内容属实，不涉密")
    item = workflow.transition(uow, reviewer_of(unit), item_id, "approve", None)
    uow.commit()
    return item


def emitted(uow):
    return list(uow.session.scalars(sa.select(OutboxRecord.type).order_by(OutboxRecord.id)))


def payloads(uow, event_type):
    import json
    return [json.loads(body)["payload"] for body in uow.session.scalars(
        sa.select(OutboxRecord.body).where(OutboxRecord.type == event_type).order_by(OutboxRecord.id))]


def obligation(uow, *, unit="A001", due_on=None, status="open", frequency="on_event", display_days=None,
               audience="society"):
    """A catalogue entry and one obligation of the unit, written directly."""
    count = uow.session.scalar(sa.select(sa.func.count()).select_from(CatalogueEntry))
    entry = CatalogueEntry(code=f"T{count + 1}", version=1, matter="党务", sub_matter="测试事项",
                           content_elements="要素", basis="条例", time_limit="及时", audience=audience,
                           carriers=["公开栏"], sectors=["agency", "village"], frequency=frequency,
                           within_days=5 if frequency == "on_event" else None, display_days=display_days,
                           valid_from=date(2020, 1, 1), changed_by="office", changed_at=utcnow())
    uow.session.add(entry)
    uow.session.flush()
    due_on = due_on or county_today() + timedelta(days=30)
    row = Obligation(unit_code=unit, entry_id=entry.id, entry_code=entry.code, year=due_on.year, period="E1",
                     due_on=due_on, status=status, sector="agency", town_code=None, event_on=due_on,
                     created_at=utcnow())
    uow.session.add(row)
    uow.commit()
    return row.id


def test_the_whole_path_publishes_once_with_a_full_trail(uow):
    item_id = draft(uow)
    workflow.submit(uow, OPERATOR, item_id)
    workflow.review(uow, REVIEWER, item_id)
    item = workflow.approve(uow, REVIEWER, item_id)
    uow.commit()
    assert item["status"] == "published" and item["published_at"]
    assert [(t["from_status"], t["to_status"]) for t in item["trail"]] == [
        (None, "draft"), ("draft", "submitted"), ("submitted", "reviewed"), ("reviewed", "approved"),
        ("approved", "published")]
    assert {t["actor"] for t in item["trail"]} == {OPERATOR.username, REVIEWER.username}
    assert all(t["at"] and t["role"] for t in item["trail"])
    assert emitted(uow) == ["ItemSubmitted", "ItemReviewed", "ItemApproved", "ItemPublished"]
    public = reading.list_items(uow.session, None, {})["items"]
    assert [i["id"] for i in public] == [item_id] and "author" not in public[0] and "trail" not in public[0]


def test_transition_dispatches_by_name_and_keeps_the_reason(uow):
    item_id = draft(uow)
    with pytest.raises(InvalidInput, match="unknown action 'publish'"):
        workflow.transition(uow, OPERATOR, item_id, "publish", None)
    item = publish(uow, item_id)
    assert item["trail"][2]["reason"] == "内容属实，不涉密"


def test_the_author_never_reviews_approves_rejects_or_withdraws_their_own_item(uow):
    item_id = draft(uow)
    workflow.submit(uow, OPERATOR, item_id)
    uow.commit()
    author_as_reviewer = dataclasses.replace(REVIEWER, username=OPERATOR.username)
    for action in ("review", "reject"):
        with pytest.raises(Forbidden, match="someone else"):
            workflow.transition(uow, author_as_reviewer, item_id, action, "理由")
    workflow.review(uow, REVIEWER, item_id)
    with pytest.raises(Forbidden, match="someone else"):
        workflow.approve(uow, author_as_reviewer, item_id)
    workflow.approve(uow, REVIEWER, item_id)
    uow.commit()
    with pytest.raises(Forbidden, match="someone else"):
        workflow.withdraw(uow, author_as_reviewer, item_id, "错误")


def test_wrong_state_wrong_role_and_wrong_unit_are_refused_without_change(uow):
    item_id = draft(uow)
    with pytest.raises(Conflict, match="is draft"):
        workflow.approve(uow, REVIEWER, item_id)
    with pytest.raises(Forbidden, match="only a reviewer"):
        workflow.review(uow, OPERATOR, item_id)
    with pytest.raises(Forbidden, match="not A002"):
        workflow.create_item(uow, OPERATOR, {**DRAFT, "unit_code": "A002"})
    with pytest.raises(Forbidden, match="not A001"):
        workflow.submit(uow, operator_of("A002"), item_id)
    with pytest.raises(Forbidden, match="not A001"):
        workflow.update_item(uow, operator_of("A002"), item_id, {"title": "别人的"})
    with pytest.raises(Forbidden, match="only a operator"):
        workflow.submit(uow, INSPECTOR, item_id)
    uow.rollback()
    assert reading.get_item(uow.session, OPERATOR, item_id)["status"] == "draft"
    assert emitted(uow) == []


def test_rejection_returns_the_item_to_draft_with_the_reason(uow):
    item_id = draft(uow)
    workflow.submit(uow, OPERATOR, item_id)
    with pytest.raises(InvalidInput, match="reason"):
        workflow.reject(uow, REVIEWER, item_id, "  ")
    item = workflow.reject(uow, REVIEWER, item_id, "金额与账目不符")
    uow.commit()
    assert item["status"] == "draft" and item["trail"][-1]["reason"] == "金额与账目不符"
    assert emitted(uow) == ["ItemSubmitted", "ItemRejected"]


def test_only_a_draft_is_edited_and_only_with_known_fields(uow):
    item_id = draft(uow)
    item = workflow.update_item(uow, OPERATOR, item_id, {"title": "改后的标题", "audience": "party"})
    uow.commit()
    assert (item["title"], item["audience"]) == ("改后的标题", "party")
    with pytest.raises(InvalidInput, match="unit_code"):
        workflow.update_item(uow, OPERATOR, item_id, {"unit_code": "A002"})
    with pytest.raises(InvalidInput, match="audience"):
        workflow.update_item(uow, OPERATOR, item_id, {"audience": "everyone"})
    workflow.submit(uow, OPERATOR, item_id)
    uow.commit()
    with pytest.raises(Conflict, match="only a draft can be edited"):
        workflow.update_item(uow, OPERATOR, item_id, {"title": "再改"})


def test_an_item_for_an_unknown_unit_or_with_bad_fields_is_refused(uow):
    with pytest.raises(InvalidInput, match="not an active unit"):
        workflow.create_item(uow, dataclasses.replace(OPERATOR, unit="Z999"), {**DRAFT, "unit_code": "Z999"})
    with pytest.raises(InvalidInput, match="carriers"):
        workflow.create_item(uow, OPERATOR, {**DRAFT, "carriers": ["飞鸽传书"]})
    with pytest.raises(InvalidInput, match="audience"):
        workflow.create_item(uow, OPERATOR, {**DRAFT, "audience": "world"})


# --- corrections (整改) -----------------------------------------------------------------------

def test_a_correction_is_a_new_version_and_the_old_one_stays_readable_superseded(uow):
    old_id = draft(uow)
    publish(uow, old_id)
    new = workflow.correct(uow, OPERATOR, old_id, {"body": "更正后的正文"})
    uow.commit()
    assert (new["status"], new["version"], new["previous_id"]) == ("draft", 2, old_id)
    assert new["title"] == DRAFT["title"] and new["body"] == "更正后的正文" and new["unit_code"] == "A001"
    # until the correction is published the old version is the one shown
    assert reading.get_item(uow.session, None, old_id)["status"] == "published"
    with pytest.raises(NotFound):
        reading.get_item(uow.session, None, new["id"])
    publish(uow, new["id"])
    old = reading.get_item(uow.session, None, old_id)
    assert (old["status"], old["superseded_by_id"]) == ("corrected", new["id"])
    assert old["body"] == DRAFT["body"]
    full = reading.get_item(uow.session, INSPECTOR, old_id)
    assert full["trail"][-1]["to_status"] == "corrected" and full["trail"][-1]["actor"] == REVIEWER.username
    assert [v["version"] for v in reading.versions(uow.session, None, old_id)] == [1, 2]
    assert [v["id"] for v in reading.versions(uow.session, None, new["id"])] == [old_id, new["id"]]
    assert emitted(uow)[-2:] == ["ItemPublished", "ItemCorrected"]
    corrected = payloads(uow, "ItemCorrected")[0]
    assert (corrected["item_id"], corrected["previous_item_id"], corrected["previous_version"]) == (
        new["id"], old_id, 1)
    # the public list shows the current version; the superseded one by status
    assert [i["id"] for i in reading.list_items(uow.session, None, {})["items"]] == [new["id"]]
    assert [i["id"] for i in reading.list_items(uow.session, None, {"status": "corrected"})["items"]] == [old_id]


def test_only_a_published_item_without_a_pending_correction_can_be_corrected(uow):
    item_id = draft(uow)
    with pytest.raises(Conflict, match="only a published item can be corrected"):
        workflow.correct(uow, OPERATOR, item_id, {"title": "x"})
    uow.rollback()
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Item)) == 1
    publish(uow, item_id)
    with pytest.raises(Forbidden):
        workflow.correct(uow, REVIEWER, item_id, {"title": "x"})
    workflow.correct(uow, OPERATOR, item_id, {"title": "更正"})
    uow.commit()
    with pytest.raises(Conflict, match="correction in progress"):
        workflow.correct(uow, OPERATOR, item_id, {"title": "再更正"})
    uow.rollback()
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Item)) == 2


# --- withdrawal (撤回) --------------------------------------------------------------------------

def test_withdrawal_needs_a_reason_and_hides_the_item_outside_the_unit(uow):
    item_id = draft(uow)
    with pytest.raises(Conflict, match="must be published"):
        workflow.withdraw(uow, REVIEWER, item_id, "错误")
    publish(uow, item_id)
    for reason in (None, "  "):
        with pytest.raises(InvalidInput, match="needs a reason"):
            workflow.transition(uow, REVIEWER, item_id, "withdraw", reason)
    item = workflow.transition(uow, REVIEWER, item_id, "withdraw", "数据有误")
    uow.commit()
    assert item["status"] == "withdrawn" and item["trail"][-1]["reason"] == "数据有误"
    assert payloads(uow, "ItemWithdrawn")[0]["reason"] == "数据有误"
    with pytest.raises(NotFound):
        reading.get_item(uow.session, None, item_id)
    assert reading.get_item(uow.session, OPERATOR, item_id)["status"] == "withdrawn"
    assert reading.get_item(uow.session, INSPECTOR, item_id)["status"] == "withdrawn"


def test_a_prior_disclosure_cannot_be_withdrawn_before_its_display_period_ends(uow):
    decision = county_today() + timedelta(days=40)
    obligation_id = obligation(uow, frequency="prior", display_days=15, due_on=decision - timedelta(days=15))
    item_id = draft(uow, obligation_id=obligation_id)
    item = publish(uow, item_id)
    until = county_today() + timedelta(days=15)
    assert item["display_until"] == until.isoformat()
    with pytest.raises(Conflict, match=until.isoformat()):
        workflow.withdraw(uow, REVIEWER, item_id, "决策取消")
    uow.rollback()
    assert uow.session.get(Item, item_id).status == "published"
    uow.session.get(Item, item_id).display_until = county_today()  # the period has run
    uow.commit()
    assert workflow.withdraw(uow, REVIEWER, item_id, "决策取消")["status"] == "withdrawn"


# --- obligations (公开任务) ------------------------------------------------------------------

def test_publication_fulfils_the_obligation_on_time(uow):
    obligation_id = obligation(uow)
    item_id = draft(uow, obligation_id=obligation_id)
    item = publish(uow, item_id)
    row = uow.session.get(Obligation, obligation_id)
    uow.session.refresh(row)
    assert (row.status, row.item_id) == ("fulfilled", item_id)
    assert item["display_until"] is None
    assert payloads(uow, "ItemPublished")[0]["obligation_id"] == obligation_id


def test_publication_after_the_due_date_fulfils_it_late_and_a_correction_fulfils_nothing_again(uow):
    obligation_id = obligation(uow, due_on=county_today() - timedelta(days=3), status="overdue")
    item_id = draft(uow, obligation_id=obligation_id)
    publish(uow, item_id)
    row = uow.session.get(Obligation, obligation_id)
    uow.session.refresh(row)
    assert (row.status, row.item_id) == ("fulfilled_late", item_id)
    new = workflow.correct(uow, OPERATOR, item_id, {"title": "更正"})
    uow.commit()
    assert new["obligation_id"] == obligation_id
    publish(uow, new["id"])
    uow.session.refresh(row)
    assert (row.status, row.item_id) == ("fulfilled_late", item_id)


def test_an_item_may_name_only_an_open_obligation_of_its_own_unit(uow):
    elsewhere = obligation(uow, unit="A002")
    with pytest.raises(InvalidInput, match="A002"):
        workflow.create_item(uow, OPERATOR, {**DRAFT, "obligation_id": elsewhere})
    with pytest.raises(InvalidInput, match="does not exist"):
        workflow.create_item(uow, OPERATOR, {**DRAFT, "obligation_id": 99999})
    done = obligation(uow, status="fulfilled")
    with pytest.raises(Conflict, match="fulfilled"):
        workflow.create_item(uow, OPERATOR, {**DRAFT, "obligation_id": done})
    uow.rollback()
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Item)) == 0


def test_two_items_for_one_obligation_the_second_publication_is_refused(uow):
    obligation_id = obligation(uow)
    first, second = draft(uow, obligation_id=obligation_id), draft(uow, obligation_id=obligation_id)
    publish(uow, first)
    workflow.submit(uow, OPERATOR, second)
    workflow.review(uow, REVIEWER, second)
    uow.commit()
    with pytest.raises(Conflict, match="already fulfilled"):
        workflow.approve(uow, REVIEWER, second)
    uow.rollback()
    assert uow.session.get(Item, second).status == "reviewed"
