"""The search's rules without a database: segmentation, the tokens indexed, the query built
and quoted for FTS5 and PostgreSQL, and the marked snippet."""
from services.disclosure import search_text


def test_words_are_cut_in_search_mode_and_punctuation_is_dropped():
    assert search_text.segment("2026年党费收缴情况，低保户名单！") == [
        "2026", "年", "党费", "收缴", "情况", "低保", "保户", "低保户", "名单"]
    assert search_text.segment("") == []


def test_the_index_holds_the_words_then_every_chinese_character():
    assert search_text.index_tokens("党费收缴", None, "按月") == "党费 收缴 按 月 党 费 收 缴 按 月"


def test_a_query_is_distinct_words_at_most_eight():
    assert search_text.query_terms("党费 党费 低保") == ["党费", "低保"]
    assert len(search_text.query_terms(" ".join(f"词{n}" for n in range(30)))) == search_text.MOST_TERMS


def test_each_word_matches_as_itself_or_as_the_phrase_of_its_characters():
    assert search_text.fts5_match(["党费", "2026"]) == '("党费" OR "党 费") AND "2026"'
    assert search_text.tsquery(["党费", "2026"]) == "('党费' | ('党' <-> '费')) & '2026'"
    assert search_text.fts5_match(["党"]) == '"党"'


def test_a_common_word_is_matched_as_the_word_alone():
    common = frozenset({"党费"})
    assert search_text.fts5_match(["党费", "低保"], common) == '"党费" AND ("低保" OR "低 保")'
    assert search_text.tsquery(["党费", "低保"], common) == "'党费' & ('低保' | ('低' <-> '保'))"


def test_sql_and_fts_syntax_is_only_words_each_quoted():
    for hostile in ('" OR 1=1 --', "党费' AND 1=1; DROP TABLE items; --", 'NEAR(党费 低保) * ^ "', "(-:*&|!<->)"):
        terms = search_text.query_terms(hostile)
        assert all(t.isalnum() for t in terms), terms
    assert search_text.query_terms("*** ''' ---") == []


def test_the_snippet_marks_the_words_around_the_first_match_and_keeps_markup_as_text():
    body = "甲" * 100 + "本季度党费收缴<b>齐全</b>" + "乙" * 100
    parts = search_text.snippet(["党费"], body)
    assert parts[0] == {"text": "…", "mark": False} and parts[-1] == {"text": "…", "mark": False}
    assert [p["text"] for p in parts if p["mark"]] == ["党费"]
    assert "<b>齐全</b>" in "".join(p["text"] for p in parts)  # text, escaped by the page
    assert search_text.snippet(["低保"], "正文没有", "附件里的低保名单")[1] == {"text": "低保", "mark": True}
    assert search_text.snippet(["无"], "短正文") == [{"text": "短正文", "mark": False}]
