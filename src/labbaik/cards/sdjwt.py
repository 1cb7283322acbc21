"""The phone credential: an SD-JWT VC (RFC 9901) with the pilgrim's fuller record.

The printed card holds the minimum; the phone holds more (residence, the group leader, later the
Tafweej schedule and the health summary), each claim selectively disclosable. A holder shows a
field worker everything but health, and a medic health too. The issuer-signed JWT is signed by
the season's card signer through the same `Signer` interface as the printed card (ES256 r || s is
also the JWS signature format), so one key and one trust list serve both.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from cryptography.hazmat.primitives.serialization import load_der_public_key
from jwcrypto.jwk import JWK
from jwcrypto.jws import InvalidJWSSignature
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope, system_actor
from labbaik.cards import keys, service
from labbaik.health import service as health_service
from labbaik.kit import cose
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.registry import service as registry_service
from labbaik.registry.schemas import LodgingRead
from labbaik.settings import get_settings
from labbaik.tafweej import service as tafweej_service
from labbaik.tafweej.errors import NoPublishedPlan

TYP = "dc+sd-jwt"
VCT = "urn:labbaik:hajj-card:1"
SKEW_SECONDS = 300
# Claims shown to every verifier that the holder presents to; health only to a medic's.
HEALTH_CLAIM = "health"
# The movements of the days ahead that the phone keeps (the whole of 8 to 13 Dhu al-Hijjah).
SCHEDULE_STEPS = 12
ALG_NAMES = {cose.Algorithm.ES256: "ES256", cose.Algorithm.EDDSA: "EdDSA"}

PhoneVerdictCode = Literal[
    "valid", "expired", "not_yet_valid", "unknown_signer", "tampered", "unreadable"
]


@dataclass(frozen=True)
class PhoneRecord:
    """What the phone credential says about its holder.

    `schedule` and `health` stay None until the Tafweej and health domains provide them (through
    `labbaik.cards.service`'s composition of the record); nothing is invented in their place.
    """

    card_number: str
    surname: str
    given_names: str
    surname_ar: str | None
    given_names_ar: str | None
    nationality: str
    sex: str
    language: str
    company: Mapping[str, str | None]
    group: Mapping[str, str | None] | None
    residence: Mapping[str, Mapping[str, str | None]]
    issued_at: datetime
    expires_at: datetime
    schedule: list[Mapping[str, Any]] | None = None
    health: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class PhoneVerdict:
    verdict: PhoneVerdictCode
    reason: str
    claims: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


class _Issuer(SDJWTIssuer):  # type: ignore[misc]
    """The package's issuer, with the JWS made by a `Signer` instead of a key in memory."""

    def __init__(self, user_claims: dict[str, Any], signer: cose.Signer) -> None:
        self._signer = signer
        super().__init__(user_claims, issuer_key=None, sign_alg=ALG_NAMES[signer.alg])

    def _create_signed_jws(self) -> None:
        header = {
            "alg": ALG_NAMES[self._signer.alg],
            "typ": TYP,
            "kid": base64.b64encode(self._signer.kid).decode("ascii"),
        }
        signing_input = (
            _b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64url(json.dumps(self.sd_jwt_payload, separators=(",", ":")).encode())
        )
        signature = self._signer.sign(signing_input.encode("ascii"))
        self.serialized_sd_jwt = signing_input + "." + _b64url(signature)


def _claims(record: PhoneRecord, issuer: str) -> dict[str, Any]:
    sections: dict[str, Any] = {
        "surname": record.surname,
        "given_names": record.given_names,
        "surname_ar": record.surname_ar,
        "given_names_ar": record.given_names_ar,
        "nationality": record.nationality,
        "sex": record.sex,
        "language": record.language,
        "company": dict(record.company),
        "group": dict(record.group) if record.group else None,
        "residence": {site: dict(place) for site, place in record.residence.items()},
        "schedule": record.schedule,
        HEALTH_CLAIM: dict(record.health) if record.health else None,
    }
    claims: dict[Any, Any] = {
        "iss": issuer,
        "vct": VCT,
        "sub": record.card_number,
        "iat": int(as_utc(record.issued_at).timestamp()),
        "exp": int(as_utc(record.expires_at).timestamp()),
    }
    for name, value in sections.items():
        if value is not None:
            claims[SDObj(name)] = value
    return claims


def issue(record: PhoneRecord, signer: cose.Signer, *, issuer: str) -> str:
    """The SD-JWT with every disclosure, as the holder's phone keeps it."""
    sd_jwt: str = _Issuer(_claims(record, issuer), signer).sd_jwt_issuance
    return sd_jwt


def present(issuance: str, *, health: bool) -> str:
    """What the holder shows a verifier: every claim, and the health summary only if asked to."""
    holder = SDJWTHolder(issuance)
    payload = holder.sd_jwt_payload
    disclosable = [
        decoded[1]
        for digest, decoded in holder._hash_to_decoded_disclosure.items()
        if digest in payload.get("_sd", []) and len(decoded) == 3
    ]
    chosen = {name: True for name in disclosable if health or name != HEALTH_CLAIM}
    holder.create_presentation(chosen)
    presentation: str = holder.sd_jwt_presentation
    return presentation


def _issuer_key(trust: Mapping[str, Any]) -> Any:
    def lookup(_issuer: str, header: Mapping[str, Any]) -> JWK:
        if header.get("typ") != TYP:
            raise _Refused("unreadable", f"the credential's type is not {TYP}")
        entry = trust.get("keys", {}).get(header.get("kid"))
        if entry is None:
            raise _Refused("unknown_signer", "no trusted signer has this key id")
        if entry["alg"] != header.get("alg"):
            raise _Refused("tampered", "the algorithm does not match the signer's key")
        return JWK.from_pyca(load_der_public_key(base64.b64decode(entry["spki"])))

    return lookup


class _Refused(Exception):
    def __init__(self, verdict: PhoneVerdictCode, reason: str) -> None:
        super().__init__(reason)
        self.verdict: PhoneVerdictCode = verdict
        self.reason = reason


def _referenced(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        found.update(d for d in node.get("_sd", []) if isinstance(d, str))
        if isinstance(node.get("..."), str):
            found.add(node["..."])
        for value in node.values():
            found |= _referenced(value)
    elif isinstance(node, list):
        for value in node:
            found |= _referenced(value)
    return found


def verify(
    presentation: str, *, trust: Mapping[str, Any], at: datetime, health: bool
) -> PhoneVerdict:
    """One verdict for a presentation, checking what the package leaves to its caller: the
    validity period, that every disclosure is one the issuer signed a digest of, and that a
    verifier without the right to health data gets none even if the holder sent it."""
    try:
        verifier = SDJWTVerifier(presentation, _issuer_key(trust))
        claims: dict[str, Any] = verifier.get_verified_payload()
        signed = verifier._sd_jwt_payload
        unknown = set(verifier._hash_to_decoded_disclosure) - _referenced(signed)
        if unknown:
            raise _Refused("tampered", "a disclosure was not signed by the issuer")
    except _Refused as refused:
        return PhoneVerdict(refused.verdict, refused.reason)
    except InvalidJWSSignature:
        return PhoneVerdict("tampered", "the signature does not match the credential")
    except Exception as exc:  # any malformed input is a verdict, never a crash
        return PhoneVerdict("unreadable", f"not an SD-JWT this verifier can read: {exc}"[:200])
    now = as_utc(at).timestamp()
    if claims.get("vct") != VCT:
        return PhoneVerdict("unreadable", f"the credential is not of type {VCT}")
    exp, iat, nbf = claims.get("exp"), claims.get("iat"), claims.get("nbf", claims.get("iat"))
    if not isinstance(exp, int) or not isinstance(iat, int) or not isinstance(nbf, int):
        return PhoneVerdict("unreadable", "the credential has no valid iat and exp")
    if now > exp:
        return PhoneVerdict("expired", "the credential's validity has ended")
    if now + SKEW_SECONDS < nbf:
        return PhoneVerdict("not_yet_valid", "the credential is not valid yet")
    if not health:
        claims.pop(HEALTH_CLAIM, None)
    return PhoneVerdict("valid", "signature and validity checked", claims)


# The record from the domains that hold it ---------------------------------------------------


def _place(lodging: LodgingRead) -> dict[str, str | None]:
    return {
        "code": lodging.code,
        "name": lodging.name,
        "name_ar": lodging.name_ar,
        "address": lodging.address,
    }


def _schedule(
    session: Session, *, pilgrim_id: uuid.UUID, actor: Actor
) -> list[Mapping[str, Any]] | None:
    """The group's next movements, or None before the plan is published or without a group."""
    try:
        steps = tafweej_service.next_steps(
            session, pilgrim_id=pilgrim_id, actor=actor, limit=SCHEDULE_STEPS
        )
    except NoPublishedPlan:
        return None
    return [step.model_dump(mode="json") for step in steps] or None


def phone_record(session: Session, *, pilgrim_id: uuid.UUID, actor: Actor) -> PhoneRecord:
    """The one place the phone credential's record is put together from its domains.

    The registry gives identity, residence and the group; the card gives the validity; Tafweej
    the group's next movements; health the summary a medic needs (read for the pilgrim, and
    audited by the health domain). Another domain's claims join here.
    """
    card = service.card_for_pilgrim(session, pilgrim_id=pilgrim_id, actor=actor)
    pilgrim = registry_service.get_pilgrim(
        session, pilgrim_id=pilgrim_id, actor=actor, reason="the phone credential"
    )
    # The pilgrim's own company, group and lodgings: read for the credential, not as a search.
    reader = system_actor("cards.phone")
    company = registry_service.get_company(session, company_id=pilgrim.company_id, actor=reader)
    group = (
        registry_service.get_group(session, group_id=pilgrim.group_id, actor=reader)
        if pilgrim.group_id
        else None
    )
    sites = {
        "makkah": pilgrim.makkah_lodging_id,
        "madinah": pilgrim.madinah_lodging_id,
        "mina": pilgrim.mina_camp_id,
        "arafat": pilgrim.arafat_camp_id,
    }
    residence = {
        site: _place(registry_service.get_lodging(session, lodging_id=lodging_id))
        for site, lodging_id in sites.items()
        if lodging_id
    }
    return PhoneRecord(
        card_number=card.card_number,
        surname=pilgrim.surname,
        given_names=pilgrim.given_names,
        surname_ar=pilgrim.surname_ar,
        given_names_ar=pilgrim.given_names_ar,
        nationality=pilgrim.nationality,
        sex=pilgrim.sex,
        language=pilgrim.language,
        company={"code": company.code, "name": company.name, "phone": company.contact_phone},
        group=(
            {
                "code": group.code,
                "leader_name": group.leader_name,
                "leader_phone": group.leader_phone,
            }
            if group
            else None
        ),
        residence=residence,
        issued_at=utcnow(),
        expires_at=card.expires_at,
        schedule=_schedule(session, pilgrim_id=pilgrim_id, actor=actor),
        health=health_service.card_health_summary(
            session, pilgrim_id=pilgrim_id, actor=actor, reason="the phone credential"
        ).model_dump(mode="json", exclude={"pilgrim_id"}),
    )


def issue_for_pilgrim(session: Session, *, pilgrim_id: uuid.UUID, actor: Actor) -> str:
    """A fresh phone credential for a pilgrim with a valid card, signed by the season's signer."""
    record = phone_record(session, pilgrim_id=pilgrim_id, actor=actor)
    season = registry_service.current_season(session)
    _, signer = keys.current_signer(session, season=season.hijri_year)
    auth_service.record(
        session,
        actor=actor,
        action="card.phone_credential",
        object_type="pilgrim",
        object_id=pilgrim_id,
        detail={"card_number": record.card_number},
    )
    return issue(record, signer, issuer=get_settings().card_issuer)


def verify_presentation(
    session: Session, *, presentation: str, reason: str, actor: Actor
) -> PhoneVerdict:
    """A verifier's check of a presentation against this server's trust list; health claims are
    kept only for an actor who may read health data. Every check is audited."""
    auth_service.require(actor, Scope.CARD_SCAN)
    verdict = verify(
        presentation,
        trust=service.trust_document(session),
        at=utcnow(),
        health=actor.can(Scope.HEALTH_READ),
    )
    auth_service.record(
        session,
        actor=actor,
        action="card.phone_verify",
        object_type="card",
        reason=reason,
        detail={
            "verdict": verdict.verdict,
            "card_number": (verdict.claims or {}).get("sub"),
            "health_shown": bool(verdict.claims and HEALTH_CLAIM in verdict.claims),
        },
    )
    return verdict
