"""The health record: who may read and write it, its compliance, the season's rules."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import ValidationError
from sqlalchemy import Row, Select, delete, func, insert, select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope, system_actor
from labbaik.errors import FieldProblem, Forbidden
from labbaik.health import dcc, demo_records, ips
from labbaik.health import rules as rules_engine
from labbaik.health.crypto import Keyring, Sealed, keyring
from labbaik.health.errors import (
    CertificateRefused,
    HealthRecordNotFound,
    ReasonRequired,
    RulesRejected,
)
from labbaik.health.models import HealthRecord, RuleSet, TrustedSigner, VaccinationRule
from labbaik.health.schemas import (
    AllergySummary,
    CertificateRead,
    CompliancePage,
    ComplianceRead,
    ComplianceReason,
    ComplianceRow,
    ComplianceState,
    HealthData,
    HealthRecordRead,
    HealthSummary,
    RuleSetIn,
    RuleSetRead,
    VaccinationRuleIn,
    VaccinationRuleRead,
)
from labbaik.kit.pagination import PageRequest
from labbaik.kit.timeutil import utcnow
from labbaik.registry import service as registry_service

MIN_REASON = 3
# The rules of the demo season, as an operator would load them.
RULES_1447 = Path(__file__).parent / "data" / "rules_1447.json"
# Judging a season again after its rules change reaches every pilgrim of it, whoever asked.
_RULES_ACTOR = system_actor("health.rules")
NOT_COMPLIANT: tuple[ComplianceState, ...] = ("not_compliant", "no_record", "no_rules")


# Access ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pilgrim:
    id: uuid.UUID
    season_id: uuid.UUID
    company_id: uuid.UUID
    nationality: str


def _pilgrim_columns(stmt: Select[Any]) -> Select[Any]:
    sub = stmt.subquery()
    return select(sub.c.id, sub.c.season_id, sub.c.company_id, sub.c.nationality)


def _pilgrim(session: Session, *, pilgrim_id: uuid.UUID, actor: Actor, lookup: bool) -> _Pilgrim:
    """The pilgrim if the actor may reach them (a medic after a scan, a company its own)."""
    stmt = _pilgrim_columns(registry_service.pilgrims_for(actor, lookup=lookup))
    row = session.execute(stmt.where(stmt.selected_columns.id == pilgrim_id)).first()
    if row is None:
        raise HealthRecordNotFound("no such pilgrim")
    return _Pilgrim(*row)


def _require_clinical(actor: Actor, pilgrim_id: uuid.UUID) -> None:
    """Only a medic and the pilgrim themselves read clinical details.

    Decided before any query, so that a refusal says nothing about the pilgrim or the record.
    """
    if actor.can(Scope.HEALTH_READ):
        return
    if actor.can(Scope.OWN_RECORD) and actor.pilgrim_id is not None:
        if actor.pilgrim_id == pilgrim_id:
            return
        raise HealthRecordNotFound("no such pilgrim")
    raise Forbidden(f"the {actor.role.value} role may not read health records")


def _require_reason(actor: Actor, pilgrim_id: uuid.UUID, reason: str) -> str:
    reason = reason.strip()
    if actor.pilgrim_id == pilgrim_id:
        return reason or "own record"
    if len(reason) < MIN_REASON:
        raise ReasonRequired(
            "say why you read this health record (for example 'treatment at the Mina clinic')",
            problems=[FieldProblem("reason", "a reason of at least 3 characters is required")],
        )
    return reason[:500]


def _audit_read(
    session: Session, *, actor: Actor, pilgrim_id: uuid.UUID, what: str, reason: str | None
) -> None:
    auth_service.record(
        session,
        actor=actor,
        action=f"health.{what}",
        object_type="pilgrim",
        object_id=pilgrim_id,
        reason=reason,
    )


# Sealing ---------------------------------------------------------------------------------------


def seal(data: HealthData, *, pilgrim_id: uuid.UUID, keys: Keyring | None = None) -> Sealed:
    return (keys or keyring()).seal(data.model_dump_json().encode(), pilgrim_id=pilgrim_id)


def unseal(row: HealthRecord, *, keys: Keyring | None = None) -> HealthData:
    sealed = Sealed(row.key_id, row.sealed)
    plain = (keys or keyring()).open(sealed, pilgrim_id=row.pilgrim_id)
    return HealthData.model_validate_json(plain)


def _compliance(row: HealthRecord | None, pilgrim_id: uuid.UUID) -> ComplianceRead:
    if row is None:
        return ComplianceRead(
            pilgrim_id=pilgrim_id,
            status="no_record",
            reasons=[ComplianceReason(kind="no_record")],
        )
    return ComplianceRead(
        pilgrim_id=pilgrim_id,
        status=row.compliance_status,
        reasons=[ComplianceReason.model_validate(r) for r in row.compliance_reasons],
        assessed_at=row.assessed_at,
    )


def _record_read(row: HealthRecord, data: HealthData) -> HealthRecordRead:
    return HealthRecordRead(
        pilgrim_id=row.pilgrim_id,
        data=data,
        compliance=_compliance(row, row.pilgrim_id),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


# Rules -----------------------------------------------------------------------------------------


def _rule_set(session: Session, season_id: uuid.UUID) -> RuleSetIn | None:
    head = session.get(RuleSet, season_id)
    if head is None:
        return None
    rows = session.scalars(
        select(VaccinationRule)
        .where(VaccinationRule.season_id == season_id)
        .order_by(VaccinationRule.position)
    )
    season = next(s for s in registry_service.list_seasons(session) if s.id == season_id)
    return RuleSetIn(
        hijri_year=season.hijri_year,
        arrival_date=head.arrival_date,
        valid_through=head.valid_through,
        rules=[VaccinationRuleIn.model_validate(_rule_dict(r)) for r in rows],
    )


def _rule_dict(rule: VaccinationRule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "name_ar": rule.name_ar,
        "target_disease": rule.target_disease,
        "vaccines": rule.vaccines,
        "validity_months": rule.validity_months,
        "min_days_before_arrival": rule.min_days_before_arrival,
        "countries": rule.countries,
    }


def assess(
    data: HealthData, *, nationality: str, rules: RuleSetIn | None
) -> tuple[ComplianceState, list[ComplianceReason]]:
    if rules is None:
        return "no_rules", [ComplianceReason(kind="no_rules")]
    return rules_engine.judge(data, nationality=nationality, rules=rules)


def _set_compliance(
    row: HealthRecord, data: HealthData, *, nationality: str, rules: RuleSetIn | None
) -> None:
    status, reasons = assess(data, nationality=nationality, rules=rules)
    row.compliance_status = status
    row.compliance_reasons = [r.model_dump(mode="json") for r in reasons]
    row.assessed_at = utcnow()


def parse_rules(raw: bytes | str) -> RuleSetIn:
    """A rules file (JSON) checked whole: every problem named with its path."""
    try:
        return RuleSetIn.model_validate_json(raw)
    except ValidationError as exc:
        problems = [
            FieldProblem(".".join(str(p) for p in err["loc"]) or "file", err["msg"])
            for err in exc.errors()
        ]
        raise RulesRejected(
            "the rules file is not valid; nothing was changed", problems=problems
        ) from None


def load_rules(session: Session, *, rules_in: RuleSetIn, actor: Actor) -> RuleSetRead:
    """Replace a season's rules and judge every record of the season again."""
    auth_service.require(actor, Scope.SEASON_MANAGE)
    season = registry_service.season_by_year(session, hijri_year=rules_in.hijri_year)
    codes = [r.code for r in rules_in.rules]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise RulesRejected(
            "each rule needs its own code",
            problems=[FieldProblem("rules", f"the code {c!r} is used twice") for c in repeated],
        )
    if rules_in.valid_through < rules_in.arrival_date:
        raise RulesRejected(
            "valid_through must not be before arrival_date",
            problems=[FieldProblem("valid_through", "before arrival_date")],
        )
    head = session.get(RuleSet, season.id)
    if head is None:
        head = RuleSet(season_id=season.id)
        session.add(head)
    head.arrival_date = rules_in.arrival_date
    head.valid_through = rules_in.valid_through
    head.updated_at = utcnow()
    head.updated_by = actor.username
    session.flush()
    session.execute(delete(VaccinationRule).where(VaccinationRule.season_id == season.id))
    for position, rule in enumerate(rules_in.rules):
        values = rule.model_dump(mode="json")
        session.add(VaccinationRule(season_id=season.id, position=position, **values))
    session.flush()
    reassessed = reassess_season(session, season_id=season.id, rules=rules_in)
    auth_service.record(
        session,
        actor=actor,
        action="health.rules_load",
        object_type="season",
        object_id=season.id,
        detail={"rules": codes, "reassessed": reassessed},
    )
    return get_rules(session, hijri_year=rules_in.hijri_year)


