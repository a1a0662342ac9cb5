"""Policy rows for sign-in, second factors, the three administrators, passwords and sessions."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        # the second step of signing in: the sign-in challenge in the form is the proof
        ("POST", "/login/otp"): public,
        ("POST", "/login/enrol"): public,
    }
