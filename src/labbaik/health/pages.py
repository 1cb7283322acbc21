"""Pages of the health record: the medic's view, the pilgrim's own, entry, compliance, rules."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from labbaik.auth.deps import Csrf, PageActor
from labbaik.auth.roles import Actor, Scope
from labbaik.db import settle_error
from labbaik.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from labbaik.health import certificates, service
from labbaik.health.schemas import (
    FITNESS_FLAGS,
    Allergy,
    Coding,
    Condition,
    HealthData,
    Immunization,
    Medication,
    RuleSetRead,
)
from labbaik.kit.pagination import PageRequest, page_count
from labbaik.registry import service as registry_service
from labbaik.web import nav
from labbaik.web.deps import DbSession
from labbaik.web.templating import lang_of, render

router = APIRouter(include_in_schema=False)

nav.register("/health", "Health", roles={"medic", "admin"}, order=40)
nav.register("/health/me", "My health", roles={"pilgrim"}, order=40)
nav.register("/health/compliance", "Vaccinations", roles={"company", "operator", "admin"}, order=40)
nav.register("/health/rules", "Vaccination rules", roles={"operator", "admin"}, order=45)

PAGE_SIZE = 50
MAX_RULES_BYTES = 1_000_000
# Reasons a medic picks from in one tap; any other may be typed.
REASONS = ("Treatment", "Emergency", "Clinic visit", "Transfer to hospital")
STATUSES = ("not_compliant", "no_record", "compliant")


def _person(session: Session, pilgrim_id: uuid.UUID, actor: Actor, reason: str) -> Any:
    return registry_service.get_pilgrim(session, pilgrim_id=pilgrim_id, actor=actor, reason=reason)


# The medic's and the pilgrim's views -----------------------------------------------------------


@router.get("/health")
def lookup(
    request: Request, actor: PageActor, pilgrim: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    """Where a medic opens a record by the pilgrim's id (a card scan brings them straight in)."""
    if not actor.can(Scope.HEALTH_READ):
        raise Forbidden(f"the {actor.role.value} role may not read health records")
    if pilgrim.strip():
        try:
            target = uuid.UUID(pilgrim.strip())
        except ValueError:
            raise InvalidInput(f"{pilgrim[:40]!r} is not a pilgrim's id") from None
        return RedirectResponse(f"/health/pilgrims/{target}", status_code=303)
    return render(request, "health/lookup.html", {})


@router.get("/health/pilgrims/{pilgrim_id:uuid}")
def ask_reason(request: Request, actor: PageActor, pilgrim_id: uuid.UUID) -> Response:
    """A medic says why before the record opens; nothing is read until then."""
    if actor.pilgrim_id == pilgrim_id:
        return RedirectResponse("/health/me", status_code=303)
    if not actor.can(Scope.HEALTH_READ):
        raise Forbidden(f"the {actor.role.value} role may not read health records")
    return render(request, "health/reason.html", {"pilgrim_id": pilgrim_id, "reasons": REASONS})


def _summary_page(
    request: Request, session: Session, actor: Actor, pilgrim_id: uuid.UUID, reason: str
) -> Response:
    summary = service.card_health_summary(
        session, pilgrim_id=pilgrim_id, actor=actor, reason=reason
    )
    person = _person(session, pilgrim_id, actor, reason)
    context = {
        "s": summary,
        "p": person,
        "own": actor.pilgrim_id == pilgrim_id,
        "can_write": actor.can(Scope.HEALTH_WRITE),
    }
    return render(request, "health/summary.html", context)


@router.post("/health/pilgrims/{pilgrim_id:uuid}", dependencies=[Csrf])
def medic_view(
    request: Request,
    session: DbSession,
    actor: PageActor,
    pilgrim_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=500)] = "",
    other: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    return _summary_page(request, session, actor, pilgrim_id, other.strip() or reason)


@router.get("/health/me")
def own_view(request: Request, session: DbSession, actor: PageActor) -> Response:
    if actor.pilgrim_id is None:
        raise NotFound("this account is not a pilgrim's")
    return _summary_page(request, session, actor, actor.pilgrim_id, "own record")


# Entering a record ------------------------------------------------------------------------------


def _vaccine_choices(rules: RuleSetRead | None, lang: str) -> list[tuple[str, str]]:
    """One choice per rule and vaccine type: "rule|system|code" and its label."""
    out: list[tuple[str, str]] = []
    for rule in rules.rules if rules else []:
        name = rule.name_ar if lang == "ar" and rule.name_ar else rule.name
        seen: set[str] = set()
        for key, kind in rule.vaccines.items():
            if kind not in seen:
                seen.add(kind)
                out.append((f"{rule.code}|{key}", f"{name} ({kind})"))
    return out