def reassess_season(session: Session, *, season_id: uuid.UUID, rules: RuleSetIn | None) -> int:
    """Judge every record of a season again (after its rules changed); how many there were."""
    people = _pilgrim_columns(registry_service.pilgrims_for(_RULES_ACTOR)).subquery()
    stmt = (
        select(HealthRecord, people.c.nationality)
        .join(people, people.c.id == HealthRecord.pilgrim_id)
        .where(people.c.season_id == season_id)
    )
    keys = keyring()
    count = 0
    for row, nationality in session.execute(stmt):
        _set_compliance(row, unseal(row, keys=keys), nationality=nationality, rules=rules)
        count += 1
    session.flush()
    return count


def get_rules(session: Session, *, hijri_year: int) -> RuleSetRead:
    season = registry_service.season_by_year(session, hijri_year=hijri_year)
    head = session.get(RuleSet, season.id)
    if head is None:
        raise HealthRecordNotFound(f"the {hijri_year} AH season has no vaccination rules yet")
    rows = session.scalars(
        select(VaccinationRule)
        .where(VaccinationRule.season_id == season.id)
        .order_by(VaccinationRule.position)
    )
    return RuleSetRead(
        season_id=season.id,
        hijri_year=hijri_year,
        arrival_date=head.arrival_date,
        valid_through=head.valid_through,
        rules=[VaccinationRuleRead.model_validate({"id": r.id, **_rule_dict(r)}) for r in rows],
        updated_at=head.updated_at,
    )


