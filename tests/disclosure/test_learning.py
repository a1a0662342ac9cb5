"""Units learn from each other, without a broker: the county office marks published items as
范例 of a matter for a sector and ends marks with a reason; a withdrawn item's marks end, a
published correction takes them over; each reader sees only the marked items their audience
allows (a party-only example never on the public list); guidance notes per matter and sector
with their stale-form check."""
import pytest

from services.common.contract import names
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.disclosure import learning, workflow
from services.disclosure.models import Obligation
from tests.disclosure.test_disclosure_workflow import (  # noqa: F401
    INSPECTOR, draft, obligation, operator_of, payloads, publish, reviewer_of, uow)


def code_of(uow, obligation_id):
    return uow.session.get(Obligation, obligation_id).entry_code


def published(uow, unit="A001", audience="society", title="党费收缴公示", entry=None):
    """A published item of `unit` fulfilling a new obligation (of the matter `entry`, if given)."""
    ob = obligation(uow, unit=unit, audience=audience)
    if entry is not None:
        uow.session.get(Obligation, ob).entry_code = entry
        uow.commit()
    item = draft(uow, unit_code=unit, title=title, audience=audience, obligation_id=ob)
    publish(uow, item)
    return item, ob


def mark(uow, item, reason="要素齐全，图文并茂", **data):
    row = learning.mark(uow, INSPECTOR, {"item_id": item, "reason": reason, **data})
    uow.commit()
    return row


def aids(uow, unit, obligation_id):
    return learning.editor_aids(uow.session, operator_of(unit), obligation_id)


def test_a_mark_shows_beside_the_editor_of_the_same_matter_in_the_same_sector_only(uow):
    item, ob = published(uow, "A001", title="2026年第一季度党费收缴情况公示")
    entry = code_of(uow, ob)
    row = mark(uow, item)
    assert (row["entry_code"], row["sector"], row["unit_name"]) == (entry, "agency", "A001")
    assert payloads(uow, names.EXAMPLE_MARKED)[-1]["mark_id"] == row["id"]
    same_sector = obligation(uow, unit="A002")
    uow.session.get(Obligation, same_sector).entry_code = entry
    other_sector = obligation(uow, unit="V01")
    uow.session.get(Obligation, other_sector).entry_code = entry
    other_matter = obligation(uow, unit="A002")
    uow.commit()
    shown = aids(uow, "A002", same_sector)["examples"]
    assert [(e["item_id"], e["title"], e["unit_name"]) for e in shown] == [(item, "2026年第一季度党费收缴情况公示", "A001")]
    assert len(shown[0]["extract"]) <= learning.EXTRACT_CHARS + 1 and shown[0]["extract"].endswith("…")
    assert aids(uow, "V01", other_sector)["examples"] == []
    assert aids(uow, "A002", other_matter)["examples"] == []


def test_newest_marks_first_and_at_most_three(uow):
    first, ob = published(uow, "A001")
    entry = code_of(uow, ob)
    items = [first] + [published(uow, "A002", entry=entry, title=f"公示{n}")[0] for n in range(3)]
    for item in items:
        mark(uow, item)
    mine = obligation(uow, unit="A001")
    uow.session.get(Obligation, mine).entry_code = entry
    uow.commit()
    assert [e["item_id"] for e in aids(uow, "A001", mine)["examples"]] == list(reversed(items))[:3]


def test_only_the_office_marks_only_published_items_of_a_matter_once_per_sector(uow):
    item, _ = published(uow)
    with pytest.raises(Forbidden, match="领导小组办公室"):
        learning.mark(uow, reviewer_of("A001"), {"item_id": item, "reason": "好"})
    loose = draft(uow, title="不对应任务的事项")
    publish(uow, loose)
    with pytest.raises(Conflict, match="不对应公开目录"):
        learning.mark(uow, INSPECTOR, {"item_id": loose, "reason": "好"})
    with pytest.raises(Conflict, match="只有已公开的事项"):
        learning.mark(uow, INSPECTOR, {"item_id": draft(uow, obligation_id=obligation(uow)), "reason": "好"})
    with pytest.raises(InvalidInput):
        learning.mark(uow, INSPECTOR, {"item_id": item})
    mark(uow, item)
    with pytest.raises(Conflict, match="已是这一领域的范例"):
        learning.mark(uow, INSPECTOR, {"item_id": item, "reason": "再标一次"})
    assert mark(uow, item, sector="village")["sector"] == "village"  # the office may mark it for another sector


