"""Time: UTC stored, Riyadh shown, the Umm al-Qura Hijri date beside the Gregorian."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from labbaik.kit.timeutil import (
    as_utc,
    format_date,
    format_hijri,
    format_moment,
    hijri_parts,
    to_riyadh,
    utcnow,
)


class TestHijri:
    def test_the_day_of_arafah_1447_is_26_may_2026(self) -> None:
        assert hijri_parts(date(2026, 5, 26)) == (1447, 12, 9)

    def test_the_first_of_ramadan_1447(self) -> None:
        assert hijri_parts(date(2026, 2, 18)) == (1447, 9, 1)

    def test_outside_the_umm_al_qura_table_no_hijri_date_is_shown(self) -> None:
        assert format_hijri(date(2100, 1, 1)) == ""
        assert format_date(date(2100, 1, 1)) == "1 January 2100"


class TestFormatDate:
    def test_in_english(self) -> None:
        assert format_date(date(2026, 5, 26), "en") == "26 May 2026 (9 Dhu al-Hijjah 1447 AH)"

    def test_in_arabic(self) -> None:
        assert format_date(date(2026, 5, 26), "ar") == "26 مايو 2026 (9 ذو الحجة 1447 هـ)"

    def test_an_unknown_language_falls_back_to_english(self) -> None:
        assert format_date(date(2026, 5, 26), "xx") == format_date(date(2026, 5, 26), "en")

    def test_a_moment_is_shown_in_riyadh_time(self) -> None:
        # 22:30 UTC on 25 May is 01:30 on 26 May in Riyadh, so the date moves too.
        moment = datetime(2026, 5, 25, 22, 30, tzinfo=UTC)
        assert format_moment(moment, "en") == "26 May 2026 (9 Dhu al-Hijjah 1447 AH) 01:30"


class TestUtc:
    def test_now_is_aware_and_in_utc(self) -> None:
        now = utcnow()
        assert now.utcoffset() == timedelta(0)

    def test_a_naive_time_from_sqlite_is_taken_as_utc(self) -> None:
        assert as_utc(datetime(2026, 5, 26, 12, 0)) == datetime(2026, 5, 26, 12, 0, tzinfo=UTC)

    def test_an_aware_time_is_converted_to_utc(self) -> None:
        jakarta = timezone(timedelta(hours=7))
        moment = as_utc(datetime(2026, 5, 26, 19, 0, tzinfo=jakarta))
        assert moment == datetime(2026, 5, 26, 12, 0, tzinfo=UTC)
        assert moment.utcoffset() == timedelta(0)

    @pytest.mark.parametrize("hour", [0, 12, 21])
    def test_riyadh_is_three_hours_ahead_of_utc(self, hour: int) -> None:
        local = to_riyadh(datetime(2026, 5, 26, hour, tzinfo=UTC))
        assert local.utcoffset() == timedelta(hours=3)
        assert (local.hour - hour) % 24 == 3
