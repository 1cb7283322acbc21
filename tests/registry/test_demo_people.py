"""The demo's pilgrims: deterministic, in the real mix, with names and papers that hold up."""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labbaik.registry.demo_people import (
    COMPANY_TEMPLATES,
    CULTURES,
    HOTELS,
    NATIONALITIES,
    DemoPerson,
    Name,
    country_name,
    generate_people,
    nationality,
)

SEASON = date(2026, 5, 25)
N = 20_000
PASSPORT = re.compile(r"^[A-Z0-9]{1,9}$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# Formats named for these countries; every other country's numbers are 9 letters and digits.
PASSPORT_BY_COUNTRY = {
    "IDN": re.compile(r"^[A-Z][0-9]{7}$"),
    "PAK": re.compile(r"^[A-Z]{2}[0-9]{7}$"),
    "IND": re.compile(r"^[A-Z][0-9]{7}$"),
    "BGD": re.compile(r"^[A-Z]{2}[0-9]{7}$"),
    "TUR": re.compile(r"^U[0-9]{8}$"),
    "IRN": re.compile(r"^[A-Z][0-9]{8}$"),
}
MAJOR_CULTURES = (
    "indonesian", "malay", "pakistani", "indian", "bangladeshi", "hausa", "persian", "turkish",
    "egyptian", "gulf", "iraqi", "sudanese", "uzbek", "tatar", "west_african", "somali",
    "ethiopian", "british", "american", "french", "hui", "bosnian",
)  # fmt: skip


@pytest.fixture(scope="module")
def people() -> list[DemoPerson]:
    return generate_people(N, season_start=SEASON)


def is_arabic_script(text: str) -> bool:
    return bool(text.strip()) and all(
        c == " " or unicodedata.name(c, "").startswith("ARABIC LETTER") for c in text
    )


def is_latin(text: str) -> bool:
    return bool(text.strip()) and all(
        c in " -'"
        or (unicodedata.category(c).startswith("L") and "LATIN" in unicodedata.name(c, ""))
        for c in text
    )


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def all_names(culture_key: str, *, compound_surnames: bool = True) -> list[Name]:
    culture = CULTURES[culture_key]
    names = [
        *culture.male,
        *culture.female,
        *culture.family,
        *culture.female_family,
        *culture.male_prefixes,
        *culture.female_prefixes,
    ]
    for given_name, surname in culture.compounds:
        names += [given_name, surname] if compound_surnames else [given_name]
    return names


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_same_people() -> None:
    assert generate_people(300, season_start=SEASON) == generate_people(300, season_start=SEASON)


def test_another_seed_other_people() -> None:
    first = generate_people(50, seed=1, season_start=SEASON)
    assert first != generate_people(50, seed=2, season_start=SEASON)


def test_a_smaller_run_is_the_start_of_a_larger_one() -> None:
    assert generate_people(40, season_start=SEASON) == generate_people(90, season_start=SEASON)[:40]


def test_none_and_negative() -> None:
    assert generate_people(0, season_start=SEASON) == []
    with pytest.raises(ValueError):
        generate_people(-1, season_start=SEASON)


# --- the mix -------------------------------------------------------------------------------


def test_top_nationalities_in_their_real_shares(people: list[DemoPerson]) -> None:
    total = sum(n.weight for n in NATIONALITIES)
    counts = Counter(p.nationality for p in people)
    for entry in sorted(NATIONALITIES, key=lambda n: -n.weight)[:8]:
        expected = entry.weight / total
        # Four standard deviations of a binomial share at n=20,000 stay under 0.01.
        assert abs(counts[entry.code] / N - expected) < 0.01, entry.code


def test_indonesia_sends_the_most_and_saudi_domestic_pilgrims_are_many(
    people: list[DemoPerson],
) -> None:
    counts = Counter(p.nationality for p in people)
    assert counts.most_common(1)[0][0] == "IDN"
    assert counts["SAU"] > counts["BGD"]


def test_every_nationality_appears(people: list[DemoPerson]) -> None:
    assert {p.nationality for p in people} == {n.code for n in NATIONALITIES}


def test_about_55_percent_men(people: list[DemoPerson]) -> None:
    assert {p.sex for p in people} == {"M", "F"}
    assert 0.53 < sum(p.sex == "M" for p in people) / N < 0.57


# --- ages ----------------------------------------------------------------------------------


def test_birth_dates_within_range(people: list[DemoPerson]) -> None:
    for person in people:
        assert date(1930, 1, 1) <= person.date_of_birth
        assert 18 <= age_on(person.date_of_birth, SEASON) <= 95


def test_ages_as_in_a_hajj_season(people: list[DemoPerson]) -> None:
    ages = [age_on(p.date_of_birth, SEASON) for p in people]
    assert 52 <= statistics.median(ages) <= 58
    assert sum(40 <= a <= 75 for a in ages) / N > 0.7
    assert sum(a < 40 for a in ages) / N > 0.05
    assert max(ages) >= 90


def test_the_elderly_exercise_two_digit_birth_years(people: list[DemoPerson]) -> None:
    # Born in the 1930s: "35" in a zone must still read as 1935, not 2035.
    assert sum(p.date_of_birth.year < 1940 for p in people) > 50


def test_unknown_birthdays_are_first_of_january_where_that_is_usual(
    people: list[DemoPerson],
) -> None:
    afghans = [p for p in people if p.nationality == "AFG"]
    share = sum((p.date_of_birth.month, p.date_of_birth.day) == (1, 1) for p in afghans)
    assert share / len(afghans) > 0.2


# --- passports and phones ------------------------------------------------------------------


def test_passport_numbers_unique_per_nationality(people: list[DemoPerson]) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for person in people:
        assert person.passport_number not in seen[person.nationality]
        seen[person.nationality].add(person.passport_number)


def test_passport_numbers_fit_a_td3_zone(people: list[DemoPerson]) -> None:
    for person in people:
        assert PASSPORT.match(person.passport_number), person


def test_passport_numbers_look_like_their_country(people: list[DemoPerson]) -> None:
    for person in people:
        pattern = PASSPORT_BY_COUNTRY.get(person.nationality, re.compile(r"^[A-Z0-9]{9}$"))
        assert pattern.match(person.passport_number), person


def test_passports_expire_one_to_nine_years_after_the_season(people: list[DemoPerson]) -> None:
    for person in people:
        assert date(2027, 5, 25) <= person.passport_expiry <= date(2035, 5, 25)


def test_phones_are_e164_in_the_pilgrims_country(people: list[DemoPerson]) -> None:
    for person in people:
        prefix = nationality(person.nationality).phone_prefix
        for phone in (person.phone, person.emergency_contact_phone):
            assert E164.match(phone), person
            assert phone.startswith(prefix), person
        assert person.phone != person.emergency_contact_phone


def test_language_is_the_countrys(people: list[DemoPerson]) -> None:
    for person in people:
        assert person.language == nationality(person.nationality).language


# --- names ---------------------------------------------------------------------------------


def test_names_in_their_scripts(people: list[DemoPerson]) -> None:
    for person in people:
        assert is_latin(person.surname), person
        assert is_latin(person.given_names), person
        assert is_latin(person.emergency_contact_name), person
        assert is_arabic_script(person.surname_ar), person
        assert is_arabic_script(person.given_names_ar), person


@pytest.mark.parametrize("key", sorted(CULTURES))
def test_every_listed_name_is_in_its_script(key: str) -> None:
    for latin, arabic in all_names(key):
        assert is_latin(latin), (key, latin)
        assert is_arabic_script(arabic), (key, arabic)


@pytest.mark.parametrize("key", sorted(CULTURES))
def test_one_spelling_one_arabic_form_within_a_culture(key: str) -> None:
    # A compound's surname differs on purpose: "Ashraful Alam" is "أشرف العالم", "Alam" "عالم".
    forms: dict[str, str] = {}
    for latin, arabic in all_names(key, compound_surnames=False):
        assert forms.setdefault(latin, arabic) == arabic, (key, latin)


@pytest.mark.parametrize("key", MAJOR_CULTURES)
def test_major_cultures_have_enough_names(key: str) -> None:
    culture = CULTURES[key]
    for names in (culture.male, culture.female, culture.family):
        assert len({latin for latin, _ in names}) >= 25, key


def test_every_nationality_names_a_culture() -> None:
    for entry in NATIONALITIES:
        assert entry.names in CULTURES
        assert entry.alt_names is None or entry.alt_names in CULTURES


def test_turkish_and_bosnian_letters_are_kept(people: list[DemoPerson]) -> None:
    turkish = "".join(p.surname + p.given_names for p in people if p.nationality == "TUR")
    assert set("ışğçöüİ") & set(turkish)
    assert any(name.endswith("ić") for name, _ in CULTURES["bosnian"].family)


def test_pakistani_given_names_are_sometimes_two(people: list[DemoPerson]) -> None:
    pakistani_men = [p for p in people if p.nationality == "PAK" and p.sex == "M"]
    two = [p for p in pakistani_men if p.given_names.startswith("Muhammad ")]
    assert 0.2 < len(two) / len(pakistani_men) < 0.6


def test_malaysians_are_children_of_their_fathers(people: list[DemoPerson]) -> None:
    malaysians = [p for p in people if p.nationality == "MYS"]
    assert malaysians
    for person in malaysians:
        link, link_ar = (" bin ", " بن ") if person.sex == "M" else (" binti ", " بنت ")
        assert link in person.given_names, person
        assert link_ar in person.given_names_ar, person
        assert person.given_names.endswith(link + person.surname), person
        assert person.given_names_ar.endswith(link_ar + person.surname_ar), person


def test_bangladeshi_compound_names_stay_together(people: list[DemoPerson]) -> None:
    bangladeshi = [p for p in people if p.nationality == "BGD"]
    compounds = dict(CULTURES["bangladeshi"].compounds)
    joined = [p for p in bangladeshi if p.given_names.split()[-1].endswith(("ul", "ur"))]
    assert joined
    for person in joined:
        last = person.given_names.split()[-1]
        pair = next(pair for pair in compounds if pair[0] == last)
        assert (person.surname, person.surname_ar) == compounds[pair]


def test_feminine_surnames_where_the_language_has_them(people: list[DemoPerson]) -> None:
    uzbek_women = [p for p in people if p.nationality == "UZB" and p.sex == "F"]
    assert uzbek_women
    assert all(p.surname.endswith(("ova", "eva", "ina")) for p in uzbek_women)
    for key in ("uzbek", "kazakh", "tatar", "caucasian"):
        assert all(n.endswith(("ov", "ev", "in")) for n, _ in CULTURES[key].family), key


def test_chinese_pilgrims_are_hui_mostly_and_uyghur_some(people: list[DemoPerson]) -> None:
    chinese = [p for p in people if p.nationality == "CHN"]
    hui = {latin for latin, _ in CULTURES["hui"].family}
    share_hui = sum(p.surname in hui for p in chinese) / len(chinese)
    assert 0.6 < share_hui < 0.95
    assert Counter(p.surname for p in chinese).most_common(1)[0][0] == "Ma"


# --- countries, companies, hotels ----------------------------------------------------------


def test_country_names() -> None:
    assert country_name("IDN", "en") == "Indonesia"
    assert country_name("IDN", "ar") == "إندونيسيا"
    assert country_name("TUR", "en") == "Türkiye"
    assert country_name("SAU", "ar") == "المملكة العربية السعودية"
    with pytest.raises(ValueError):
        country_name("IDN", "fr")
    with pytest.raises(KeyError):
        country_name("XXX", "en")


def test_nationality_entries_are_sound() -> None:
    codes = [n.code for n in NATIONALITIES]
    assert len(codes) == len(set(codes))
    for entry in NATIONALITIES:
        assert re.fullmatch(r"[A-Z]{3}", entry.code)
        assert is_arabic_script(entry.name_ar)
        assert entry.weight > 0
        assert re.fullmatch(r"\+[1-9][0-9]{0,2}", entry.phone_prefix)
        assert all(len(f) <= 9 for f in entry.passport_formats)
    weights = {n.code: n.weight for n in NATIONALITIES}
    assert 1_500_000 < sum(weights.values()) < 1_900_000
    assert weights["IDN"] > weights["PAK"] > weights["IND"] > weights["BGD"]


def test_every_nationality_has_company_templates() -> None:
    for entry in NATIONALITIES:
        assert COMPANY_TEMPLATES[entry.code], entry.code
    assert COMPANY_TEMPLATES["*"]
    assert 3 <= len(COMPANY_TEMPLATES["SAU"]) <= 5
    for templates in COMPANY_TEMPLATES.values():
        for template in templates:
            assert all((template.name, template.city, template.address, template.contact))
            assert is_arabic_script(template.name_ar)
            assert len(template.name) <= 150


def test_hotels_in_both_holy_cities() -> None:
    assert 15 <= len(HOTELS) <= 25
    assert {h.city for h in HOTELS} == {"makkah", "madinah"}
    assert len({h.name for h in HOTELS}) == len(HOTELS)
    for hotel in HOTELS:
        assert 300 <= hotel.capacity <= 3000
        assert is_arabic_script(hotel.name_ar)
        assert is_arabic_script(hotel.district_ar)


# --- any seed ------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    n=st.integers(min_value=0, max_value=80),
    season=st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
)
def test_invariants_for_any_seed_and_season(seed: int, n: int, season: date) -> None:
    people = generate_people(n, seed=seed, season_start=season)
    assert len(people) == n
    numbers = [(p.nationality, p.passport_number) for p in people]
    assert len(numbers) == len(set(numbers))
    for person in people:
        assert PASSPORT.match(person.passport_number)
        assert date(1930, 1, 1) <= person.date_of_birth
        assert 18 <= age_on(person.date_of_birth, season) <= 95
        assert person.passport_expiry > season
        assert is_latin(person.surname)
        assert is_arabic_script(person.surname_ar)
