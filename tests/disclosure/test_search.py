"""The search index on SQLite and PostgreSQL: published items found by title, body and the text
of their attachments, ranked and paged; withdrawn and replaced versions leave the index; a
Party-scope item is found by members of its chain only; hostile queries find nothing and fail
nothing."""
import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.errors import InvalidInput
from services.common.shapes.disclosure import SEARCH_MAX_PAGE
from services.disclosure import attachments, search, workflow
from services.disclosure.models import Blob, SearchDocument
from tests.disclosure.documents import chinese_docx, chinese_pdf
from tests.disclosure.test_disclosure_attachments import b64
from tests.disclosure.test_disclosure_workflow import draft, operator_of, publish, reviewer_of, uow  # noqa: F401

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def found(uow, q, actor=None, **filters):
    return [row["id"] for row in search.search(uow.session, actor, {"q": q, **filters})["items"]]


def test_short_words_are_found_in_titles_and_bodies_ranked_and_marked(uow):
    title = draft(uow, title="2026年第三季度党费收缴情况", body="本季度党费已收齐，党费明细见附件。")
    body = draft(uow, unit_code="V01", title="村务公开", body="本村低保户评议结果：三户。党费另行公布。")
    for item in (title, body):
        publish(uow, item)
    assert found(uow, "党费") == [title, body]  # three times ranks before once
    assert found(uow, "低保") == [body]
    assert found(uow, "评议") == [body]
    assert set(found(uow, "党")) == {title, body}  # one character: the characters' fallback
    assert found(uow, "费收") == [title]  # across jieba's words: the phrase of characters
    row = search.search(uow.session, None, {"q": "低保"})["items"][0]
    assert {"text": "低保", "mark": True} in row["snippet"] and row["unit_code"] == "V01" and not row["party"]
    assert found(uow, "党费", town="T01") == [body] and found(uow, "党费", unit="A001") == [title]
    assert found(uow, "党费", year=2020) == [] and found(uow, "党费", sort="newest") == [body, title]


def test_an_unknown_town_or_unit_is_refused_in_chinese_not_answered_with_nothing(uow):
    publish(uow, draft(uow, unit_code="V01", title="党费公示"))
    assert len(found(uow, "党费", town="T01")) == 1 and len(found(uow, "党费", unit="V01")) == 1
    with pytest.raises(InvalidInput, match="没有代码为 T99 的镇（街道）"):
        found(uow, "党费", town="T99")
    with pytest.raises(InvalidInput, match="没有代码为 V01 的镇（街道）"):
        found(uow, "党费", town="V01")  # a unit, but no town
    with pytest.raises(InvalidInput, match="没有代码为 V99 的党组织"):
        found(uow, "党费", unit="V99")


def test_drafts_are_not_found_and_withdrawn_or_corrected_versions_leave_the_index(uow):
    kept, withdrawn, unpublished = (draft(uow, title=f"党费公示{n}") for n in range(3))
    publish(uow, kept)
    publish(uow, withdrawn)
    workflow.withdraw(uow, reviewer_of("A001"), withdrawn, "有误")
    uow.commit()
    assert found(uow, "党费") == [kept]
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument)) == 1
    corrected = workflow.correct(uow, operator_of("A001"), kept, {"title": "低保公示（更正）"})["id"]
    uow.commit()
    publish(uow, corrected)
    assert found(uow, "党费") == [] and found(uow, "低保") == [corrected]
    county = Actor("office", "inspector", None)
    assert found(uow, "党费", county) == [] and unpublished not in found(uow, "公示", county)


def test_a_party_item_is_found_only_by_members_of_its_chain(uow):
    party = draft(uow, unit_code="V01", title="发展党员公示", audience="party")
    publish(uow, party)
    assert found(uow, "党员") == []  # the public
    assert found(uow, "党员", Actor("m-v01", "member", "V01")) == [party]
    assert found(uow, "党员", Actor("m-v02", "member", "V02")) == []  # another village's member
    assert search.search(uow.session, Actor("m-v01", "member", "V01"), {"q": "党员"})["items"][0]["party"]


