"""Pages to import pilgrims from a file, with a preview before anything is written; export."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.deps import Csrf, PageActor
from labbaik.auth.roles import Actor, Scope
from labbaik.errors import DomainError, InvalidInput
from labbaik.registry import importer, service, tabular
from labbaik.web import nav
from labbaik.web.deps import DbSession
from labbaik.web.templating import render

router = APIRouter(include_in_schema=False)

nav.register(
    "/pilgrims/import", "Import pilgrims", roles={"operator", "admin", "company"}, order=15
)

MAX_UPLOAD_BYTES = 50_000_000
# An upload waits here between its preview and the confirmation, under a random name that
# only the uploader's signed session cookie holds: the client never names a path.
STAGING = Path(tempfile.gettempdir()) / "labbaik-imports"
_KEEP_SECONDS = 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
_SESSION_KEY = "pilgrim_import"
_PREVIEW_ROWS = 20
_SHOWN_PROBLEMS = 1000
_COPY_CHUNK = 1 << 20


def _sweep() -> None:
    """Remove uploads nobody confirmed within the hour."""
    cutoff = time.time() - _KEEP_SECONDS
    for path in STAGING.glob("*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue  # another worker removed it first


def _stage(upload: UploadFile) -> str:
    STAGING.mkdir(mode=0o700, exist_ok=True)
    _sweep()
    token = secrets.token_urlsafe(24)
    path = STAGING / token
    size = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        while chunk := upload.file.read(_COPY_CHUNK):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                out.close()
                path.unlink()
                raise InvalidInput(
                    f"the file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB; split it, or "
                    "use the command 'labbaik registry import'"
                )
            out.write(chunk)
    return token


def _staged(request: Request) -> tuple[Path, dict[str, str]] | None:
    staged = request.session.get(_SESSION_KEY)
    if not isinstance(staged, dict) or not _TOKEN.fullmatch(str(staged.get("token", ""))):
        return None
    return STAGING / staged["token"], staged


def _discard(request: Request) -> None:
    found = _staged(request)
    request.session.pop(_SESSION_KEY, None)
    if found is not None:
        found[0].unlink(missing_ok=True)


def _plan(session: Session, *, actor: Actor, path: Path, company: str) -> importer.ImportPlan:
    with tabular.open_table(path) as sheet:
        return importer.plan_import(session, rows=sheet.rows, company_code=company, actor=actor)


def _problems(problems: list[Any]) -> dict[str, Any]:
    return {
        "problems": problems[:_SHOWN_PROBLEMS],
        "more_problems": max(0, len(problems) - _SHOWN_PROBLEMS),
    }


@router.get("/pilgrims/import")
def import_form(request: Request, session: DbSession, actor: PageActor) -> Response:
    auth_service.require(actor, Scope.REGISTRY_IMPORT)
    companies = service.list_companies(session, actor=actor)
    context = {"companies": companies, "max_mb": MAX_UPLOAD_BYTES // 1_000_000}
    return render(request, "registry/import.html", context)


@router.post("/pilgrims/import", dependencies=[Csrf])
def import_preview(
    request: Request,
    session: DbSession,
    actor: PageActor,
    file: UploadFile,
    company: Annotated[str, Form(max_length=32)],
) -> Response:
    """Check the file and show what importing it would do; write nothing yet."""
    auth_service.require(actor, Scope.REGISTRY_IMPORT)
    _discard(request)
    token = _stage(file)
    name = Path(file.filename or "").name[:120]
    request.session[_SESSION_KEY] = {"token": token, "company": company, "name": name}
    try:
        plan = _plan(session, actor=actor, path=STAGING / token, company=company)
    except DomainError:
        _discard(request)
        raise
    context = {
        "plan": plan,
        "file_name": name,
        "token": token,
        "new_rows": plan.new[:_PREVIEW_ROWS],
        "changed_rows": plan.changed[:_PREVIEW_ROWS],
        **_problems(plan.problems),
    }
    return render(request, "registry/import_preview.html", context)


@router.post("/pilgrims/import/confirm", dependencies=[Csrf])
def import_confirm(
    request: Request, session: DbSession, actor: PageActor, token: Annotated[str, Form()]
) -> Response:
    """Import the previewed file: checked again, since the registry may have changed since."""
    found = _staged(request)
    if (
        found is None
        or not secrets.compare_digest(found[1]["token"], token)
        or not found[0].is_file()
    ):
        raise InvalidInput("this upload has expired or was imported already; upload it again")
    path, staged = found
    plan = _plan(session, actor=actor, path=path, company=staged["company"])
    result = importer.apply_import(session, plan=plan, actor=actor)
    _discard(request)
    context = {
        "plan": plan,
        "result": result,
        "file_name": staged.get("name", ""),
        **_problems(result.problems),
    }
    return render(request, "registry/import_done.html", context)


# Export ----------------------------------------------------------------------------------------


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    with file:
        file.seek(0)
        while chunk := file.read(_COPY_CHUNK):
            yield chunk


def _export(
    session: Session,
    actor: Actor,
    company: str,
    writer: Callable[[IO[bytes], Iterable[tabular.ExportRow]], int],
    suffix: str,
    media_type: str,
) -> Response:
    rows = importer.export_pilgrims(session, actor=actor, company_code=company or None)
    # Written out before the response starts: the request's transaction ends with the handler.
    buffer = tempfile.SpooledTemporaryFile(max_size=16_000_000)  # noqa: SIM115 - closed by _chunks
    writer(buffer, rows)
    year = service.current_season(session).hijri_year
    scope = re.sub(r"[^A-Z0-9-]", "", company.upper()) or "all"
    headers = {
        "Content-Disposition": f'attachment; filename="pilgrims-{year}-{scope}.{suffix}"',
        "Cache-Control": "no-store",
    }
    return StreamingResponse(_chunks(buffer), media_type=media_type, headers=headers)


@router.get("/pilgrims/export.csv")
def export_csv(session: DbSession, actor: PageActor, company: str = "") -> Response:
    return _export(session, actor, company, tabular.write_csv, "csv", "text/csv; charset=utf-8")


@router.get("/pilgrims/export.xlsx")
def export_xlsx(session: DbSession, actor: PageActor, company: str = "") -> Response:
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _export(session, actor, company, tabular.write_xlsx, "xlsx", media_type)
