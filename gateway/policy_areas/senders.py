"""Policy rows for feedback senders: hearing back, their contact and its erasure."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {}