# Reading ---------------------------------------------------------------------------------------


def get_record(
    session: Session, *, pilgrim_id: uuid.UUID, actor: Actor, reason: str
) -> HealthRecordRead:
    """The whole record, notes included: a medic (with a reason) or the pilgrim; audited."""
    _require_clinical(actor, pilgrim_id)
    reason = _require_reason(actor, pilgrim_id, reason)
    pilgrim = _pilgrim(session, pilgrim_id=pilgrim_id, actor=actor, lookup=True)
    row = session.get(HealthRecord, pilgrim.id)
    _audit_read(session, actor=actor, pilgrim_id=pilgrim.id, what="read", reason=reason)
    if row is None:
        raise HealthRecordNotFound("this pilgrim has no health record yet")
    return _record_read(row, unseal(row))


def card_health_summary(
    session: Session, *, pilgrim_id: uuid.UUID, actor: Actor, reason: str
) -> HealthSummary:
    """What a medic needs after a card scan (and what the phone card discloses to a medic).

    A pilgrim without a record gets an empty summary, so a scan always shows something.
    """
    _require_clinical(actor, pilgrim_id)
    reason = _require_reason(actor, pilgrim_id, reason)
    pilgrim = _pilgrim(session, pilgrim_id=pilgrim_id, actor=actor, lookup=True)
    row = session.get(HealthRecord, pilgrim.id)
    _audit_read(session, actor=actor, pilgrim_id=pilgrim.id, what="summary", reason=reason)
    data = unseal(row) if row is not None else HealthData()
    # The dangerous first: a high-criticality allergy leads.
    order = {"high": 0, "unable-to-assess": 1, None: 2, "low": 3}
    allergies = sorted(data.allergies, key=lambda a: order[a.criticality])
    return HealthSummary(
        pilgrim_id=pilgrim.id,
        blood_type=data.blood_type,
        allergies=[
            AllergySummary(text=a.text, code=a.code, criticality=a.criticality) for a in allergies
        ],
        conditions=data.conditions,
        medications=data.medications,
        fitness_flags=data.fitness_flags,
        compliance=_compliance(row, pilgrim.id),
        updated_at=row.updated_at if row is not None else None,
    )


