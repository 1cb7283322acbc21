"""EU DCC / WHO GDHCN certificates: the public vectors, every verdict, and no crash on any input."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from labbaik.cli import app
from labbaik.health import dcc, service
from labbaik.health.errors import CertificateRefused, TrustListRejected
from labbaik.kit import base45, cose
from labbaik.registry import service as registry_service
from labbaik.registry.schemas import PilgrimCreate

VECTORS = Path(__file__).parents[2] / ".." / "shared" / "testdata" / "dcc"
NAMES = ("dcc_at1.json", "dcc_be1.json")
NOW = datetime.now(UTC)
# The vectors' own words for their verdicts.
FALLBACK = "the certificate could not be read"


def vector(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / name).read_text())


def inside(v: dict[str, Any]) -> datetime:
    """A moment inside the certificate's validity window."""
    issued = datetime.fromisoformat(v["EXPECTED"]["issued_at"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(v["EXPECTED"]["expires_at"].replace("Z", "+00:00"))
    return issued + (expires - issued) / 2


def trust(name: str) -> list[dcc.TrustedCertificate]:
    return dcc.parse_trust_list((VECTORS / name).read_bytes())


def cose_bytes(v: dict[str, Any]) -> bytes:
    return zlib.decompress(base45.decode(v["PREFIX"][4:]))


def qr(message: bytes) -> str:
    return "HC1:" + base45.encode(zlib.compress(message, 9))


@pytest.mark.parametrize("name", NAMES)
class TestVectors:
    def test_valid_inside_its_window_with_what_it_says(self, name: str) -> None:
        v = vector(name)
        result = dcc.verify(v["PREFIX"], trust(name), at=inside(v))
        expected = v["EXPECTED"]
        assert result.verdict == dcc.Verdict.VALID
        assert result.issuer_country == expected["issuer_country"]
        assert result.issued_at.isoformat().replace("+00:00", "Z") == expected["issued_at"]
        assert result.expires_at.isoformat().replace("+00:00", "Z") == expected["expires_at"]
        assert result.vaccinations[0].disease == "840539006"

    def test_expired_now(self, name: str) -> None:
        v = vector(name)
        assert dcc.verify(v["PREFIX"], trust(name), at=NOW).verdict == dcc.Verdict.EXPIRED

    def test_not_yet_valid_before_it_was_issued(self, name: str) -> None:
        v = vector(name)
        early = datetime(2021, 1, 1, tzinfo=UTC)
        assert dcc.verify(v["PREFIX"], trust(name), at=early).verdict == dcc.Verdict.NOT_YET_VALID

    def test_unknown_signer_without_its_certificate(self, name: str) -> None:
        v = vector(name)
        other = NAMES[1 - NAMES.index(name)]
        result = dcc.verify(v["PREFIX"], trust(other), at=inside(v))
        assert result.verdict == dcc.Verdict.UNKNOWN_SIGNER

    def test_tampered_when_a_signed_byte_changes(self, name: str) -> None:
        v = vector(name)
        message = cose.decode_sign1(cose_bytes(v))
        payload = bytearray(message.payload)
        # A byte of the holder's name, inside the signed payload.
        payload[payload.index(b"nam") + 8] ^= 0x01
        forged = cose_bytes(v).replace(message.payload, bytes(payload))
        assert dcc.verify(qr(forged), trust(name), at=inside(v)).verdict == dcc.Verdict.TAMPERED

    def test_a_changed_character_of_the_qr_text_is_never_valid(self, name: str) -> None:
        v = vector(name)
        text = v["PREFIX"]
        for position in range(4, len(text), 7):
            swapped = "A" if text[position] != "A" else "B"
            changed = text[:position] + swapped + text[position + 1 :]
            verdict = dcc.verify(changed, trust(name), at=inside(v)).verdict
            assert verdict in {dcc.Verdict.TAMPERED, dcc.Verdict.UNREADABLE}


class TestUnreadable:
    @pytest.mark.parametrize(
        "text", ["", "hello", "HC1:", "HC1:!!!", "HC2:6BFOXN", "HC1:" + base45.encode(b"\x00" * 30)]
    )
    def test_what_is_not_a_certificate(self, text: str) -> None:
        result = dcc.verify(text, trust(NAMES[0]), at=NOW)
        assert result.verdict == dcc.Verdict.UNREADABLE

    def test_a_zip_bomb_is_refused(self) -> None:
        text = "HC1:" + base45.encode(zlib.compress(b"\x00" * 10_000_000))
        assert dcc.verify(text, trust(NAMES[0]), at=NOW).verdict == dcc.Verdict.UNREADABLE


class TestTrustList:
    def test_a_list_of_base64_certificates(self) -> None:
        raw = json.dumps([vector(n)["CERTIFICATE"] for n in NAMES]).encode()
        kids = [c.kid.hex() for c in dcc.parse_trust_list(raw)]
        assert kids == ["d919375fc1e7b6b2", "9471d184ca3d1968"]

    def test_a_bad_entry_is_named(self) -> None:
        raw = json.dumps({"certificates": [vector(NAMES[0])["CERTIFICATE"], "bm90IGEgY2VydA=="]})
        with pytest.raises(TrustListRejected) as caught:
            dcc.parse_trust_list(raw.encode())
        assert caught.value.problems[0].field == "certificates[1]"


class TestNeverACrash:
    @settings(max_examples=150, deadline=None)
    @given(st.text(max_size=300))
    def test_any_text(self, text: str) -> None:
        result = dcc.verify(text, trust(NAMES[0]), at=NOW)
        assert result.verdict in dcc.Verdict
        assert not result.message.startswith(FALLBACK)

    @settings(max_examples=150, deadline=None)
    @given(st.binary(max_size=400), st.booleans())
    def test_any_bytes_behind_the_prefix(self, data: bytes, compress: bool) -> None:
        body = zlib.compress(data) if compress else data
        result = dcc.verify("HC1:" + base45.encode(body), trust(NAMES[0]), at=NOW)
        assert result.verdict in dcc.Verdict
        assert not result.message.startswith(FALLBACK)

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.sampled_from(NAMES), st.data())
    def test_a_mutated_certificate_is_never_valid_with_other_content(
        self, name: str, data: st.DataObject
    ) -> None:
        v = vector(name)
        original = cose_bytes(v)
        position = data.draw(st.integers(0, len(original) - 1))
        value = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]))
        mutated = original[:position] + bytes([value]) + original[position + 1 :]
        result = dcc.verify(qr(mutated), trust(name), at=inside(v))
        assert not result.message.startswith(FALLBACK)
        if result.verdict == dcc.Verdict.VALID:
            # Only a change outside what is signed (the unprotected header) may still verify.
            kept = cose.decode_sign1(mutated)
            first = cose.decode_sign1(original)
            assert (kept.protected_bytes, kept.payload) == (first.protected_bytes, first.payload)


