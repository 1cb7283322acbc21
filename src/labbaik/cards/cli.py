"""Commands of the card domain: `labbaik keys ...` and `labbaik card ...`."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor, system_actor
from labbaik.cards import credential, keys, nfc, qr, service, verify
from labbaik.cards.errors import UnsupportedFormat
from labbaik.cards.schemas import CardRead, Verdict
from labbaik.db import session_scope
from labbaik.registry import service as registry_service

app = typer.Typer(help="Cards: issue, show, revoke, verify.", no_args_is_help=True)
keys_app = typer.Typer(help="The card signing keys and the trust list.", no_args_is_help=True)

AlgOption = Annotated[
    Literal["ES256", "EdDSA"], typer.Option("--alg", help="ES256 (required of verifiers) or EdDSA.")
]
SeasonOption = Annotated[
    int | None, typer.Option("--season", help="Hijri year (default: the current season).")
]


def _actor() -> Actor:
    return system_actor("cli")


def _season(session: Session, season: int | None) -> int:
    return season if season is not None else registry_service.current_season(session).hijri_year


def _write(out: Path | None, data: bytes) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    out.write_bytes(data)
    typer.echo(f"wrote {out} ({len(data)} bytes)", err=True)


# labbaik keys --------------------------------------------------------------------------------


@keys_app.command("init")
def keys_init(alg: AlgOption = "ES256", season: SeasonOption = None) -> None:
    """Create the root key and the season's first signer (once)."""
    with session_scope() as session:
        made = keys.init_keys(session, season=_season(session, season), alg=alg, actor=_actor())
    for key in made:
        typer.echo(f"{key.kind:<6}  {key.kid}  {key.alg}")


@keys_app.command("rotate")
def keys_rotate(
    season: SeasonOption = None,
    alg: Annotated[
        Literal["ES256", "EdDSA"] | None, typer.Option("--alg", help="Default: the root's.")
    ] = None,
) -> None:
    """A new signer for the season; the old one stays trusted until its last card expires."""
    with session_scope() as session:
        key = keys.rotate(session, season=_season(session, season), alg=alg, actor=_actor())
    typer.echo(f"signer  {key.kid}  {key.alg}  season {key.season}")


@keys_app.command("list")
def keys_list() -> None:
    """Every key: kind, kid, algorithm, season, validity, and whether it signs now."""
    with session_scope() as session:
        rows = keys.list_keys(session)
        trusted = {t.kid for t in service.trust_keys(session)}
    for key in rows:
        state = "current" if key.is_current else ("trusted" if key.kid in trusted else "retired")
        typer.echo(
            f"{key.kind:<6}  {key.kid}  {key.alg:<5}  {key.season or '-':<4}  "
            f"{key.not_before:%Y-%m-%d}..{key.not_after:%Y-%m-%d}"
            + (f"  {state}" if key.kind == "signer" else "")
        )


@keys_app.command("export-trust")
def keys_export_trust(
    out: Annotated[Path | None, typer.Option("--out", help="File (default: standard output).")],
    output_format: Annotated[
        Literal["pem", "json"], typer.Option("--format", help="PEM bundle or the JSON form.")
    ] = "pem",
    root: Annotated[bool, typer.Option("--root", help="The root certificate instead.")] = False,
) -> None:
    """The signer certificates verifiers need, as a PEM bundle (or JSON)."""
    with session_scope() as session:
        if root:
            data = keys.root_pem(session)
        elif output_format == "json":
            data = json.dumps(service.trust_document(session), indent=2).encode() + b"\n"
        else:
            data = service.trust_bundle_pem(session)
    _write(out, data)


# labbaik card --------------------------------------------------------------------------------