def _compliance_reach(actor: Actor, pilgrim_id: uuid.UUID) -> bool:
    """Whether the actor may see a compliance status; the lookup reach for a medic."""
    if actor.can(Scope.HEALTH_READ):
        return True
    if actor.pilgrim_id is not None and actor.can(Scope.OWN_RECORD):
        if actor.pilgrim_id != pilgrim_id:
            raise HealthRecordNotFound("no such pilgrim")
        return False
    if not actor.can(Scope.HEALTH_COMPLIANCE):
        raise Forbidden(f"the {actor.role.value} role may not see health compliance")
    return False


def compliance_status(session: Session, *, pilgrim_id: uuid.UUID, actor: Actor) -> ComplianceRead:
    """Status and reasons, no clinical detail: also for the pilgrim's company (its own only)."""
    lookup = _compliance_reach(actor, pilgrim_id)
    pilgrim = _pilgrim(session, pilgrim_id=pilgrim_id, actor=actor, lookup=lookup)
    row = session.get(HealthRecord, pilgrim.id)
    _audit_read(session, actor=actor, pilgrim_id=pilgrim.id, what="compliance_read", reason=None)
    return _compliance(row, pilgrim.id)


# The company's list ----------------------------------------------------------------------------


def _compliance_query(
    session: Session,
    *,
    actor: Actor,
    status: str | None,
    company_id: uuid.UUID | None,
) -> Select[Any]:
    if not (actor.can(Scope.HEALTH_COMPLIANCE) and actor.can(Scope.REGISTRY_READ)):
        raise Forbidden(f"the {actor.role.value} role may not list health compliance")
    season = registry_service.current_season(session)
    people = registry_service.pilgrims_for(actor).subquery()
    stmt = (
        select(
            people.c.id,
            people.c.surname,
            people.c.given_names,
            people.c.nationality,
            people.c.passport_number,
            people.c.group_id,
            HealthRecord.compliance_status,
            HealthRecord.compliance_reasons,
        )
        .select_from(people)
        .outerjoin(HealthRecord, HealthRecord.pilgrim_id == people.c.id)
        .where(people.c.season_id == season.id)
    )
    if company_id is not None:
        stmt = stmt.where(people.c.company_id == company_id)
    if status == "not_compliant":
        stmt = stmt.where(
            (HealthRecord.compliance_status != "compliant") | HealthRecord.pilgrim_id.is_(None)
        )
    elif status == "no_record":
        stmt = stmt.where(HealthRecord.pilgrim_id.is_(None))
    elif status:
        stmt = stmt.where(HealthRecord.compliance_status == status)
    return stmt


def _compliance_row(row: Row[Any], show_passport: bool) -> ComplianceRow:
    values: tuple[Any, ...] = tuple(row)
    pid, surname, given, nationality, passport, group_id, status, reasons = values
    if status is None:
        status, reasons = "no_record", [ComplianceReason(kind="no_record").model_dump()]
    return ComplianceRow(
        pilgrim_id=pid,
        surname=surname,
        given_names=given,
        nationality=nationality,
        passport_number=passport if show_passport else None,
        group_id=group_id,
        status=status,
        reasons=[ComplianceReason.model_validate(r) for r in reasons],
    )


