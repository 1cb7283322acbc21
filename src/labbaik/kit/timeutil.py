"""Time: stored in UTC, shown in Riyadh time with the Umm al-Qura Hijri date beside."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hijridate import Gregorian

RIYADH = ZoneInfo("Asia/Riyadh")

HIJRI_MONTHS = {
    "en": (
        "Muharram", "Safar", "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Ula",
        "Jumada al-Akhirah", "Rajab", "Shaban", "Ramadan", "Shawwal", "Dhu al-Qadah",
        "Dhu al-Hijjah",
    ),
    "ar": (
        "محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة", "رجب",
        "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة",
    ),
}  # fmt: skip

GREGORIAN_MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    "ar": (
        "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
        "أكتوبر", "نوفمبر", "ديسمبر",
    ),
}  # fmt: skip


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC, so say so."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_riyadh(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(RIYADH)


def hijri_parts(day: date) -> tuple[int, int, int]:
    """The Umm al-Qura date (year, month, day) of a Gregorian date.

    Raises ValueError outside the table's range (1343-1500 AH, 1924-2077 CE).
    """
    h = Gregorian(day.year, day.month, day.day).to_hijri()
    return h.year, h.month, h.day


def format_hijri(day: date, lang: str = "en") -> str:
    try:
        year, month, dom = hijri_parts(day)
    except (ValueError, OverflowError):
        return ""
    names = HIJRI_MONTHS.get(lang, HIJRI_MONTHS["en"])
    suffix = "هـ" if lang == "ar" else "AH"
    return f"{dom} {names[month - 1]} {year} {suffix}"


def format_gregorian(day: date, lang: str = "en") -> str:
    names = GREGORIAN_MONTHS.get(lang, GREGORIAN_MONTHS["en"])
    return f"{day.day} {names[day.month - 1]} {day.year}"


def format_date(day: date, lang: str = "en") -> str:
    """'12 May 2026 (25 Dhu al-Qadah 1447 AH)': the Gregorian date with the Hijri beside."""
    hijri = format_hijri(day, lang)
    greg = format_gregorian(day, lang)
    return f"{greg} ({hijri})" if hijri else greg


def format_moment(moment: datetime, lang: str = "en") -> str:
    local = to_riyadh(moment)
    return f"{format_date(local.date(), lang)} {local:%H:%M}"
