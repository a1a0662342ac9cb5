"""Deadlines on the Chinese working-day calendar: entered by the county office, published by
chinesecalendar, or the statutory holidays for a year nobody has entered (provisional)."""
from datetime import date

import pytest

from services.common import workdays
from services.common.workdays import Arrangement, add_working_days, is_provisional, is_working_day


@pytest.fixture(autouse=True)
def clean_calendar():
    workdays.forget_entered()
    yield
    workdays.forget_entered()


def test_national_day_holidays_and_adjusted_working_days():
    assert not is_working_day(date(2025, 10, 1))      # 国庆节
    assert is_working_day(date(2025, 9, 28))          # a Sunday worked in exchange (调休)
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert not is_provisional(date(2025, 9, 30), date(2025, 10, 9))


def test_plain_weeks():
    assert add_working_days(date(2025, 11, 14), 3) == date(2025, 11, 19)  # Fri + 3 → Wed
    assert add_working_days(date(2025, 11, 14), 0) == date(2025, 11, 14)


def test_2027_statutory_holidays_follow_the_statute_as_amended_in_2024():
    """元旦 1, 春节 4 from 除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3: 13 days."""
    assert sorted(workdays.statutory_holidays(2027)) == [
        date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
        date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15),
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)]


def test_a_year_nobody_entered_falls_back_to_the_statutory_holidays_and_is_provisional():
    assert workdays.year_source(2027) == workdays.STATUTORY
    before = workdays.CALENDAR_FALLBACKS.labels("2027")._value.get()
    assert not is_working_day(date(2027, 1, 1))       # 元旦, a Friday
    assert not is_working_day(date(2027, 2, 5))       # 除夕
    assert not is_working_day(date(2027, 2, 8))       # 春节, a Monday
    assert is_working_day(date(2027, 2, 9))
    assert workdays.CALENDAR_FALLBACKS.labels("2027")._value.get() > before
    # the cases: 15 working days from 2026-12-11 no longer end on New Year's Day
    assert add_working_days(date(2026, 12, 11), 15) == date(2027, 1, 4)
    assert add_working_days(date(2027, 1, 25), 15) == date(2027, 2, 17)  # not 02-15: 除夕 and 初三 off
    assert is_provisional(date(2026, 12, 11), date(2027, 1, 4))
    assert not is_provisional(date(2026, 12, 1), date(2026, 12, 22))


def test_what_the_office_entered_wins_and_a_newer_version_replaces_an_older():
    days_off = frozenset({date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9)})
    assert workdays.install(Arrangement(2027, 2, days_off, frozenset({date(2027, 2, 20)})))
    assert workdays.year_source(2027) == workdays.ENTERED and not is_provisional(date(2027, 2, 1))
    assert not is_working_day(date(2027, 2, 9))
    assert is_working_day(date(2027, 2, 20))          # a Saturday worked in exchange
    assert not workdays.install(Arrangement(2027, 1, frozenset(), frozenset()))  # older: ignored
    assert not is_working_day(date(2027, 2, 9))
    # entered wins over chinesecalendar too
    assert workdays.install(Arrangement(2025, 1, frozenset({date(2025, 11, 14)}), frozenset()))
    assert not is_working_day(date(2025, 11, 14))
    assert is_working_day(date(2025, 10, 2))          # not listed: a Thursday works


@pytest.mark.parametrize("today,missing", [
    (date(2026, 10, 31), False), (date(2026, 11, 1), True), (date(2026, 12, 31), True),
    (date(2025, 11, 20), False)])  # chinesecalendar knows 2026
def test_next_year_is_missing_from_1_november(today, missing):
    assert workdays.next_year_missing(today) is missing


def test_next_year_entered_is_not_missing():
    workdays.install(Arrangement(2027, 1, frozenset(), frozenset()))
    assert not workdays.next_year_missing(date(2026, 11, 2))


def test_remembered_working_days_follow_an_arrangement_entered_after_them():
    assert workdays.working_days_after(date(2027, 3, 1), 3) == date(2027, 3, 4)  # asked, and remembered
    assert workdays.install(Arrangement(2027, 1, frozenset({date(2027, 3, 2), date(2027, 3, 3)}), frozenset()))
    assert workdays.working_days_after(date(2027, 3, 1), 3) == date(2027, 3, 8)  # the new calendar's answer
    workdays.forget_entered()
    assert workdays.working_days_after(date(2027, 3, 1), 3) == date(2027, 3, 4)
