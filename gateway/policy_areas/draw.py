"""Policy rows for the 双随机 draw: its public record (page and JSON) on the portal."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", "/draws/<id:inspection_id>"): public,
        ("GET", "/draws/<id:inspection_id>.json"): public,
    }