def list_compliance(
    session: Session,
    *,
    actor: Actor,
    page: PageRequest,
    status: str | None = None,
    company_id: uuid.UUID | None = None,
) -> CompliancePage:
    """The season's pilgrims the actor may list with their status; one audit entry a page."""
    stmt = _compliance_query(session, actor=actor, status=status, company_id=company_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    everyone = _compliance_query(session, actor=actor, status=None, company_id=company_id)
    sub = everyone.subquery()
    counts = {"compliant": 0, "not_compliant": 0, "no_record": 0, "no_rules": 0}
    tally = select(sub.c.compliance_status, func.count()).group_by(sub.c.compliance_status)
    for state, count in session.execute(tally):
        counts[state or "no_record"] = count
    cols = stmt.selected_columns
    rows = session.execute(
        stmt.order_by(cols.surname, cols.given_names, cols.id).offset(page.offset).limit(page.size)
    )
    show = actor.can(Scope.PASSPORT_READ)
    items = [_compliance_row(r, show) for r in rows]
    auth_service.record(
        session,
        actor=actor,
        action="health.compliance_list",
        object_type="pilgrim",
        detail={"status": status, "page": page.page, "returned": len(items)},
    )
    return CompliancePage(items=items, total=total, page=page.page, size=page.size, counts=counts)


EXPORT_COLUMNS = (
    "surname",
    "given_names",
    "nationality",
    "passport_number",
    "status",
    "reasons",
)


def _export_rows(rows: Iterable[ComplianceRow]) -> Iterator[dict[str, str]]:
    for row in rows:
        yield {
            "surname": row.surname,
            "given_names": row.given_names,
            "nationality": row.nationality,
            "passport_number": row.passport_number or "",
            "status": row.status,
            "reasons": "; ".join(r.message for r in row.reasons),
        }


def export_compliance(
    session: Session,
    *,
    actor: Actor,
    stream: IO[bytes],
    fmt: Literal["csv", "xlsx"],
    status: str | None = None,
    company_id: uuid.UUID | None = None,
) -> int:
    """Write the list (CSV in UTF-8 with BOM, or XLSX) as the registry's exports are written."""
    stmt = _compliance_query(session, actor=actor, status=status, company_id=company_id)
    cols = stmt.selected_columns
    show = actor.can(Scope.PASSPORT_READ)
    result = session.execute(stmt.order_by(cols.surname, cols.given_names, cols.id))
    rows = (_compliance_row(r, show) for r in result)
    count = registry_service.write_table(
        stream, rows=_export_rows(rows), columns=EXPORT_COLUMNS, fmt=fmt, title="Compliance"
    )
    auth_service.record(
        session,
        actor=actor,
        action="health.compliance_export",
        object_type="pilgrim",
        detail={"status": status, "format": fmt, "rows": count},
    )
    return count


# Writing ---------------------------------------------------------------------------------------


def _store(
    session: Session,
    *,
    pilgrim: _Pilgrim,
    row: HealthRecord | None,
    data: HealthData,
    actor: Actor,
    action: str,
) -> HealthRecord:
    sealed = seal(data, pilgrim_id=pilgrim.id)
    rules = _rule_set(session, pilgrim.season_id)
    now = utcnow()
    if row is None:
        row = HealthRecord(pilgrim_id=pilgrim.id, created_at=now)
    row.key_id, row.sealed = sealed.key_id, sealed.blob
    row.updated_at, row.updated_by = now, actor.username
    _set_compliance(row, data, nationality=pilgrim.nationality, rules=rules)
    session.add(row)
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action=action,
        object_type="pilgrim",
        object_id=pilgrim.id,
        detail={"status": row.compliance_status},
    )
    return row


