"""The wallet in a real browser on a phone: a passkey, a top-up settled by webhook, a step-up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from labbaik.app import create_app
from labbaik.cards.schemas import CardRead
from labbaik.settings import Settings
from tests.cards.test_browser_scan import _y4m
from tests.conftest import PASSWORD, World, free_socket, running
from tests.test_browser import CHROMIUM_ARGS, chromium  # noqa: F401 - the fixture
from tests.wallet.conftest import Pilgrim, Till

# The browser sees pages, not the database: SQLite is enough here.
pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.fixture
def site(engine: Engine, world: World, settings: Settings) -> Iterator[str]:
    """The app on localhost (a passkey's relying party must be a name, not an address), with
    the sandbox gateway delivering its webhooks to it over HTTP by itself."""
    sock = free_socket()
    base = f"http://localhost:{sock.getsockname()[1]}"
    app_settings = settings.model_copy(
        update={
            "database_url": engine.url.render_as_string(hide_password=False),
            "wallet_sandbox_autodeliver": True,
            "wallet_sandbox_webhook_url": base + "/api/v1/wallet/gateway/webhook",
            "webauthn_origins": [base],
        }
    )
    with running(create_app(app_settings, engine=engine), sock):
        yield base


def test_a_pilgrim_tops_up_and_pays_above_the_limit_with_a_passkey(
    chromium: str,  # noqa: F811
    site: str,
    tmp_path: Path,
    pilgrim: Pilgrim,
    till: Till,
) -> None:
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
        page = context.new_page()
        # A virtual platform authenticator with biometrics, as on a phone.
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {"options": {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                         "hasUserVerification": True, "isUserVerified": True}},
        )  # fmt: skip
        try:
            page.goto(site + "/login?next=/wallet")
            page.fill("#username", "pilgrim")
            page.fill("#password", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(site + "/wallet")
            page.fill("#passkey-name", "Siti's phone")
            page.click("#passkey-register")
            # The page reloads with the new passkey in its list, added and not used yet.
            expect(page.locator("#passkey-list")).to_contain_text("Siti's phone")
            expect(page.locator("#passkey-list")).to_contain_text("Not used yet")

            page.goto(site + "/wallet/topup")
            page.fill("#amount", "900")
            page.click("form[action='/wallet/topup'] button[type=submit]")
            # The page refreshes itself until the gateway's webhook has settled the top-up.
            expect(page.locator("#topup-status")).to_contain_text(
                "The money is in your wallet.", timeout=20_000
            )

            page.goto(site + "/wallet/pay")
            page.fill("#code", till.merchant.code)
            page.fill("#amount", "300")
            page.click("#pay-form button[type=submit]")
            expect(page.locator("#total")).to_have_text("303.00 SAR")
            page.click("#step-up")
            expect(page.locator("#paid")).to_be_visible(timeout=15_000)

            page.goto(site + "/wallet?lang=ar")
            expect(page.locator("#balance")).to_have_text("597.00 SAR")
            assert page.evaluate("document.documentElement.dir") == "rtl"
            # The passkey that confirmed the payment says when it was last used.
            expect(page.locator("#passkey-list")).to_contain_text("آخر استخدام")
            page.screenshot(path=str(tmp_path / "wallet-ar.png"), full_page=True)

            # Renamed, then removed after the confirmation page, on the phone in Arabic.
            page.fill("#passkey-list input[name=name]", "هاتف سيتي")
            page.click("#passkey-list button[type=submit]")
            expect(page.locator("#passkey-list")).to_contain_text("هاتف سيتي")
            page.click("#passkey-list a.button")
            expect(page.locator("#passkey-name")).to_have_text("هاتف سيتي")
            page.screenshot(path=str(tmp_path / "passkey-remove-ar.png"), full_page=True)
            page.click("#passkey-delete-confirm")
            page.wait_for_url(site + "/wallet#passkeys")
            expect(page.locator("#passkeys")).to_contain_text("لا يوجد مفتاح مرور بعد")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            browser.close()


def test_a_till_asks_the_holder_of_a_typed_card_in_arabic(
    chromium: str,  # noqa: F811
    site: str,
    tmp_path: Path,
    pilgrim: Pilgrim,
    till: Till,
    card: CardRead,
) -> None:
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        try:
            page.goto(site + "/login?next=/till")
            page.fill("#username", "merchant")
            page.fill("#password", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(site + "/till")
            page.goto(site + "/till?lang=ar")
            page.fill("#card", card.card_number)
            page.fill("#request-amount", "12.50")
            page.click("form[action='/till/request'] button[type=submit]")
            requests = page.locator("form[action='/till/request'] + ul")
            expect(requests).to_contain_text("12.50 SAR")
            expect(requests).to_contain_text("الحاج (من البطاقة): Siti A.")
            assert page.evaluate("document.documentElement.dir") == "rtl"
            page.fill("#card", "NOT-A-CARD")
            page.fill("#request-amount", "5")
            page.click("form[action='/till/request'] button[type=submit]")
            expect(page.locator(".error")).to_contain_text("تعذّرت قراءة البطاقة")
            page.screenshot(path=str(tmp_path / "till-ar.png"), full_page=True)
        finally:
            browser.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_till_without_barcode_detector_scans_the_card_with_jsqr(
    chromium: str,  # noqa: F811
    site: str,
    tmp_path: Path,
    pilgrim: Pilgrim,
    till: Till,
    card: CardRead,
    lang: str,
) -> None:
    """As in Firefox or Safari on iOS: no BarcodeDetector, so the vendored jsQR reads the
    camera (Chromium's fake camera plays a video of the card's QR code)."""
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    video = tmp_path / "card.y4m"
    _y4m(card.qr_text, video)
    camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS + camera)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        context.grant_permissions(["camera"], origin=site)
        context.add_init_script("delete window.BarcodeDetector;")
        page = context.new_page()
        try:
            page.goto(site + "/login?next=/till")
            page.fill("#username", "merchant")
            page.fill("#password", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(site + "/till")
            page.goto(site + f"/till?lang={lang}")
            assert page.evaluate("'BarcodeDetector' in window") is False
            page.fill("#request-amount", "12.50")
            expect(page.locator("#scan-card")).to_be_visible()
            page.click("#scan-card")
            # The read code is submitted by itself: the till's list shows the masked payer.
            payer = page.locator("#till-requests .payer")
            expect(payer).to_have_text("Siti A.", timeout=15_000)
            expect(page.locator("#till-requests")).to_contain_text("12.50 SAR")
            label = "الحاج (من البطاقة)" if lang == "ar" else "Pilgrim (from the card)"
            expect(page.locator("#till-requests")).to_contain_text(label)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(tmp_path / f"till-scan-{lang}.png"), full_page=True)
        finally:
            context.close()
            browser.close()
