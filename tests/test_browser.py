"""The pages in a real browser: log in, switch to Arabic, search a pilgrim and open the record."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from labbaik.app import create_app
from labbaik.auth.roles import system_actor
from labbaik.db import make_engine, upgrade
from labbaik.registry import service
from labbaik.registry.schemas import PilgrimCreate
from labbaik.settings import Settings
from tests.conftest import PASSWORD, World, free_socket, running

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# Quiet and self-contained: no sandbox (containers lack the namespaces), no GPU, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshot.png"

# (surname, given names, Arabic surname, Arabic given names, sex, born, nationality, passport):
# enough people from the countries that send the most pilgrims for the list to look like a season.
MORE_PILGRIMS = {
    "a": [
        ("Hidayat", "Ahmad", "هدايت", "أحمد", "M", date(1962, 4, 11), "IDN", "B2204511"),
        ("Rahmawati", "Dewi", "رحماواتي", "ديوي", "F", date(1968, 9, 23), "IDN", "B2204512"),
        ("Nasution", "Muhammad Yusuf", "ناسوتيون", "محمد يوسف", "M", date(1955, 1, 30), "IDN",
         "B2204513"),
        ("Siregar", "Nur Aisyah", "سيريغار", "نور عائشة", "F", date(1959, 6, 2), "IDN", "B2204514"),
        ("Wibowo", "Bambang", "ويبوو", "بامبانغ", "M", date(1957, 12, 17), "IDN", "B2204515"),
        ("Lubis", "Hasanah", "لوبيس", "حسنة", "F", date(1964, 3, 8), "IDN", "B2204516"),
    ],
    "b": [
        ("Al-Harbi", "Fahad", "الحربي", "فهد", "M", date(1979, 2, 14), "SAU", "A1187734"),
        ("Al-Otaibi", "Nourah", "العتيبي", "نورة", "F", date(1983, 7, 5), "SAU", "A1187735"),
        ("Abdel Rahman", "Mahmoud", "عبدالرحمن", "محمود", "M", date(1971, 10, 1), "EGY",
         "A30981264"),
        ("Khan", "Imran", "خان", "عمران", "M", date(1975, 5, 19), "PAK", "AB4410923"),
        ("Al-Amoudi", "Salem", "العمودي", "سالم", "M", date(1966, 8, 28), "YEM", "05521877"),
        ("Osman", "Fatima", "عثمان", "فاطمة", "F", date(1973, 11, 12), "SDN", "P0917735"),
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM.exists():
        return str(CHROMIUM)
    reason = f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the browser test must run on CI: {reason}")
    print(f"browser test skipped: {reason}")
    pytest.skip(reason)


def _build_world(url: str) -> World:
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False, autoflush=False) as session:
        world = World(session, PasswordHasher().hash(PASSWORD))
        for key, company, group in (
            ("a", world.company_a, world.group_a),
            ("b", world.company_b, world.group_b),
        ):
            for surname, given, surname_ar, given_ar, sex, born, country, passport in MORE_PILGRIMS[
                key
            ]:
                service.create_pilgrim(
                    session,
                    pilgrim_in=PilgrimCreate(
                        surname=surname, given_names=given, surname_ar=surname_ar,
                        given_names_ar=given_ar, sex=sex, date_of_birth=born,
                        nationality=country, passport_number=passport,
                        passport_expiry=date(2031, 1, 1), company_id=company.id,
                        group_id=group.id,
                    ),
                    actor=system_actor("browser test"),
                )  # fmt: skip
        session.commit()
    engine.dispose()
    return world


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """The real app over a migrated SQLite file, served by uvicorn on a free local port."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'labbaik.db'}"
    world = _build_world(url)
    engine = make_engine(url)
    app = create_app(Settings(environment="test", database_url=url), engine=engine)
    sock = free_socket()
    with running(app, sock):
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", world
    engine.dispose()


def test_an_operator_finds_a_pilgrim_in_arabic(chromium: str, site: tuple[str, World]) -> None:
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    base, world = site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="en-GB")
        try:
            page.goto(base + "/pilgrims")
            assert page.url.startswith(base + "/login?next=")
            page.fill("#username", "operator")
            page.fill("#password", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(base + "/pilgrims")

            page.click("a[hreflang=ar]")
            page.wait_for_url("**/pilgrims?lang=ar")
            assert page.evaluate("document.documentElement.dir") == "rtl"
            expect(page.locator("h1")).to_have_text("الحجاج")
            page.evaluate("document.fonts.ready")
            # The Arabic is set in the shipped font, not in boxes: the machine has none of its own.
            naskh_loaded = page.evaluate(
                "[...document.fonts].some(f => f.family.includes('Noto Naskh Arabic')"
                " && f.status === 'loaded')"
            )
            assert naskh_loaded
            if os.environ.get("LABBAIK_SCREENSHOT"):
                SCREENSHOT.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(SCREENSHOT), full_page=True)

            page.fill("#q", "امنة")  # written without the hamza of آمنة
            page.press("#q", "Enter")
            page.wait_for_url("**/pilgrims?q=*")
            rows = page.locator("tbody tr")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text("Aminah")

            rows.first.locator("a").first.click()
            page.wait_for_url(f"{base}/pilgrims/{world.pilgrim_a.id}")
            expect(page.locator("#passport")).to_have_text("C1234567")
            assert page.evaluate("document.documentElement.dir") == "rtl"
        finally:
            browser.close()
