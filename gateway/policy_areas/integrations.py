"""Policy rows for other systems: API keys, idempotent writes, the contract."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {}
