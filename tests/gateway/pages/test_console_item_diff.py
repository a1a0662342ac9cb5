"""A correction against the published version, as the reviewer reads it (gateway/pages/console/item_diff.py)."""
from gateway.pages.console.item_diff import item_diff, lines
from gateway.labels import AUDIENCE_NAMES
from gateway.pages.console.item_pages import moved_on, size_text


def test_lines_removed_added_and_changed_within_a_line():
    rows = lines("一\n二\n三", "一\n二改\n三\n四")
    assert rows == [{"kind": "same", "text": "一"},
                    {"kind": "changed", "parts": [("same", "二"), ("ins", "改")]},
                    {"kind": "same", "text": "三"}, {"kind": "ins", "text": "四"}]
    assert lines("甲\n乙", "丙丁戊") == [{"kind": "del", "text": "甲"}, {"kind": "del", "text": "乙"},
                                        {"kind": "ins", "text": "丙丁戊"}]
    assert lines("党费 12,345.00 元，全部上缴。", "党费 12,354.00 元，全部上缴。\n其中补缴 2 人。") == [
        {"kind": "changed", "parts": [("same", "党费 "), ("del", "12,345.00"), ("ins", "12,354.00"),
                                      ("same", " 元，全部上缴。")]},
        {"kind": "ins", "text": "其中补缴 2 人。"}]


def test_long_unchanged_runs_fold_around_the_change():
    old = "\n".join(f"第{i}行" for i in range(20))
    rows = lines(old, old.replace("第10行", "第10行（改）"))
    assert [r["kind"] for r in rows] == ["fold", "same", "same", "changed", "same", "same", "fold"]
    assert rows[0]["count"] == 8 and rows[-1]["count"] == 7


def test_an_item_diff_names_only_what_changed():
    published = {"id": 3, "version": 1, "title": "标题", "body": "正文", "audience": "society", "carriers": ["公开栏"],
                 "attachments": [{"filename": "a.png"}]}
    same = item_diff(published, dict(published, id=4, version=2), AUDIENCE_NAMES)
    assert same["changed"] is False and same["title"] is None and same["body"] is None
    changed = item_diff(published, dict(published, audience="party", carriers=["公开栏", "网站"]), AUDIENCE_NAMES)
    assert changed["facts"] == [("公开范围", "向社会公开", "党内公开"), ("公开载体", "公开栏", "公开栏、网站")]
    assert changed["version"] == 1 and changed["published_id"] == 3


def test_a_stale_form_and_the_limits_in_words():
    item = {"trail": [{"to_status": "submitted", "actor": "op", "at": "2026-12-01T06:00:00+00:00"},
                      {"to_status": "reviewed", "actor": "rv", "at": "2026-12-01T06:01:00+00:00"},
                      {"to_status": "approved", "actor": "rv", "at": "2026-12-01T06:05:00+00:00"},
                      {"to_status": "published", "actor": "rv", "at": "2026-12-01T06:05:00+00:00"}]}
    assert moved_on(item, 2) == "该事项已由 rv 于 2026年12月1日 14:05 审批通过，请刷新后再操作。"
    assert moved_on(item, 4) is None and moved_on(item, None) is None
    assert (size_text(10 * 1024 * 1024), size_text(2_621_440), size_text(200_000)) == ("10 MB", "2.5 MB", "195 KB")
