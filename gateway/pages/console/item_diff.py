"""A correction against the version it corrects, as the reviewer reads it: the title and the
body line by line (difflib), a changed line paired with the line it replaces shown as one line
with its removed and added characters marked, long runs of unchanged lines folded, and the
audience and carriers when they changed. Pure: the pages give it two item views.

A row is {"kind": "same" | "del" | "ins" | "changed" | "fold", ...}: "same", "del" and "ins"
carry `text`; "changed" carries `parts`, a list of (kind, text) with kind "same", "del" or
"ins"; "fold" carries `count`, the unchanged lines not shown. The template marks "del" and "ins"
with <del>/<ins>, a visible 删除/新增 label and the same words for screen readers, so nothing
relies on colour."""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

CONTEXT = 2  # unchanged lines shown on each side of a change
PAIR_RATIO = 0.4  # a replaced line this similar to its replacement is shown as one line with marks
LONGEST_INLINE = 2000  # longer lines are not compared character by character
TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,:%/_-]*[0-9A-Za-z%]|[0-9A-Za-z]|\s+|.", re.DOTALL)
MOST_PAIRS = 2500  # a replaced block with more line pairs than this is shown removed, then added


def _tokens(text: str) -> list[str]:
    """A line as the units a change is marked in: a number or a Latin word whole (12,345.00 is
    changed as one), every other character alone (Chinese is read character by character)."""
    return TOKEN.findall(text)


def _parts(old: str, new: str) -> list[tuple[str, str]]:
    """One line's change as runs of unchanged, removed and added text."""
    a, b = _tokens(old), _tokens(new)
    parts: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", "".join(a[a1:a2])))
            continue
        if a2 > a1:
            parts.append(("del", "".join(a[a1:a2])))
        if b2 > b1:
            parts.append(("ins", "".join(b[b1:b2])))
    return parts


def _ratio(old: str, new: str) -> float:
    if len(old) > LONGEST_INLINE or len(new) > LONGEST_INLINE:
        return 0.0
    return SequenceMatcher(None, old, new, autojunk=False).ratio()


def _replaced(old: list[str], new: list[str]) -> list[dict[str, Any]]:
    """A block of lines replaced by another: each old line paired, in order, with the most alike
    new line still free (shown as one line with its changes marked), the new lines passed over
    added, the old lines like none removed."""
    if len(old) * len(new) > MOST_PAIRS:
        return [{"kind": "del", "text": a} for a in old] + [{"kind": "ins", "text": b} for b in new]
    rows: list[dict[str, Any]] = []
    free = 0
    for line in old:
        ratios = [(_ratio(line, new[k]), -k) for k in range(free, len(new))]
        best = max(ratios, default=(0.0, 0))
        if best[0] < PAIR_RATIO:
            rows.append({"kind": "del", "text": line})
            continue
        match = -best[1]
        rows += [{"kind": "ins", "text": b} for b in new[free:match]]
        rows.append({"kind": "changed", "parts": _parts(line, new[match])})
        free = match + 1
    return rows + [{"kind": "ins", "text": b} for b in new[free:]]


def _fold(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unchanged runs longer than the context around changes become one "fold" row."""
    changed = [i for i, row in enumerate(rows) if row["kind"] != "same"]
    keep = {j for i in changed for j in range(i - CONTEXT, i + CONTEXT + 1)}
    folded: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        if row["kind"] != "same" or i in keep:
            folded.append(row)
        elif folded and folded[-1]["kind"] == "fold":
            folded[-1]["count"] += 1
        else:
            folded.append({"kind": "fold", "count": 1})
    return folded


def lines(old: str, new: str) -> list[dict[str, Any]]:
    """The rows of a text's change, line by line."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows: list[dict[str, Any]] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [{"kind": "same", "text": line} for line in a[a1:a2]]
        elif op == "delete":
            rows += [{"kind": "del", "text": line} for line in a[a1:a2]]
        elif op == "insert":
            rows += [{"kind": "ins", "text": line} for line in b[b1:b2]]
        else:
            rows += _replaced(a[a1:a2], b[b1:b2])
    return _fold(rows)


def item_diff(published: dict[str, Any], correction: dict[str, Any], audiences: dict[str, str]) -> dict[str, Any]:
    """What the correction changes in the published version: {version, title, body, facts,
    changed} (`title` and `body` rows as `lines` gives them, None when unchanged; `facts`, the
    other fields that changed, as (label, before, after))."""
    title = None
    if published.get("title") != correction.get("title"):
        title = lines(published.get("title") or "", correction.get("title") or "")
    body = None
    if published.get("body") != correction.get("body"):
        body = lines(published.get("body") or "", correction.get("body") or "")
    facts = []
    if published.get("audience") != correction.get("audience"):
        facts.append(("公开范围", audiences.get(published.get("audience"), published.get("audience")),
                      audiences.get(correction.get("audience"), correction.get("audience"))))
    if list(published.get("carriers") or []) != list(correction.get("carriers") or []):
        facts.append(("公开载体", "、".join(published.get("carriers") or []) or "（无）",
                      "、".join(correction.get("carriers") or []) or "（无）"))
    before = sorted(a.get("filename", "") for a in published.get("attachments") or [])
    after = sorted(a.get("filename", "") for a in correction.get("attachments") or [])
    if before != after:
        facts.append(("附件", "、".join(before) or "（无）", "、".join(after) or "（无）"))
    return {"version": published.get("version"), "published_id": published.get("id"), "title": title,
            "body": body, "facts": facts, "changed": bool(title or body or facts)}
