"""Policy rows for the audit administrator's trail, its archives and their verification."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {}
