"""Chinese full-text search, the rules without a database: how a text becomes index tokens, how
a reader's query becomes a match expression for SQLite FTS5 or PostgreSQL, and the snippet with
the matched words marked.

Index tokens are jieba's search-mode words (党费收缴 → 党费 收缴 …) followed by every Chinese
character of the text in order. The words rank; the characters are the fallback: each query
word matches either as a word or as the phrase of its characters, so a short query (党费, 低保)
finds its items however jieba cut the document's sentence. Tokens are letters and digits only
(never quotes, operators or brackets), and each is quoted in the expression, so nothing a
reader types is taken as FTS or SQL syntax."""
from __future__ import annotations

import logging
import re
import warnings
from typing import Any

from services.common.shapes.disclosure import SEARCH_LONGEST_QUERY as LONGEST_QUERY

with warnings.catch_warnings():  # jieba 0.42.1 imports pkg_resources for its dictionary
    warnings.simplefilter("ignore", UserWarning)
    import jieba

jieba.setLogLevel(logging.WARNING)
# the dictionary loaded now, while the service starts, not in the first publication's worker,
# where it held up the process (a second of CPU, far more on a loaded machine)
jieba.initialize()

WORD = re.compile(r"[^\W_]+")  # letters and digits of any script; never punctuation or _
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MOST_TERMS = 8  # query words kept (a bound on the work one query asks of the database)
MAX_INDEX_CHARS = 200_000  # of one item's title, body and attachments' text together
SNIPPET_CHARS = 80
SNIPPET_BEFORE = 20


def segment(text: str) -> list[str]:
    """jieba's search-mode words of the text, lowercased, with punctuation and spaces dropped."""
    return [part for token in jieba.cut_for_search(text or "") for part in WORD.findall(token.lower())]


def index_tokens(*texts: str | None) -> str:
    """The text the index holds for an item: its words, then its Chinese characters, space-separated."""
    text = "\n".join(t for t in texts if t)[:MAX_INDEX_CHARS]
    return " ".join(segment(text) + CJK.findall(text))


def query_terms(q: str) -> list[str]:
    """The distinct words of a query (at most MOST_TERMS), in order."""
    terms: list[str] = []
    for term in segment(q[:LONGEST_QUERY]):
        if term not in terms:
            terms.append(term)
    return terms[:MOST_TERMS]


def fallback(term: str) -> list[str]:
    """The characters of a Chinese word of two or more, matched as a phrase; else nothing."""
    chars = CJK.findall(term)
    return chars if len(chars) > 1 and len(chars) == len(term) else []


def fts5_match(terms: list[str], words_only: frozenset[str] = frozenset()) -> str:
    """An FTS5 MATCH expression: every term, each as the word or as the phrase of its characters
    (as the word alone for the terms in words_only: common enough that the phrase adds little)."""
    parts = []
    for term in terms:
        chars = [] if term in words_only else fallback(term)
        parts.append(f'("{term}" OR "{" ".join(chars)}")' if chars else f'"{term}"')
    return " AND ".join(parts)


def tsquery(terms: list[str], words_only: frozenset[str] = frozenset()) -> str:
    """The same as a PostgreSQL tsquery text (for to_tsquery('simple', …)): phrases with <->."""
    parts = []
    for term in terms:
        chars = [] if term in words_only else fallback(term)
        phrase = " <-> ".join(f"'{c}'" for c in chars)
        parts.append(f"('{term}' | ({phrase}))" if chars else f"'{term}'")
    return " & ".join(parts)


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)


def marked(text: str, terms: list[str]) -> list[dict[str, Any]]:
    """The text as parts [{"text", "mark"}], the matched words marked: the page escapes each
    part and wraps the marked ones in <mark>, so no markup crosses from data to page."""
    pattern, parts, at = _pattern(terms), [], 0
    for match in pattern.finditer(text) if pattern else ():
        if match.start() > at:
            parts.append({"text": text[at:match.start()], "mark": False})
        parts.append({"text": match.group(0), "mark": True})
        at = match.end()
    if at < len(text):
        parts.append({"text": text[at:], "mark": False})
    return parts


def snippet(terms: list[str], *texts: str | None) -> list[dict[str, Any]]:
    """About SNIPPET_CHARS characters around the first match in the first text that has one
    (the body, then the attachments' text), marked; the body's start when none has."""
    pattern = _pattern(terms)
    chosen, start = next((t for t in texts if t), ""), 0
    for text in texts:
        found = pattern.search(text) if pattern and text else None
        if found:
            chosen, start = text, max(0, found.start() - SNIPPET_BEFORE)
            break
    piece = " ".join(chosen[start:start + SNIPPET_CHARS].split())
    parts = marked(piece, terms)
    if start > 0:
        parts.insert(0, {"text": "…", "mark": False})
    if start + SNIPPET_CHARS < len(chosen):
        parts.append({"text": "…", "mark": False})
    return parts
