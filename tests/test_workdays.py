"""Deadlines on the Chinese working-day calendar."""
from datetime import date

from services.common import workdays
from services.common.workdays import add_working_days, is_working_day


def test_national_day_holidays_and_adjusted_working_days():
    assert not is_working_day(date(2025, 10, 1))      # 国庆节
    assert is_working_day(date(2025, 9, 28))          # a Sunday worked in exchange (调休)
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_plain_weeks():
    assert add_working_days(date(2025, 11, 14), 3) == date(2025, 11, 19)  # Fri + 3 → Wed
    assert add_working_days(date(2025, 11, 14), 0) == date(2025, 11, 14)


def test_an_unknown_year_falls_back_to_weekdays_plus_overrides(monkeypatch, tmp_path):
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("holidays: [2031-01-01]\nworkdays: [2031-01-04]\n")
    monkeypatch.setattr(workdays, "OVERRIDES_FILE", overrides)
    workdays._overrides.cache_clear()
    try:
        before = workdays.CALENDAR_FALLBACKS.labels("2031")._value.get()
        assert not is_working_day(date(2031, 1, 1))      # override holiday (a Wednesday)
        assert is_working_day(date(2031, 1, 4))          # override working Saturday
        assert is_working_day(date(2031, 1, 6))          # a Monday, by the weekday rule
        assert not is_working_day(date(2031, 1, 5))      # a Sunday
        assert workdays.CALENDAR_FALLBACKS.labels("2031")._value.get() > before
    finally:
        workdays._overrides.cache_clear()
