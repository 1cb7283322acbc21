"""The phone credential: health disclosed only to a medic's verifier, expiry checked, tampering
refused, any input a verdict."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from labbaik.cards import sdjwt
from labbaik.kit import cose

NOW = datetime(2026, 5, 26, 9, 0, tzinfo=UTC)
KID = b"\x01\x02\x03\x04\x05\x06\x07\x08"
HEALTH = {"conditions": ["diabetes type 2"], "allergies": ["penicillin"], "blood_group": "O+"}


def _signer_and_trust(
    key: cose.PrivateKey, alg: str = "ES256"
) -> tuple[cose.Signer, dict[str, object]]:
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    trust = {
        "keys": {
            base64.b64encode(KID).decode(): {"alg": alg, "spki": base64.b64encode(spki).decode()}
        }
    }
    return cose.PrivateKeySigner(key, kid=KID), trust


SIGNER, TRUST = _signer_and_trust(ec.generate_private_key(ec.SECP256R1()))

RECORD = sdjwt.PhoneRecord(
    card_number="47000001234",
    surname="Aminah",
    given_names="Siti",
    surname_ar="آمنة",
    given_names_ar="سيتي",
    nationality="IDN",
    sex="F",
    language="id",
    company={"code": "IDN-MORA", "name": "Indonesian Hajj Mission", "phone": "+62213811642"},
    group={"code": "IDN-001", "leader_name": "Budi Santoso", "leader_phone": "+6281234567890"},
    residence={
        "makkah": {"code": "H-AZIZ-1", "name": "Aziziyah Tower", "name_ar": None},
        "mina": {"code": "MINA-12-3", "name": "Mina camp 12/3", "name_ar": None},
    },
    issued_at=NOW - timedelta(days=1),
    expires_at=NOW + timedelta(days=30),
    health=HEALTH,
)


@pytest.fixture(scope="module")
def issuance() -> str:
    return sdjwt.issue(RECORD, SIGNER, issuer="SA")


def _parts(token: str) -> tuple[str, list[str]]:
    jwt, *disclosures = token.split("~")
    return jwt, disclosures


class TestSelectiveDisclosure:
    def test_a_medic_sees_the_health_summary(self, issuance: str) -> None:
        shown = sdjwt.present(issuance, health=True)
        verdict = sdjwt.verify(shown, trust=TRUST, at=NOW, health=True)
        assert verdict.verdict == "valid"
        assert verdict.claims is not None
        assert verdict.claims["health"] == HEALTH
        assert verdict.claims["residence"]["mina"]["code"] == "MINA-12-3"

    def test_a_field_worker_is_shown_everything_but_health(self, issuance: str) -> None:
        shown = sdjwt.present(issuance, health=False)
        verdict = sdjwt.verify(shown, trust=TRUST, at=NOW, health=False)
        assert verdict.ok
        assert verdict.claims is not None
        assert "health" not in verdict.claims
        assert verdict.claims["group"]["leader_phone"] == "+6281234567890"
        assert verdict.claims["given_names_ar"] == "سيتي"
        # Not only hidden by the verifier: the health disclosure is not in what was sent.
        decoded = [
            json.loads(base64.urlsafe_b64decode(d + "=" * (-len(d) % 4)))
            for d in _parts(shown)[1]
            if d
        ]
        assert "health" not in {d[1] for d in decoded}
        assert "PENICILLIN" not in shown.upper()

    def test_a_verifier_without_health_rights_drops_what_a_holder_sent(self, issuance: str) -> None:
        shown = sdjwt.present(issuance, health=True)
        verdict = sdjwt.verify(shown, trust=TRUST, at=NOW, health=False)
        assert verdict.ok
        assert verdict.claims is not None
        assert "health" not in verdict.claims

    def test_the_signed_part_holds_digests_not_personal_data(self, issuance: str) -> None:
        jwt, _ = _parts(issuance)
        payload = json.loads(base64.urlsafe_b64decode(jwt.split(".")[1] + "=="))
        assert payload["vct"] == sdjwt.VCT
        assert "surname" not in payload
        assert len(payload["_sd"]) >= 10

    def test_an_ed25519_signer_works_too(self) -> None:
        signer, trust = _signer_and_trust(ed25519.Ed25519PrivateKey.generate(), alg="EdDSA")
        token = sdjwt.issue(RECORD, signer, issuer="SA")
        assert sdjwt.verify(token, trust=trust, at=NOW, health=True).ok


class TestValidity:
    def test_an_expired_credential_is_refused(self, issuance: str) -> None:
        later = RECORD.expires_at + timedelta(seconds=1)
        assert sdjwt.verify(issuance, trust=TRUST, at=later, health=True).verdict == "expired"

    def test_a_credential_from_the_future_is_not_yet_valid(self, issuance: str) -> None:
        early = RECORD.issued_at - timedelta(hours=1)
        verdict = sdjwt.verify(issuance, trust=TRUST, at=early, health=True)
        assert verdict.verdict == "not_yet_valid"

    def test_clock_skew_of_a_few_minutes_is_allowed(self, issuance: str) -> None:
        early = RECORD.issued_at - timedelta(seconds=200)
        assert sdjwt.verify(issuance, trust=TRUST, at=early, health=True).ok


class TestTampering:
    def test_a_changed_signed_claim_breaks_the_signature(self, issuance: str) -> None:
        jwt, disclosures = _parts(issuance)
        header, payload, signature = jwt.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["exp"] += 86400 * 365
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        token = "~".join([f"{header}.{forged}.{signature}", *disclosures])
        assert sdjwt.verify(token, trust=TRUST, at=NOW, health=True).verdict == "tampered"

    def test_a_disclosure_the_issuer_did_not_sign_is_refused(self, issuance: str) -> None:
        shown = sdjwt.present(issuance, health=False)
        made_up = json.dumps(["c2FsdA", "health", {"conditions": []}]).encode()
        extra = base64.urlsafe_b64encode(made_up).decode().rstrip("=")
        token = shown[:-1] + "~" + extra + "~"
        assert sdjwt.verify(token, trust=TRUST, at=NOW, health=True).verdict == "tampered"

    def test_an_unknown_signer_is_named(self, issuance: str) -> None:
        verdict = sdjwt.verify(issuance, trust={"keys": {}}, at=NOW, health=True)
        assert verdict.verdict == "unknown_signer"

    def test_a_key_of_another_signer_does_not_verify(self, issuance: str) -> None:
        _, other = _signer_and_trust(ec.generate_private_key(ec.SECP256R1()))
        assert sdjwt.verify(issuance, trust=other, at=NOW, health=True).verdict == "tampered"

    @settings(max_examples=60, deadline=None)
    @given(st.text(max_size=300))
    def test_any_text_gets_a_verdict(self, text: str) -> None:
        verdict = sdjwt.verify(text, trust=TRUST, at=NOW, health=True)
        assert verdict.verdict in {"unreadable", "tampered", "unknown_signer"}