def test_unmarking_needs_a_reason_and_ends_the_mark_once(uow):
    item, _ = published(uow)
    row = mark(uow, item)
    with pytest.raises(InvalidInput):
        learning.unmark(uow, INSPECTOR, row["id"], {"reason": ""})
    ended = learning.unmark(uow, INSPECTOR, row["id"], {"reason": "已有更好的范例"})
    uow.commit()
    assert ended["end_reason"] == "已有更好的范例" and ended["ended_by"] == "office"
    assert payloads(uow, names.EXAMPLE_UNMARKED)[-1]["reason"] == "已有更好的范例"
    with pytest.raises(Conflict, match="已于"):
        learning.unmark(uow, INSPECTOR, row["id"], {"reason": "再取消"})
    assert learning.list_marks(uow.session, INSPECTOR, {}) == []
    assert [m["id"] for m in learning.list_marks(uow.session, INSPECTOR, {"ended": True})] == [row["id"]]


def test_a_withdrawn_item_loses_its_marks_and_a_correction_takes_them_over(uow):
    gone, _ = published(uow, title="将被撤回")
    kept, _ = published(uow, title="将被更正")
    gone_mark, kept_mark = mark(uow, gone), mark(uow, kept)
    workflow.transition(uow, reviewer_of("A001"), gone, "withdraw", "内容有误")
    uow.commit()
    assert payloads(uow, names.EXAMPLE_UNMARKED)[-1]["reason"] == "事项已撤回"
    corrected = workflow.correct(uow, operator_of("A001"), kept, {"title": "已更正"})["id"]
    uow.commit()
    assert [m["item_id"] for m in learning.list_marks(uow.session, INSPECTOR, {})] == [kept]  # not before publication
    publish(uow, corrected)
    marks = learning.list_marks(uow.session, INSPECTOR, {})
    assert [(m["id"], m["item_id"], m["title"]) for m in marks] == [(kept_mark["id"], corrected, "已更正")]
    assert gone_mark["id"] not in [m["id"] for m in marks]


def test_a_party_only_example_is_shown_to_its_audience_only_and_never_publicly(uow):
    society, ob = published(uow, "V01", title="村务公开范例")
    entry = code_of(uow, ob)
    party, _ = published(uow, "T01", audience="party", entry=entry, title="镇党委内部范例")
    secret, _ = published(uow, "V02", audience="party", entry=entry, title="另一个村的党内事项")
    for item in (society, party, secret):
        mark(uow, item, sector="village")
    mine = obligation(uow, unit="V01")
    uow.session.get(Obligation, mine).entry_code = entry
    uow.commit()
    # V01's chain is V01 → T01 → C000: the town's party item reaches it, V02's does not
    assert [e["item_id"] for e in aids(uow, "V01", mine)["examples"]] == [party, society]
    assert [e["item_id"] for e in learning.public_examples(uow.session)] == [society]
    assert len(learning.list_marks(uow.session, INSPECTOR, {})) == 3


def test_guidance_notes_per_matter_and_sector_with_a_stale_form_check(uow):
    ob = obligation(uow, unit="A001")
    entry = code_of(uow, ob)
    every = learning.create_note(uow, INSPECTOR, {"entry_code": entry, "title": "通用要求", "body": "写明金额和人数。"})
    agency = learning.create_note(uow, INSPECTOR, {"entry_code": entry, "sector": "agency", "title": "机关",
                                                   "body": "机关附上支出明细。"})
    learning.create_note(uow, INSPECTOR, {"entry_code": entry, "sector": "village", "title": "村", "body": "村里贴栏。"})
    uow.commit()
    assert [n["id"] for n in aids(uow, "A001", ob)["notes"]] == [agency["id"], every["id"]]
    with pytest.raises(InvalidInput, match="公开目录中没有代码为 NOPE"):
        learning.create_note(uow, INSPECTOR, {"entry_code": "NOPE", "title": "t", "body": "b"})
    with pytest.raises(Forbidden):
        learning.create_note(uow, operator_of("A001"), {"entry_code": entry, "title": "t", "body": "b"})
    revised = learning.revise_note(uow, INSPECTOR, every["id"], {"title": "通用要求", "body": "新的", "revision": 1})
    uow.commit()
    assert revised["revision"] == 2
    with pytest.raises(Conflict, match="已由 office 于 .* 修改（第 2 版），请刷新后再办理"):
        learning.revise_note(uow, INSPECTOR, every["id"], {"title": "旧表单", "body": "旧的", "revision": 1})
    with pytest.raises(Conflict, match="请刷新后再办理"):
        learning.retire_note(uow, INSPECTOR, every["id"], {"reason": "过时", "revision": 1})
    retired = learning.retire_note(uow, INSPECTOR, every["id"], {"reason": "已并入机关的指导", "revision": 2})
    uow.commit()
    assert retired["retired_by"] == "office"
    assert [n["id"] for n in aids(uow, "A001", ob)["notes"]] == [agency["id"]]
    assert len(learning.list_notes(uow.session, INSPECTOR, {"retired": True})) == 3
