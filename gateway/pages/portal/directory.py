"""The county's directory as the portal shows it, worked out from the read model's one copy of
the active units (gateway/readmodel.py public_directory), with no RPC of its own:

- the home's sections: the county committee, every town (镇街) and every county-level unit
  (机关 and the rest directly under the county), in full, each with how many units sit below it;
- a group's page (a town, or an agency with units under it, such as the education bureau's
  schools): the units of its subtree in the registry's order (by code), PAGE_SIZE a page,
  every page linked from every other, so any unit is at most three taps from home
  (home → town → page n → unit);
- a search by part of a unit's name: the words may be abbreviated (双凤 finds
  中共集美街道双凤社区总支部委员会) and the Party's generic words (中共, 委员会, 支部…) are ignored.

A unit whose parent is not active (merged away, dissolved) is listed with the county-level
units, so nothing active is ever out of reach."""
from __future__ import annotations

import re
from typing import Any

PAGE_SIZE = 100
SEARCH_PAGE_SIZE = 50
LONGEST_QUERY = 30  # characters; longer is refused with a message, not searched
GENERIC_WORDS = ("中国共产党", "中共", "总支部委员会", "支部委员会", "委员会", "总支部", "党总支", "党支部",
                 "支部", "党委", "党组")
SEPARATORS = re.compile(r"[\s,，、·.。]+")


class Directory:
    """The active units, indexed once per copy of the read model's list."""

    def __init__(self, units: list[dict[str, Any]]):
        self.units = sorted(units, key=lambda u: u["code"])
        self.by_code = {u["code"]: u for u in self.units}
        self.children: dict[str | None, list[dict[str, Any]]] = {}
        for unit in self.units:
            parent = unit.get("parent_code")
            self.children.setdefault(parent if parent in self.by_code else None, []).append(unit)
        self._sizes: dict[str, int] = {}

    def below(self, code: str) -> list[dict[str, Any]]:
        """Every active unit under `code` (not itself), in code order."""
        found, stack = [], list(self.children.get(code, []))
        while stack:
            unit = stack.pop()
            found.append(unit)
            stack.extend(self.children.get(unit["code"], []))
        return sorted(found, key=lambda u: u["code"])

    def size(self, code: str) -> int:
        if code not in self._sizes:
            self._sizes[code] = len(self.below(code))
        return self._sizes[code]

    def sections(self) -> dict[str, Any]:
        """{county: the roots, towns: [(town, n)], agencies: [(unit, n)]}: the county's top level.
        Towns are the town-sector units anywhere; agencies the other units directly under a root
        (the county committee) or whose parent is not active."""
        roots = [u for u in self.children.get(None, []) if u.get("parent_code") is None]
        root_codes = {u["code"] for u in roots}
        towns = [u for u in self.units if u["sector"] == "town"]
        top = [u for u in self.units if u["sector"] != "town" and u["code"] not in root_codes
               and (u.get("parent_code") in root_codes or u.get("parent_code") not in self.by_code)]
        return {"county": roots, "towns": [(t, self.size(t["code"])) for t in towns],
                "agencies": [(a, self.size(a["code"])) for a in top]}

    def group(self, code: str) -> dict[str, Any] | None:
        """A town or a unit with units under it, or None when there is no such active unit."""
        return self.by_code.get(code)

    def find(self, query: str) -> list[dict[str, Any]]:
        """Units whose name holds every word of the query (or whose code is it), whole phrase
        first, then the registry's order. A word is matched loosely: its characters in order,
        others between (双凤村 finds 双凤村, and 凤社区 finds 双凤社区)."""
        words = search_words(query)
        if not words:
            return []
        code = query.strip().upper()
        exact, loose = [], []
        for unit in self.units:
            name = unit["name"]
            if unit["code"] == code or all(w in name for w in words):
                exact.append(unit)
            elif all(in_order(w, name) for w in words):
                loose.append(unit)
        return exact + loose


def search_words(query: str) -> list[str]:
    """The query's words without the Party's generic words (the search would find everything)."""
    text = query.strip()
    for generic in GENERIC_WORDS:
        text = text.replace(generic, " ")
    return [w for w in SEPARATORS.split(text) if w]


def in_order(word: str, name: str) -> bool:
    """Every character of `word` appears in `name`, in that order."""
    rest = iter(name)
    return all(char in rest for char in word)


def paged(rows: list[Any], number: int, size: int) -> dict[str, Any] | None:
    """Page `number` (from 1) of `rows`: {rows, number, pages, total, first}; None past the end
    (page 1 of nothing is an empty page, not past the end)."""
    pages = max(1, -(-len(rows) // size))
    if number < 1 or number > pages:
        return None
    start = (number - 1) * size
    return {"rows": rows[start:start + size], "number": number, "pages": pages, "total": len(rows),
            "first": start + 1}
