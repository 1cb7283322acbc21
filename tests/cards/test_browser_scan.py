"""The scanner in a real browser: lists cached, the network cut, a photo of a card verified in
JavaScript as valid, a revoked card refused, and the offline scans sent once it is back."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.app import create_app
from labbaik.auth.models import AuditEntry
from labbaik.auth.roles import system_actor
from labbaik.cards import keys, service
from labbaik.db import make_engine, upgrade
from labbaik.settings import Settings, get_settings
from tests.conftest import PASSWORD, World, free_socket, running
from tests.test_browser import CHROMIUM_ARGS, chromium  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.browser


# Every single-character change and truncation of a card's text, through the page's verifier.
MUTATIONS = """async (text) => {
  const v = await import("/static/cards/verify.js");
  const trust = JSON.parse(localStorage.getItem("labbaik.cards.trust"));
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  const out = { thrown: 0, valid: 0, verdicts: [] };
  const tries = [];
  for (let i = 4; i < text.length; i += 3) {
    const swapped = alphabet[(alphabet.indexOf(text[i]) + 7) % alphabet.length];
    tries.push(text.slice(0, i) + swapped + text.slice(i + 1), text.slice(0, i));
  }
  for (const candidate of tries) {
    try {
      const r = await v.verifyCard(candidate, { trust, status: null, now: Date.now() / 1000 });
      if (r.verdict === "valid") out.valid += 1;
      if (!out.verdicts.includes(r.verdict)) out.verdicts.push(r.verdict);
    } catch (err) {
      out.thrown += 1;
    }
  }
  return out;
}"""


def _y4m(text: str, path: Path) -> None:
    """A short video of the card's QR code, for Chromium's fake camera (YUV4MPEG2, 4:2:0)."""
    from PIL import Image  # noqa: PLC0415

    width, height = 640, 480
    code = Image.open(io.BytesIO(_png(text))).convert("L")
    side = min(width, height) - 40
    frame = Image.new("L", (width, height), 255)
    frame.paste(code.resize((side, side), Image.Resampling.NEAREST), ((width - side) // 2, 20))
    chroma = bytes([128]) * (width // 2) * (height // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(5):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


def _png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="q", micro=False, boost_error=False).save(
        buffer, kind="png", scale=5, border=4
    )
    return buffer.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app with keys, a valid card for pilgrim A and a revoked one for pilgrim B."""
    folder = tmp_path_factory.mktemp("scan")
    url = f"sqlite:///{folder / 'labbaik.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LABBAIK_CARD_KEY_DIR", str(folder / "keys"))
        patch.setenv("LABBAIK_CARD_KEY_PASSPHRASE", "browser test passphrase")
        get_settings.cache_clear()
        upgrade(url)
        engine = make_engine(url)
        system = system_actor("browser test")
        with Session(engine, expire_on_commit=False, autoflush=False) as session:
            world = World(session, PasswordHasher().hash(PASSWORD))
            keys.init_keys(session, season=1447, actor=system)
            valid = service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=system)
            revoked = service.issue_card(session, pilgrim_id=world.pilgrim_b.id, actor=system)
            service.revoke(
                session, card_number=revoked.card_number, reason="reported lost", actor=system
            )
            session.commit()
        app = create_app(Settings(environment="test", database_url=url), engine=engine)
        sock = free_socket()
        with running(app, sock):
            yield {
                "base": f"http://127.0.0.1:{sock.getsockname()[1]}",
                "engine": engine,
                "valid": valid,
                "revoked": revoked,
                "folder": folder,
            }
        engine.dispose()
    get_settings.cache_clear()


def _scans(site: dict[str, Any]) -> list[AuditEntry]:
    with Session(site["engine"]) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "card.scan")))