def test_the_text_of_pdf_and_docx_attachments_is_extracted_once_and_found(uow):
    item = draft(uow, title="附件公示")
    operator = operator_of("A001")
    attachments.add(uow, operator, item, "收支.pdf", "application/pdf", b64(chinese_pdf("村集体经济收支明细")), {})
    attachments.add(uow, operator, item, "名单.docx", DOCX_TYPE, b64(chinese_docx("低保评议结果名单")), {})
    attachments.add(uow, operator, item, "坏的.pdf", "application/pdf", b64(b"%PDF-1.4 broken"), {})
    uow.commit()
    texts = sorted(t for t in uow.session.scalars(sa.select(Blob.text)) if t)
    assert texts == ["低保评议结果名单", "村集体经济收支明细"]  # the broken file is kept, without text
    publish(uow, item)
    assert found(uow, "收支") == [item] and found(uow, "评议") == [item]
    row = search.search(uow.session, None, {"q": "收支"})["items"][0]
    assert [p["text"] for p in row["snippet"] if p["mark"]] == ["收支"]


def test_pages_of_twenty_with_the_next_page_named(uow):
    items = [draft(uow, title=f"党费公示第{n}期") for n in range(21)]
    for item in items:
        publish(uow, item)
    first = search.search(uow.session, None, {"q": "党费"})
    second = search.search(uow.session, None, {"q": "党费", "page": 2})
    assert len(first["items"]) == 20 and first["next_page"] == 2
    assert len(second["items"]) == 1 and second["next_page"] is None
    assert {r["id"] for r in first["items"] + second["items"]} == set(items)


@pytest.mark.parametrize("q", ['" OR 1=1 --', "党费' ; DROP TABLE items; --", 'NEAR(党费) * ^ "', "(-:*&|!<->)",
                               "党费 OR", "AND", "%_", "\\'\\\""])
def test_sql_or_fts_syntax_is_searched_as_words_and_never_fails(uow, q):
    publish(uow, draft(uow, title="党费公示"))
    answer = search.search(uow.session, None, {"q": q})
    assert answer["items"] == [] or [r["title"] for r in answer["items"]] == ["党费公示"]


def test_a_query_too_long_or_a_page_too_far_is_refused(uow):
    with pytest.raises(InvalidInput, match="搜索词最多"):
        search.search(uow.session, None, {"q": "党" * 1000})
    with pytest.raises(InvalidInput):
        search.search(uow.session, None, {"q": "党费", "page": SEARCH_MAX_PAGE + 1})
    assert search.search(uow.session, None, {"q": "   "})["items"] == []


def test_items_published_before_the_index_existed_are_caught_up(uow):
    item = draft(uow, title="党费公示")
    publish(uow, item)
    search.remove(uow.session, item)
    uow.commit()
    assert found(uow, "党费") == []
    assert search.index_missing(uow) == 1 and search.index_missing(uow) == 0
    assert found(uow, "党费") == [item]


def test_relevance_ranks_within_windows_of_the_newest_matches_and_no_item_shows_twice(uow, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", search.PAGE_SIZE)  # a window is one page here
    best = draft(uow, title="党费党费党费", body="党费收缴，党费明细。")  # the oldest id: the second window
    rest = [draft(uow, title=f"党费公示第{n}期") for n in range(22)]
    for item in (best, *rest):
        publish(uow, item)
    first = search.search(uow.session, None, {"q": "党费"})
    second = search.search(uow.session, None, {"q": "党费", "page": 2})
    assert [r["id"] for r in first["items"]] and first["next_page"] == 2  # the probe past the window
    assert {r["id"] for r in first["items"]} == set(rest[-20:])
    assert [r["id"] for r in second["items"]][0] == best and second["next_page"] is None
    assert {r["id"] for r in second["items"]} == {best, *rest[:2]}
    newest = [search.search(uow.session, None, {"q": "党费", "sort": "newest", "page": p}) for p in (1, 2)]
    assert [r["id"] for a in newest for r in a["items"]] == [*reversed(rest), best]  # published in that order
    assert newest[0]["next_page"] == 2 and newest[1]["next_page"] is None


def test_the_public_filter_is_inside_the_index_query_so_party_items_take_no_window_places(uow, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", search.PAGE_SIZE)
    public = [draft(uow, title=f"党员大会公示{n}") for n in range(2)]
    party = [draft(uow, unit_code="V01", title=f"发展党员公示{n}", audience="party") for n in range(20)]
    for item in (*public, *party):
        publish(uow, item)
    answer = search.search(uow.session, None, {"q": "党员"})
    assert {r["id"] for r in answer["items"]} == set(public) and answer["next_page"] is None
    member = search.search(uow.session, Actor("m-v01", "member", "V01"), {"q": "党员"})
    assert {r["id"] for r in member["items"]} == set(party) and member["next_page"] == 2