def save_record(
    session: Session, *, pilgrim_id: uuid.UUID, data: HealthData, actor: Actor
) -> HealthRecordRead:
    """Replace the whole record: a medic, who can read what they replace."""
    auth_service.require(actor, Scope.HEALTH_WRITE)
    auth_service.require(actor, Scope.HEALTH_READ)
    pilgrim = _pilgrim(session, pilgrim_id=pilgrim_id, actor=actor, lookup=True)
    row = session.get(HealthRecord, pilgrim.id)
    row = _store(session, pilgrim=pilgrim, row=row, data=data, actor=actor, action="health.write")
    return _record_read(row, data)


def _same_dose(a: Any, b: Any) -> bool:
    return bool(a.date == b.date and a.vaccine == b.vaccine and a.text == b.text)


def merge(old: HealthData, new: HealthData) -> HealthData:
    """Add what is new to what is there; a repeated entry is not added twice."""
    merged = old.model_copy(deep=True)
    if new.blood_type:
        merged.blood_type = new.blood_type
    for name in ("allergies", "conditions", "medications"):
        have = getattr(merged, name)
        have.extend(item for item in getattr(new, name) if item not in have)
    for dose in new.immunizations:
        if not any(_same_dose(dose, d) for d in merged.immunizations):
            merged.immunizations.append(dose)
    merged.fitness_flags = list(dict.fromkeys([*merged.fitness_flags, *new.fitness_flags]))
    if new.notes:
        merged.notes = (merged.notes + "\n" + new.notes).strip()[:4000]
    merged.origin_country = new.origin_country or merged.origin_country
    transit = [*merged.transit_countries, *new.transit_countries]
    merged.transit_countries = list(dict.fromkeys(transit))
    merged.arrival_date = new.arrival_date or merged.arrival_date
    return HealthData.model_validate(merged.model_dump())


def add_entries(
    session: Session, *, pilgrim_id: uuid.UUID, data: HealthData, actor: Actor
) -> ComplianceRead:
    """Add entries to a record: a medic, or the pilgrim's company, which never reads it back."""
    auth_service.require(actor, Scope.HEALTH_WRITE)
    lookup = actor.can(Scope.HEALTH_READ)
    pilgrim = _pilgrim(session, pilgrim_id=pilgrim_id, actor=actor, lookup=lookup)
    row = session.get(HealthRecord, pilgrim.id)
    merged = merge(unseal(row), data) if row is not None else data
    row = _store(session, pilgrim=pilgrim, row=row, data=merged, actor=actor, action="health.add")
    return _compliance(row, pilgrim.id)


