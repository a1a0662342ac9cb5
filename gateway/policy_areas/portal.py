"""Policy rows for the public portal: towns, units, search, the public record."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {}
