"""Policy rows for the full-text search: the portal's page and the JSON API, open to anyone
(what each reader finds is decided by the audience rule in the disclosure service)."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", "/search"): public,
        ("GET", "/api/v1/search"): public,
    }
