"""The item workflow 提出 → 审核 → 审批 → 实施, without a broker."""
import sqlalchemy as sa
import pytest

from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.records import OutboxRecord
from services.disclosure import units_copy, workflow

OPERATOR = {"username": "op-a001", "role": "operator", "unit": "A001"}
REVIEWER = {"username": "rv-a001", "role": "reviewer", "unit": "A001"}
DRAFT = {"unit_code": "A001", "title": "2026年第四季度党费收缴情况", "body": "本季度……" * 50,
         "audience": "society", "carriers": ["公开栏", "网站"]}


@pytest.fixture
def uow(uow_factory):
    uow = uow_factory("disclosure")
    for code in ("A001", "A002"):
        units_copy.apply_unit_state(uow.session, {"code": code, "revision": 1, "name": code, "sector": "agency",
                                                  "parent_code": "C000", "status": "active", "merged_into": None})
    uow.commit()
    return uow


def draft(uow, **changes):
    item = workflow.create_item(uow, OPERATOR, {**DRAFT, **changes})
    uow.commit()
    return item["id"]


def emitted(uow):
    return list(uow.session.scalars(sa.select(OutboxRecord.type).order_by(OutboxRecord.id)))


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
    assert emitted(uow) == ["ItemSubmitted", "ItemApproved", "ItemPublished"]
    public = workflow.list_published(uow.session)["items"]
    assert [i["id"] for i in public] == [item_id] and "author" not in public[0]


def test_the_author_never_reviews_or_approves_their_own_item(uow):
    item_id = draft(uow)
    workflow.submit(uow, OPERATOR, item_id)
    uow.commit()
    author_as_reviewer = {**REVIEWER, "username": OPERATOR["username"]}
    with pytest.raises(Forbidden, match="someone else"):
        workflow.review(uow, author_as_reviewer, item_id)


def test_wrong_state_wrong_role_and_wrong_unit_are_refused_without_change(uow):
    item_id = draft(uow)
    with pytest.raises(Conflict, match="is draft"):
        workflow.approve(uow, REVIEWER, item_id)
    with pytest.raises(Forbidden, match="only a reviewer"):
        workflow.review(uow, OPERATOR, item_id)
    with pytest.raises(Forbidden, match="not A002"):
        workflow.create_item(uow, OPERATOR, {**DRAFT, "unit_code": "A002"})
    uow.rollback()
    assert workflow.get_item(uow.session, OPERATOR, item_id)["status"] == "draft"
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


def test_the_public_sees_only_published_society_items(uow):
    drafted = draft(uow)
    party_only = draft(uow, audience="party")
    for item_id in (party_only,):
        workflow.submit(uow, OPERATOR, item_id)
        workflow.review(uow, REVIEWER, item_id)
        workflow.approve(uow, REVIEWER, item_id)
    uow.commit()
    for item_id in (drafted, party_only):
        with pytest.raises(NotFound):
            workflow.get_item(uow.session, None, item_id)
    assert workflow.list_published(uow.session)["items"] == []
    assert workflow.get_item(uow.session, {"username": "x", "role": "inspector", "unit": None}, drafted)


def test_an_item_for_an_unknown_unit_or_with_bad_fields_is_refused(uow):
    with pytest.raises(InvalidInput, match="not an active unit"):
        workflow.create_item(uow, {**OPERATOR, "unit": "Z999"}, {**DRAFT, "unit_code": "Z999"})
    with pytest.raises(InvalidInput, match="carriers"):
        workflow.create_item(uow, OPERATOR, {**DRAFT, "carriers": ["飞鸽传书"]})
