"""Periods and due dates of catalogue rules (公开时限), without the database.

A periodic matter (定期公开) has one period per month ("2026-07"), quarter ("2026-Q3"),
half-year ("2026-H2") or year ("2026"); it is due `grace_days` working days after the
period's last day, on the Chinese working-day calendar (holidays and 调休 included), so a
September report with five days' grace lands after the National Day holiday. A long-term
matter (长期公开) has one period a year, due `within_days` working days after its start;
an on-event matter (随时公开) `within_days` working days after the event; a prior
disclosure (预公开) must be shown `display_days` calendar days before the decision.

A rule whose due date cannot be computed (a periodic rule without grace days, an unknown
frequency, ...) is bad input, refused with a message that says which rule and why.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from services.common.errors import InvalidInput
from services.common.workdays import working_days_after

from .models import PERIODIC

SCHEDULED = ("long_term",) + PERIODIC  # scheduled for a whole year; on_event / prior only when recorded
EVENT_DRIVEN = ("on_event", "prior")
_QUARTER_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def periods_of(frequency: str, year: int) -> list[str]:
    """The periods a scheduled rule has in a year, in order."""
    if frequency == "monthly":
        return [f"{year}-{month:02d}" for month in range(1, 13)]
    if frequency == "quarterly":
        return [f"{year}-Q{q}" for q in range(1, 5)]
    if frequency == "half_yearly":
        return [f"{year}-H1", f"{year}-H2"]
    if frequency in ("yearly", "long_term"):
        return [str(year)]
    raise InvalidInput(f"frequency {frequency!r} has no periods in a year; "
                       f"known: {', '.join(SCHEDULED)} (on_event and prior follow recorded events)")


def period_end(period: str) -> date:
    """The last day of a period: "2026-07" → 2026-07-31, "2026-Q3" → 2026-09-30,
    "2026-H1" → 2026-06-30, "2026" → 2026-12-31."""
    try:
        year_text, _, part = period.partition("-")
        year = int(year_text)
        if not part:
            return date(year, 12, 31)
        if part.startswith("Q"):
            month, day = _QUARTER_ENDS[int(part[1:])]
            return date(year, month, day)
        if part.startswith("H"):
            return {"H1": date(year, 6, 30), "H2": date(year, 12, 31)}[part]
        month = int(part)
        if not 1 <= month <= 12:
            return _bad_period(period)
        first_of_next = date(year + month // 12, month % 12 + 1, 1)
        return first_of_next - timedelta(days=1)
    except (ValueError, KeyError):
        return _bad_period(period)


def _bad_period(period: str) -> date:
    raise InvalidInput(f"{period!r} is not a period (expected e.g. 2026-07, 2026-Q3, 2026-H2 or 2026)")


def check_rule(frequency: str, grace_days: int | None, within_days: int | None,
               display_days: int | None, code: str = "the entry") -> None:
    """Refuse a time-limit rule whose due dates cannot be computed."""
    if frequency in PERIODIC:
        if grace_days is None or grace_days < 1:
            raise InvalidInput(f"{code}: a {frequency} rule needs grace_days (working days after the "
                               f"period, at least 1) to compute its due dates")
    elif frequency in ("long_term", "on_event"):
        if within_days is None or within_days < 0:
            raise InvalidInput(f"{code}: a {frequency} rule needs within_days (working days, 0 or more) "
                               f"to compute its due dates")
    elif frequency == "prior":
        if display_days is None or display_days < 1:
            raise InvalidInput(f"{code}: a prior-disclosure rule needs display_days (calendar days shown "
                               f"before the decision: 7 inside the Party, 15 to society)")
    else:
        raise InvalidInput(f"{code}: frequency {frequency!r} is unknown, so its due dates cannot be computed")


def check_entry(entry: Any) -> None:
    check_rule(entry.frequency, entry.grace_days, entry.within_days, entry.display_days,
               f"catalogue entry {entry.code} v{entry.version}")


def periodic_due(entry: Any, period: str) -> date:
    """A periodic period's due date: grace_days working days after its last day."""
    check_entry(entry)
    return working_days_after(period_end(period), entry.grace_days)


def long_term_due(entry: Any, start: date) -> date:
    """A long-term matter: within_days working days after its start (the plan's approval or
    the unit's registration, whichever later)."""
    check_entry(entry)
    return working_days_after(start, entry.within_days)


def event_due(entry: Any, event_on: date, today: date) -> date:
    """An on-event matter: within_days working days after the event. A prior disclosure: the
    decision date less display_days calendar days, refused when that day has passed."""
    check_entry(entry)
    if entry.frequency == "on_event":
        return working_days_after(event_on, entry.within_days)
    if entry.frequency == "prior":
        due = event_on - timedelta(days=entry.display_days)
        if due < today:
            raise InvalidInput(
                f"too late: a decision on {event_on} must be disclosed beforehand for at least "
                f"{entry.display_days} days (from {due} on), and {due} has passed; the due date cannot be computed")
        return due
    raise InvalidInput(f"catalogue entry {entry.code} is {entry.frequency}, not on_event or prior: "
                       f"it is scheduled with the year's plan, not recorded as an event")


class DueDates:
    """Due dates for one scheduling run, remembered per (entry id, period): 3,000 units share
    a few hundred of them."""

    def __init__(self, long_term_start: date) -> None:
        self.long_term_start = long_term_start
        self._known: dict[tuple[int, str], date] = {}

    def __call__(self, entry: Any, period: str) -> date:
        key = (entry.id, period)
        due = self._known.get(key)
        if due is None:
            due = (long_term_due(entry, self.long_term_start) if entry.frequency == "long_term"
                   else periodic_due(entry, period))
            self._known[key] = due
        return due