def _current_rules(session: Session) -> RuleSetRead | None:
    season = registry_service.current_season(session)
    try:
        return service.get_rules(session, hijri_year=season.hijri_year)
    except NotFound:
        return None


def _entry_form(
    request: Request,
    session: Session,
    actor: Actor,
    pilgrim_id: uuid.UUID,
    *,
    problems: list[FieldProblem] | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    if not actor.can(Scope.HEALTH_WRITE):
        raise Forbidden(f"the {actor.role.value} role may not enter health records")
    person = registry_service.get_pilgrim(
        session, pilgrim_id=pilgrim_id, actor=actor, reason="health record entry"
    )
    context = {
        "p": person,
        "vaccines": _vaccine_choices(_current_rules(session), lang_of(request)),
        "flags": FITNESS_FLAGS,
        "problems": problems or [],
        "done": done,
    }
    return render(request, "health/entry.html", context, status=status)


@router.get("/health/pilgrims/{pilgrim_id:uuid}/entries")
def entry_form(
    request: Request, session: DbSession, actor: PageActor, pilgrim_id: uuid.UUID
) -> Response:
    return _entry_form(request, session, actor, pilgrim_id)


def _entries(form: dict[str, str], flags: list[str], rules: RuleSetRead | None) -> HealthData:
    values: dict[str, Any] = {"fitness_flags": flags, "notes": form["notes"].strip()}
    if form["blood_type"]:
        values["blood_type"] = form["blood_type"]
    if form["allergy"].strip():
        values["allergies"] = [
            Allergy(text=form["allergy"].strip(), criticality=form["criticality"] or None)
        ]
    if form["condition"].strip():
        values["conditions"] = [Condition(text=form["condition"].strip())]
    if form["medication"].strip():
        values["medications"] = [
            Medication(text=form["medication"].strip(), dosage=form["dosage"].strip() or None)
        ]
    if form["vaccine"]:
        rule_code, _, key = form["vaccine"].partition("|")
        system, _, code = key.partition("|")
        rule = next((r for r in rules.rules if r.code == rule_code), None) if rules else None
        if rule is None or key not in rule.vaccines:
            raise InvalidInput("vaccine: choose one of the list")
        if not form["vaccine_date"]:
            raise InvalidInput(
                "vaccine_date: the day the dose was given is needed",
                problems=[FieldProblem("vaccine_date", "the day the dose was given is needed")],
            )
        values["immunizations"] = [
            Immunization(
                text=f"{rule.name} ({rule.vaccines[key]})",
                vaccine=Coding(system=system, code=code),
                date=date.fromisoformat(form["vaccine_date"]),
                target_diseases=[rule.target_disease],
            )
        ]
    return HealthData.model_validate(values)


@router.post("/health/pilgrims/{pilgrim_id:uuid}/entries", dependencies=[Csrf])
async def add_entries(
    request: Request, session: DbSession, actor: PageActor, pilgrim_id: uuid.UUID
) -> Response:
    form = await request.form()
    fields = (
        "blood_type", "allergy", "criticality", "condition", "medication", "dosage", "vaccine",
        "vaccine_date", "notes",
    )  # fmt: skip
    values = {name: str(form.get(name) or "")[:500] for name in fields}
    flags = [str(f) for f in form.getlist("fitness_flags")]
    try:
        data = _entries(values, flags, _current_rules(session))
    except ValidationError as exc:
        problems = [
            FieldProblem(".".join(str(p) for p in e["loc"]) or "form", e["msg"])
            for e in exc.errors()
        ]
        return _entry_form(request, session, actor, pilgrim_id, problems=problems, status=422)
    except (InvalidInput, ValueError) as exc:
        problem = FieldProblem("form", getattr(exc, "message", str(exc)))
        return _entry_form(request, session, actor, pilgrim_id, problems=[problem], status=422)
    status = service.add_entries(session, pilgrim_id=pilgrim_id, data=data, actor=actor)
    return _entry_form(request, session, actor, pilgrim_id, done=status.status)


MAX_BUNDLE_BYTES = 5_000_000


@router.post("/health/pilgrims/{pilgrim_id:uuid}/ips", dependencies=[Csrf])
async def import_ips(
    request: Request,
    session: DbSession,
    actor: PageActor,
    pilgrim_id: uuid.UUID,
    file: UploadFile,
) -> Response:
    """An IPS document uploaded on the entry page; a bad one is listed problem by problem."""
    raw = await file.read(MAX_BUNDLE_BYTES + 1)
    try:
        status = service.import_ips(session, pilgrim_id=pilgrim_id, raw=raw, actor=actor)
    except InvalidInput as exc:
        settle_error(session, exc)
        problems = exc.problems or [FieldProblem("file", exc.message)]
        return _entry_form(request, session, actor, pilgrim_id, problems=problems, status=422)
    return _entry_form(request, session, actor, pilgrim_id, done=status.status)


@router.post("/health/pilgrims/{pilgrim_id:uuid}/certificate", dependencies=[Csrf])
def record_certificate(
    request: Request,
    session: DbSession,
    actor: PageActor,
    pilgrim_id: uuid.UUID,
    text: Annotated[str, Form(max_length=8000)],
) -> Response:
    """A signed certificate (its QR text) verified and its doses added."""
    try:
        result = certificates.record_certificate(
            session, pilgrim_id=pilgrim_id, text=text, actor=actor
        )
    except InvalidInput as exc:
        settle_error(session, exc)
        # The message carries the verdict (expired, unknown signer, ...), which matters most.
        problems = [FieldProblem("certificate", exc.message)]
        return _entry_form(request, session, actor, pilgrim_id, problems=problems, status=422)
    return _entry_form(request, session, actor, pilgrim_id, done=result.compliance.status)


# The company's compliance list -----------------------------------------------------------------

Status = Literal["", "compliant", "not_compliant", "no_record"]


@router.get("/health/compliance")
def compliance(
    request: Request,
    session: DbSession,
    actor: PageActor,
    status: Status = "not_compliant",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    result = service.list_compliance(
        session, actor=actor, page=PageRequest(page, PAGE_SIZE), status=status or None
    )
    pages = page_count(result.total, PAGE_SIZE)
    context = {
        "result": result,
        "status": status,
        "statuses": STATUSES,
        "pages": pages,
        "prev_url": f"/health/compliance?status={status}&page={page - 1}" if page > 1 else None,
        "next_url": (
            f"/health/compliance?status={status}&page={page + 1}" if page < pages else None
        ),
    }
    return render(request, "health/compliance.html", context)


@router.get("/health/compliance/export")
def export(
    session: DbSession, actor: PageActor, fmt: Literal["csv", "xlsx"] = "csv", status: Status = ""
) -> Response:
    stream = io.BytesIO()
    service.export_compliance(session, actor=actor, stream=stream, fmt=fmt, status=status or None)
    media = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]
    headers = {"Content-Disposition": f'attachment; filename="vaccinations.{fmt}"'}
    return Response(stream.getvalue(), media_type=media, headers=headers)


# The operator's rules --------------------------------------------------------------------------


def _rules_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    problems: list[FieldProblem] | None = None,
    done: bool = False,
    status: int = 200,
) -> Response:
    if not actor.can(Scope.SEASON_MANAGE):
        raise Forbidden(f"the {actor.role.value} role may not manage vaccination rules")
    season = registry_service.current_season(session)
    context = {
        "season": season,
        "rules": _current_rules(session),
        "problems": problems or [],
        "done": done,
    }
    return render(request, "health/rules.html", context, status=status)