class TestCommand:
    def test_exit_0_only_for_a_valid_certificate(self) -> None:
        runner = CliRunner()
        v = vector(NAMES[0])
        path = str(VECTORS / NAMES[0])
        at = inside(v).isoformat()
        valid = runner.invoke(
            app, ["health", "verify-dcc", v["PREFIX"], "--trust", path, "--at", at]
        )
        assert valid.exit_code == 0, valid.output
        assert valid.output.startswith("verdict: valid")
        assert "issuer: AT" in valid.output
        expired = runner.invoke(app, ["health", "verify-dcc", v["PREFIX"], "--trust", path])
        assert expired.exit_code == 1
        assert expired.output.startswith("verdict: expired")
        other = str(VECTORS / NAMES[1])
        unknown = runner.invoke(app, ["health", "verify-dcc", v["PREFIX"], "--trust", other])
        assert unknown.output.startswith("verdict: unknown signer")
        assert unknown.exit_code == 1

    def test_json_output(self) -> None:
        v = vector(NAMES[1])
        result = CliRunner().invoke(
            app,
            ["health", "verify-dcc", v["PREFIX"], "--trust", str(VECTORS / NAMES[1]), "--json"],
        )
        assert json.loads(result.output)["verdict"] == "expired"

    def test_a_bad_time_is_one_line(self) -> None:
        v = vector(NAMES[0])
        path = str(VECTORS / NAMES[0])
        result = CliRunner().invoke(
            app, ["health", "verify-dcc", v["PREFIX"], "--trust", path, "--at", "yesterday"]
        )
        assert result.exit_code == 2
        assert "is not an ISO 8601 time" in result.output


class TestRecording:
    def _trust_both(self, session: Session) -> None:
        for name in NAMES:
            service.load_trust_list(
                session, raw=(VECTORS / name).read_bytes(), actor=service.system_actor("test")
            )

    def test_a_valid_certificate_of_the_pilgrim_adds_its_dose_once(
        self, session: Session, world
    ) -> None:
        self._trust_both(session)
        v = vector(NAMES[0])
        # The Austrian vector's holder, registered as a pilgrim of the first company.
        holder = registry_service.create_pilgrim(
            session,
            pilgrim_in=PilgrimCreate(
                surname="Musterfrau-Goessinger", given_names="Gabriele", sex="F",
                date_of_birth=date(1998, 2, 26), nationality="AUT", passport_number="P1234567",
                passport_expiry=date(2030, 1, 1), company_id=world.company_a.id,
            ),
            actor=service.system_actor("test"),
        )  # fmt: skip
        medic = world.actor("medic")
        first = service.record_certificate(
            session, pilgrim_id=holder.id, text=v["PREFIX"], actor=medic, at=inside(v)
        )
        again = service.record_certificate(
            session, pilgrim_id=holder.id, text=v["PREFIX"], actor=medic, at=inside(v)
        )
        assert (first.doses_added, again.doses_added) == (1, 0)
        record = service.get_record(session, pilgrim_id=holder.id, actor=medic, reason="check")
        [dose] = record.data.immunizations
        assert (dose.source, dose.country) == ("dcc", "AT")

    def test_a_certificate_of_someone_else_is_refused(self, session: Session, world) -> None:
        self._trust_both(session)
        v = vector(NAMES[1])
        with pytest.raises(CertificateRefused, match="date of birth differs"):
            service.record_certificate(
                session,
                pilgrim_id=world.pilgrim_a.id,
                text=v["PREFIX"],
                actor=world.actor("medic"),
                at=inside(v),
            )

    def test_an_expired_certificate_is_refused_with_its_verdict(
        self, session: Session, world
    ) -> None:
        self._trust_both(session)
        with pytest.raises(CertificateRefused, match="expired"):
            service.record_certificate(
                session,
                pilgrim_id=world.pilgrim_a.id,
                text=vector(NAMES[0])["PREFIX"],
                actor=world.actor("company"),
            )
