"""Policy rows for feedback senders: hearing back, their contact and its erasure."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        # the sender erases their contact with the tracking code and PIN: a confirmation page, then the erasure
        ("GET", "/track/<tracking:tracking_code>/erase"): public,
        ("POST", "/track/<tracking:tracking_code>/erase"): public,
    }
