"""Policy rows for 公开榜, the public record: the county's and each town's, and its downloads (CSV, .xlsx)."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", "/record"): public,
        ("GET", "/towns/<code:code>/record"): public,
        ("GET", "/record.<any(csv,xlsx):form>"): public,
    }
