"""Policy rows for sign-in, second factors, the three administrators, passwords and sessions."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {}