def rotate_key(session: Session, *, keys: Keyring, actor: Actor, batch: int = 500) -> int:
    """Re-encrypt every record not under the current key; how many were re-encrypted."""
    auth_service.require(actor, Scope.ACCOUNT_MANAGE)
    count = 0
    while True:
        rows = session.scalars(
            select(HealthRecord)
            .where(HealthRecord.key_id != keys.current)
            .order_by(HealthRecord.pilgrim_id)
            .limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            sealed = seal(unseal(row, keys=keys), pilgrim_id=row.pilgrim_id, keys=keys)
            row.key_id, row.sealed = sealed.key_id, sealed.blob
        session.flush()
        count += len(rows)
    auth_service.record(
        session,
        actor=actor,
        action="health.rotate_key",
        object_type="health_record",
        detail={"key_id": keys.current, "records": count},
    )
    return count


def key_usage(session: Session) -> dict[str, int]:
    rows = session.execute(select(HealthRecord.key_id, func.count()).group_by(HealthRecord.key_id))
    return {str(key_id): int(count) for key_id, count in rows}


# FHIR IPS ----------------------------------------------------------------------------------------


def _from_ips(old: HealthData | None, new: HealthData) -> HealthData:
    """The summary replaces the clinical lists; doses proved by a signed certificate stay,
    and a dose already known keeps where it came from."""
    if old is None:
        return new
    doses = []
    for dose in new.immunizations:
        known = next((d for d in old.immunizations if _same_dose(d, dose)), None)
        doses.append(known or dose)
    doses += [d for d in old.immunizations if d.source == "dcc" and not any(d is k for k in doses)]
    return old.model_copy(
        update={
            "blood_type": new.blood_type or old.blood_type,
            "allergies": new.allergies,
            "conditions": new.conditions,
            "medications": new.medications,
            "immunizations": doses,
        }
    )


def import_ips(
    session: Session, *, pilgrim_id: uuid.UUID, raw: bytes | str, actor: Actor
) -> ComplianceRead:
    """Read an IPS bundle into the record; a bad bundle is refused whole with every problem."""
    auth_service.require(actor, Scope.HEALTH_WRITE)
    lookup = actor.can(Scope.HEALTH_READ)
    pilgrim = _pilgrim(session, pilgrim_id=pilgrim_id, actor=actor, lookup=lookup)
    bundle = ips.load(raw)
    ips.check(bundle)
    ips.check_subject(bundle, pilgrim_id=pilgrim.id)
    new = ips.to_record(bundle)
    row = session.get(HealthRecord, pilgrim.id)
    data = _from_ips(unseal(row) if row is not None else None, new)
    row = _store(
        session, pilgrim=pilgrim, row=row, data=data, actor=actor, action="health.import_ips"
    )
    return _compliance(row, pilgrim.id)


def export_ips(
    session: Session, *, pilgrim_id: uuid.UUID, actor: Actor, reason: str
) -> dict[str, Any]:
    """The record as an IPS document bundle: a read like any other, so audited with its reason."""
    _require_clinical(actor, pilgrim_id)
    reason = _require_reason(actor, pilgrim_id, reason)
    person = registry_service.get_pilgrim(
        session, pilgrim_id=pilgrim_id, actor=actor, reason=reason
    )
    row = session.get(HealthRecord, person.id)
    _audit_read(session, actor=actor, pilgrim_id=person.id, what="export_ips", reason=reason)
    if row is None:
        raise HealthRecordNotFound("this pilgrim has no health record yet")
    facts = ips.PatientFacts(
        pilgrim_id=person.id,
        family=person.surname,
        given=person.given_names,
        gender=person.sex,
        birth_date=person.date_of_birth,
    )
    return ips.to_bundle(unseal(row), patient=facts, now=utcnow())


# The demo season -------------------------------------------------------------------------------

_BULK = 2_000


def _insert_many(session: Session, rows: list[dict[str, Any]]) -> int:
    # The table's own insert, one executemany: the ORM's bookkeeping per row costs more here
    # than the encryption does.
    session.connection().execute(insert(HealthRecord), rows)
    return len(rows)


def seed_demo(session: Session, *, seed: int, actor: Actor) -> int:
    """Load the demo season's rules and give every pilgrim of the season a record, in bulk."""
    auth_service.require(actor, Scope.ACCOUNT_MANAGE)
    season = registry_service.current_season(session)
    rules_in = parse_rules(RULES_1447.read_bytes()).model_copy(
        update={"hijri_year": season.hijri_year}
    )
    load_rules(session, rules_in=rules_in, actor=actor)
    people = registry_service.pilgrims_for(actor).subquery()
    stmt = (
        select(people.c.id, people.c.nationality, people.c.date_of_birth)
        .where(people.c.season_id == season.id)
        .order_by(people.c.id)
    )
    rng = random.Random(seed)
    keys = keyring()
    now = utcnow()
    arrival = rules_in.arrival_date
    batch: list[dict[str, Any]] = []
    count = 0
    for pilgrim_id, nationality, born in session.execute(stmt):
        age = arrival.year - born.year
        data = demo_records.demo_record(rng, nationality=nationality, age=age, arrival=arrival)
        status, reasons = rules_engine.judge(data, nationality=nationality, rules=rules_in)
        sealed = seal(data, pilgrim_id=pilgrim_id, keys=keys)
        batch.append(
            {
                "pilgrim_id": pilgrim_id,
                "key_id": sealed.key_id,
                "sealed": sealed.blob,
                "compliance_status": status,
                "compliance_reasons": [r.model_dump(mode="json") for r in reasons],
                "assessed_at": now,
                "created_at": now,
                "updated_at": now,
                "updated_by": actor.username,
            }
        )
        if len(batch) >= _BULK:
            count += _insert_many(session, batch)
            batch = []
    if batch:
        count += _insert_many(session, batch)
    auth_service.record(
        session,
        actor=actor,
        action="health.demo_seed",
        object_type="season",
        object_id=season.id,
        detail={"records": count},
    )
    return count


# Signed health certificates --------------------------------------------------------------------


def load_trust_list(session: Session, *, raw: bytes, actor: Actor) -> int:
    """Add the signer certificates of a trust list file; how many were new."""
    auth_service.require(actor, Scope.SEASON_MANAGE)
    added = 0
    for cert in dcc.parse_trust_list(raw):
        fingerprint = hashlib.sha256(cert.der).hexdigest()
        if session.scalar(select(TrustedSigner.id).where(TrustedSigner.fingerprint == fingerprint)):
            continue
        session.add(
            TrustedSigner(
                kid=cert.kid.hex(),
                fingerprint=fingerprint,
                country=cert.country[:2] if cert.country else None,
                subject=cert.subject,
                certificate=cert.der,
            )
        )
        added += 1
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action="health.trust_load",
        object_type="trusted_signer",
        detail={"added": added},
    )
    return added