@app.command("issue")
def card_issue(
    pilgrim: Annotated[uuid.UUID | None, typer.Option("--pilgrim", help="A pilgrim's id.")] = None,
    group: Annotated[uuid.UUID | None, typer.Option("--group", help="A group's id.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="A company's code.")] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Every pilgrim of the season.")] = False,
) -> None:
    """Issue cards: to one pilgrim, a group, a company, or the whole season."""
    actor = _actor()
    with session_scope() as session:
        if pilgrim is not None and group is None and company is None and not everyone:
            card = service.issue_card(session, pilgrim_id=pilgrim, actor=actor)
            typer.echo(f"{card.card_number}  {card.pilgrim_id}  {card.status}")
            return
        company_id = (
            registry_service.get_company_by_code(session, code=company, actor=actor).id
            if company
            else None
        )
        with Progress(
            TextColumn("cards"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        ) as bar:
            task = bar.add_task("cards", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = service.issue_cards(
                session,
                actor=actor,
                pilgrim_ids=[pilgrim] if pilgrim else None,
                group_id=group,
                company_id=company_id,
                all=everyone,
                progress=progress,
            )
    typer.echo(f"issued {result.issued} cards; {result.unchanged} pilgrims already had one")


@app.command("list")
def card_list(
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """The newest cards with their pilgrims."""
    with session_scope() as session:
        page = service.list_cards(session, actor=_actor(), limit=limit)
    for card in page.items:
        if as_json:
            typer.echo(card.model_dump_json(exclude={"qr_text"}))
            continue
        claims = card.claims
        typer.echo(
            f"{card.card_number}  {card.status:<9}  {card.pilgrim_id}  "
            f"{claims.surname}, {claims.given_names}"
        )
    if not as_json:
        typer.echo(f"({len(page.items)} of {page.total})", err=True)


def _show_qr(_session: Session, card: CardRead, _actor: Actor) -> bytes:
    return card.qr_text.encode() + b"\n"


def _show_png(_session: Session, card: CardRead, _actor: Actor) -> bytes:
    return qr.png(card.qr_text, scale=6)


def _show_nfc(_session: Session, card: CardRead, _actor: Actor) -> bytes:
    return nfc.message_for(credential.body_from_text(card.qr_text))


# Each form of `card show`: a function of the card to the bytes written.
SHOW_FORMATS: dict[str, Callable[[Session, CardRead, Actor], bytes]] = {
    "qr": _show_qr,
    "png": _show_png,
    "nfc": _show_nfc,
}


@app.command("show")
def card_show(
    card_number: Annotated[str, typer.Argument(help="The card number.")],
    output_format: Annotated[
        Literal["qr", "nfc", "png", "pdf"], typer.Option("--format", help="Which form.")
    ] = "qr",
    out: Annotated[Path | None, typer.Option("--out", help="File (default: stdout).")] = None,
) -> None:
    """One form of a card: QR text, NDEF message for a tag, QR PNG, or the printable PDF."""
    render = SHOW_FORMATS.get(output_format)
    if render is None:
        raise UnsupportedFormat(f"--format {output_format} is not available in this installation")
    actor = _actor()
    with session_scope() as session:
        card = service.get_card(session, card_number=card_number, actor=actor)
        data = render(session, card, actor)
    if out is None and output_format in ("png", "nfc", "pdf") and sys.stdout.isatty():
        raise UnsupportedFormat(f"--format {output_format} is binary: give --out FILE")
    _write(out, data)


ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")]


def _status_line(card: CardRead) -> None:
    typer.echo(f"{card.card_number}  {card.status}  ({card.status_reason})")


@app.command("revoke")
def card_revoke(card_number: str, reason: ReasonOption) -> None:
    """Revoke a card for good."""
    with session_scope() as session:
        card = service.revoke(session, card_number=card_number, reason=reason, actor=_actor())
    _status_line(card)


@app.command("suspend")
def card_suspend(card_number: str, reason: ReasonOption) -> None:
    """Suspend a card until it is reinstated."""
    with session_scope() as session:
        card = service.suspend(session, card_number=card_number, reason=reason, actor=_actor())
    _status_line(card)


@app.command("reinstate")
def card_reinstate(card_number: str, reason: ReasonOption) -> None:
    """Make a suspended card valid again."""
    with session_scope() as session:
        card = service.reinstate(session, card_number=card_number, reason=reason, actor=_actor())
    _status_line(card)


@app.command("replace")
def card_replace(card_number: str, reason: ReasonOption) -> None:
    """A lost card: revoke it and issue a new one, in one step."""
    with session_scope() as session:
        card = service.replace_lost(session, card_number=card_number, reason=reason, actor=_actor())
    typer.echo(f"{card.replaces}  revoked")
    typer.echo(f"{card.card_number}  {card.status}  (new card)")


@app.command("export-status")
def card_export_status(
    out: Annotated[Path | None, typer.Option("--out", help="File (default: stdout).")] = None,
) -> None:
    """The signed status list (application/statuslist+cwt) for offline verifiers."""
    with session_scope() as session:
        data = service.status_list_token(session)
    _write(out, data)


def _parse_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint="--at") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _read_card(text: str | None, image: Path | None, tag: Path | None) -> str | bytes | Verdict:
    given = [x for x in (text, image, tag) if x is not None]
    if len(given) != 1:
        raise typer.BadParameter("give exactly one of TEXT, --image FILE or --nfc FILE")
    if text is not None:
        return sys.stdin.read().strip() if text == "-" else text
    try:
        if image is not None:
            return qr.card_text_from_image(image.read_bytes())
        assert tag is not None
        return nfc.body_from_message(tag.read_bytes())
    except UnsupportedFormat as exc:
        return Verdict(verdict="unreadable", reason=exc.message)


@app.command("verify")
def card_verify(
    text: Annotated[
        str | None, typer.Argument(help="The QR text (HJ1:...), or - for stdin.")
    ] = None,
    image: Annotated[Path | None, typer.Option("--image", help="A PNG or photo.")] = None,
    tag: Annotated[Path | None, typer.Option("--nfc", help="An NDEF message file.")] = None,
    trust: Annotated[
        Path | None, typer.Option("--trust", help="Trust list (PEM or JSON): verify offline.")
    ] = None,
    status: Annotated[Path | None, typer.Option("--status", help="A status list file.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Verify as of this ISO time.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The verdict as JSON.")] = False,
) -> None:
    """One verdict on a card; exit code 0 only when it is valid."""
    moment = _parse_at(at)
    card = _read_card(text, image, tag)
    if isinstance(card, Verdict):
        verdict = card
    elif trust is not None:
        store = verify.TrustStore.load(trust.read_bytes())
        status_list = verify.parse_status_token(status.read_bytes(), store) if status else None
        verdict = verify.verify_card(card, trust=store, status=status_list, at=moment)
    else:
        with session_scope() as session:
            if status is not None:
                store = service.trust_store(session)
                status_list = verify.parse_status_token(status.read_bytes(), store)
                verdict = verify.verify_card(card, trust=store, status=status_list, at=moment)
            else:
                verdict = service.verify_text(session, text=card, actor=_actor(), at=moment)
    _print_verdict(verdict, as_json=as_json)
    if not verdict.ok:
        raise typer.Exit(1)


def _print_verdict(verdict: Verdict, *, as_json: bool) -> None:
    if as_json:
        typer.echo(verdict.model_dump_json(indent=2))
        return
    typer.echo(f"{verdict.verdict}: {verdict.reason}")
    if verdict.claims is not None:
        for name, value in verdict.claims.model_dump(mode="json").items():
            if value is not None:
                typer.echo(f"  {name}: {value}")


# The printed card ----------------------------------------------------------------------------


def _show_pdf(session: Session, card: CardRead, actor: Actor) -> bytes:
    # The PDF libraries load only for the commands that print.
    from labbaik.cards import printing  # noqa: PLC0415

    (printed,) = printing.printable(session, [card], actor=actor)
    return printing.card_pdf(printed)


SHOW_FORMATS["pdf"] = _show_pdf


@app.command("print")
def card_print(
    out: Annotated[Path, typer.Option("--out", help="The PDF of A4 sheets to write.")],
    group: Annotated[uuid.UUID | None, typer.Option("--group", help="A group's id.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="A company's code.")] = None,
) -> None:
    """A4 sheets of a group's or a company's valid cards, fronts then backs, with crop marks."""
    from rich.progress import TaskID  # noqa: PLC0415

    from labbaik.cards import printing  # noqa: PLC0415

    bar = Progress(
        TextColumn("printing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    task: list[TaskID] = []

    def progress(done: int, total: int) -> None:
        # Shown from the first card on, so that a refused command prints its one error line only.
        if not task:
            bar.start()
            task.append(bar.add_task("printing", total=total))
        bar.update(task[0], completed=done, total=total)

    try:
        with session_scope() as session:
            data, count = printing.batch_document(
                session, actor=_actor(), group_id=group, company_code=company, progress=progress
            )
    finally:
        bar.stop()
    out.write_bytes(data)
    sheets = -(-count // (printing.SHEET_COLUMNS * printing.SHEET_ROWS))
    typer.echo(f"{count} cards on {sheets} A4 sheets, printed on both sides: {out}")
