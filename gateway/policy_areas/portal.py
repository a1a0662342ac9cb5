"""Policy rows for the public portal: towns, units, search, the public record."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", "/towns/<code:code>"): public,
        ("GET", "/agencies/<code:code>"): public,
        ("GET", "/units"): public,
        ("GET", "/display/<any(elder,standard):layout>"): public,
        ("GET", "/favicon.ico"): public,
        ("GET", "/robots.txt"): public,
        ("GET", "/items/<id:item_id>/notice"): frozenset({"operator", "reviewer", "inspector", "admin"}),
        ("GET", "/console/scans"): frozenset({"inspector", "admin"}),
    }
