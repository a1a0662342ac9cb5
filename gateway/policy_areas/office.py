"""Policy rows for the county office's supervision and a unit's own standing."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {}