@router.get("/health/rules")
def rules(request: Request, session: DbSession, actor: PageActor) -> Response:
    return _rules_page(request, session, actor)


@router.get("/health/rules/{hijri_year:int}.json")
def rules_file(session: DbSession, actor: PageActor, hijri_year: int) -> Response:
    """The season's rules as a file to edit and load again."""
    if not actor.can(Scope.SEASON_MANAGE):
        raise Forbidden(f"the {actor.role.value} role may not manage vaccination rules")
    loaded = service.get_rules(session, hijri_year=hijri_year)
    body = {
        "hijri_year": loaded.hijri_year,
        "arrival_date": loaded.arrival_date.isoformat(),
        "valid_through": loaded.valid_through.isoformat(),
        "rules": [r.model_dump(mode="json", exclude={"id"}) for r in loaded.rules],
    }
    headers = {"Content-Disposition": f'attachment; filename="rules_{hijri_year}.json"'}
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers=headers,
    )


@router.post("/health/rules", dependencies=[Csrf])
async def load_rules(
    request: Request, session: DbSession, actor: PageActor, file: UploadFile
) -> Response:
    raw = await file.read(MAX_RULES_BYTES + 1)
    if len(raw) > MAX_RULES_BYTES:
        problem = FieldProblem("file", "a rules file is at most 1 MB")
        return _rules_page(request, session, actor, problems=[problem], status=422)
    try:
        rules_in = service.parse_rules(raw)
        service.load_rules(session, rules_in=rules_in, actor=actor)
    except InvalidInput as exc:
        settle_error(session, exc)
        problems = exc.problems or [FieldProblem("file", exc.message)]
        return _rules_page(request, session, actor, problems=problems, status=422)
    return _rules_page(request, session, actor, done=True)