def trust_list(session: Session) -> list[dcc.TrustedCertificate]:
    return [dcc.trusted(der) for der in session.scalars(select(TrustedSigner.certificate))]


def _born_as_stated(stated: str | None, born: date) -> bool:
    # A certificate may give only the year, or the year and month.
    return not stated or born.isoformat().startswith(stated[:10])


def record_certificate(
    session: Session,
    *,
    pilgrim_id: uuid.UUID,
    text: str,
    actor: Actor,
    at: datetime | None = None,
) -> CertificateRead:
    """Verify a pilgrim's EU DCC / GDHCN certificate against the trust list; add what it proves.

    Only a valid certificate of this pilgrim (same date of birth) changes the record; the same
    certificate again adds nothing.
    """
    auth_service.require(actor, Scope.HEALTH_WRITE)
    lookup = actor.can(Scope.HEALTH_READ)
    stmt = registry_service.pilgrims_for(actor, lookup=lookup).subquery()
    row = session.execute(
        select(
            stmt.c.id, stmt.c.season_id, stmt.c.company_id, stmt.c.nationality, stmt.c.date_of_birth
        ).where(stmt.c.id == pilgrim_id)
    ).first()
    if row is None:
        raise HealthRecordNotFound("no such pilgrim")
    pilgrim = _Pilgrim(row[0], row[1], row[2], row[3])
    result = dcc.verify(text, trust_list(session), at=at or utcnow())
    if result.verdict != dcc.Verdict.VALID:
        raise CertificateRefused(
            f"the certificate is not accepted: {result.verdict.value} ({result.message})",
            problems=[FieldProblem("certificate", result.message)],
        )
    if not _born_as_stated(result.date_of_birth, row[4]):
        raise CertificateRefused(
            "the certificate is of another person: the date of birth differs",
            problems=[FieldProblem("certificate", "the date of birth differs")],
        )
    record_row = session.get(HealthRecord, pilgrim.id)
    old = unseal(record_row) if record_row is not None else HealthData()
    known = {d.certificate_id for d in old.immunizations if d.certificate_id}
    proved = [d for d in dcc.immunizations(result) if d.certificate_id not in known]
    data = old.model_copy(update={"immunizations": [*old.immunizations, *proved]})
    record_row = _store(
        session, pilgrim=pilgrim, row=record_row, data=data, actor=actor, action="health.dcc"
    )
    return CertificateRead(
        verdict=result.verdict.value,
        message=result.message,
        issuer_country=result.issuer_country,
        issued_at=result.issued_at,
        expires_at=result.expires_at,
        doses_added=len(proved),
        compliance=_compliance(record_row, pilgrim.id),
    )
