"""Officials' contacts kept no longer than needed (个人信息保护法 第十九条、第四十七条): a past
term's phone and email are erased UNITS.OFFICIAL_CONTACT_RETENTION_DAYS (default 365) after the
term ended; the name, role and dates stay, as the record of who was responsible when. The
officials in office keep theirs. Units' hourly timer runs it; each erasure is counted
(gongkai_official_contacts_erased_total) and appended to the audit trail as the system's act,
naming the unit, the role and the term."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from prometheus_client import Counter
from sqlalchemy.orm import Session

from services.common.records import utcnow

from . import audit
from .models import OfficialTerm

RETENTION_DAYS = 365
ERASED = Counter("gongkai_official_contacts_erased_total",
                 "Past officials' terms whose phone and email were erased after the retention period.")


def retention_days(config: dict[str, Any]) -> int:
    days = int((config.get("UNITS") or {}).get("OFFICIAL_CONTACT_RETENTION_DAYS") or RETENTION_DAYS)
    if days < 1:
        raise ValueError("OFFICIAL_CONTACT_RETENTION_DAYS 至少为 1 / must be at least 1")
    return days


def erase_expired(session: Session, today: date, days: int = RETENTION_DAYS, limit: int = 500) -> int:
    """Erase the contacts of terms that ended `days` or more before `today` (the caller commits);
    how many terms were erased, at most `limit` in one go."""
    cutoff = today - timedelta(days=days)
    terms = session.scalars(sa.select(OfficialTerm).where(
        OfficialTerm.ended_on.is_not(None), OfficialTerm.ended_on <= cutoff,
        sa.or_(OfficialTerm.phone.is_not(None), OfficialTerm.email.is_not(None)))
        .order_by(OfficialTerm.id).limit(limit)).all()
    at = utcnow().isoformat()
    for term in terms:
        term.phone = term.email = None
        audit.append(session, {"actor": "system", "role": "system", "unit": term.unit_code,
                               "action": "ERASE official contact",
                               "target": f"/units/{term.unit_code}/officials/{term.role}/terms/{term.id}",
                               "result": 200, "at": at, "request_id": f"retention-{today.isoformat()}"})
    session.flush()
    ERASED.inc(len(terms))
    return len(terms)