def test_a_field_worker_verifies_cards_offline(chromium: str, site: dict[str, Any]) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    base = site["base"]
    photos: dict[str, Path] = {}
    for key in ("valid", "revoked"):
        photos[key] = site["folder"] / f"{key}.png"
        photos[key].write_bytes(_png(site[key].qr_text))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
        page = context.new_page()
        try:
            page.goto(base + "/login?next=/cards/scan")
            page.fill("#username", "field-worker")
            page.fill("#password", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(base + "/cards/scan")
            # Both lists fetched, the status list's signature checked, the page kept offline.
            expect(page.locator("#scanner")).to_have_attribute("data-ready", "1")
            expect(page.locator("#scanner")).to_have_attribute("data-offline", "1")
            expect(page.locator("#lists")).to_contain_text("Verifies offline")

            context.set_offline(True)
            page.set_input_files("#photo", str(photos["valid"]))
            verdict = page.locator("#verdict")
            expect(verdict).to_have_attribute("data-verdict", "valid")
            expect(page.locator("#verdict-word")).to_have_text("Valid")
            expect(page.locator("#verdict-reason")).to_contain_text("Genuine and in force")
            expect(page.locator("#verdict-claims")).to_contain_text("آمنة")

            page.set_input_files("#photo", str(photos["revoked"]))
            expect(verdict).to_have_attribute("data-verdict", "revoked")
            expect(page.locator("#verdict-word")).to_have_text("Revoked")
            expect(page.locator("#verdict-reason")).to_contain_text("lost or stolen")
            expect(page.locator("#queue")).to_contain_text("2 scans are waiting")
            assert [e for e in _scans(site) if e.actor_username == "field-worker"] == []

            # The page itself opens again without a network, from the service worker's cache.
            page.reload()
            expect(page.locator("h1")).to_have_text("Scan a card")
            expect(page.locator("#scanner")).to_have_attribute("data-ready", "1")

            # Any change to the text is refused by the JavaScript verifier, and nothing throws.
            mutated = page.evaluate(MUTATIONS, site["valid"].qr_text)
            assert mutated["thrown"] == 0
            assert mutated["valid"] == 0
            assert set(mutated["verdicts"]) <= {"unreadable", "tampered", "unknown_signer"}

            context.set_offline(False)
            expect(page.locator("#queue")).to_be_hidden(timeout=15_000)
        finally:
            context.close()
            browser.close()

    verdicts = sorted(
        e.detail["verdict"] for e in _scans(site) if e.detail and e.actor_username == "field-worker"
    )
    assert verdicts == ["revoked", "valid"]


def _published_vectors() -> dict[str, Any]:
    """The test vectors of docs/credential.md, read from the page as a verifier's author would."""
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    text = (Path(__file__).resolve().parents[2] / "docs" / "credential.md").read_text()
    section = text.split("<!-- vectors:begin -->")[1].split("<!-- vectors:end -->")[0]
    pems = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", section, re.S)
    keys = {}
    for pem, alg in zip(pems, ("ES256", "EdDSA"), strict=True):
        cert = x509.load_pem_x509_certificate(pem.encode())
        der = cert.public_bytes(serialization.Encoding.DER)
        spki = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        keys[base64.b64encode(hashlib.sha256(der).digest()[:8]).decode()] = {
            "alg": alg,
            "spki": base64.b64encode(spki).decode(),
            "not_before": cert.not_valid_before_utc.isoformat(),
            "not_after": cert.not_valid_after_utc.isoformat(),
        }
    status_hex = section.split("### Status list")[1].split("```")[1]
    return {
        "trust": {"keys": keys},
        "texts": re.findall(r"^HJ1:.*$", section, re.M),
        "status": base64.b64encode(bytes.fromhex("".join(status_hex.split()))).decode(),
    }


VECTORS = """async (vectors) => {
  const v = await import("/static/cards/verify.js");
  const status = await v.loadStatusList(v.fromBase64(vectors.status), vectors.trust);
  const at = Date.parse("2026-05-02T00:00:00Z") / 1000;
  const later = Date.parse("2026-06-30T09:00:01Z") / 1000;
  const out = [];
  for (const text of vectors.texts) {
    const opts = { trust: vectors.trust, status: null };
    out.push([
      (await v.verifyCard(text, { ...opts, now: at })).verdict,
      (await v.verifyCard(text, { ...opts, now: later })).verdict,
      (await v.verifyCard(text, { ...opts, status, now: at })).verdict,
    ]);
  }
  return out;
}"""


def test_the_page_verifier_agrees_with_the_published_vectors(
    chromium: str,  # noqa: F811
    site: dict[str, Any],
) -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    vectors = _published_vectors()
    assert len(vectors["texts"]) == 2
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(site["base"] + "/login")
            verdicts = page.evaluate(VECTORS, vectors)
        finally:
            browser.close()
    # ES256 and EdDSA alike: valid at the vectors' time, expired after, revoked by the list.
    assert verdicts == [["valid", "expired", "revoked"], ["valid", "expired", "revoked"]]


def test_the_camera_reads_a_card(chromium: str, site: dict[str, Any]) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    video = site["folder"] / "card.y4m"
    _y4m(site["valid"].qr_text, video)
    camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS + camera)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.grant_permissions(["camera"], origin=site["base"])
        page = context.new_page()
        try:
            page.goto(site["base"] + "/login?next=/cards/scan")
            page.fill("#username", "medic")
            page.fill("#password", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(site["base"] + "/cards/scan")
            expect(page.locator("#scanner")).to_have_attribute("data-ready", "1")
            page.click("#camera-start")
            expect(page.locator("#verdict")).to_have_attribute(
                "data-verdict", "valid", timeout=15_000
            )
            # The camera stops once a card is read, and the online lookup shows the holder.
            expect(page.locator("#camera")).to_be_hidden()
            expect(page.locator("#holder-name")).to_contain_text("Aminah")
        finally:
            context.close()
            browser.close()
