"""Policy rows for the audit administrator's trail, its archives and their verification."""
from __future__ import annotations

# the audit administrator reads, exports and verifies the trail, and nobody else (三权分立)
AUDIT_READERS = frozenset({"auditor"})


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", "/api/v1/audit/archives"): AUDIT_READERS,
        ("GET", "/api/v1/audit/export"): AUDIT_READERS,
        ("GET", "/console/audit"): AUDIT_READERS,
        ("GET", "/console/audit/export.csv"): AUDIT_READERS,
    }
