"""Commands of Tafweej: plan, check and re-plan interchange files, and generate instances."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from labbaik.errors import DomainError, InvalidInput
from labbaik.tafweej.planning.errors import Infeasible
from labbaik.tafweej.planning.format import load_instance, load_schedule

app = typer.Typer(help="Tafweej: plan the season's movements.", no_args_is_help=True)

EXIT_INVALID = 1
EXIT_INFEASIBLE = 2

_STAGES = {"greedy": "greedy baseline", "bound": "lower bound", "schedule": "schedule"}


def _fail(exc: DomainError) -> typer.Exit:
    typer.echo(exc.one_line(), err=True)
    return typer.Exit(EXIT_INFEASIBLE if isinstance(exc, Infeasible) else EXIT_INVALID)


def _write(path: Path, text: str) -> None:
    # Written beside the target, then renamed: a reader never sees half a schedule.
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Bar:
    """A rich progress bar fed by the planner's progress(stage, done, total) calls."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in _STAGES:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(_STAGES[stage], total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def planning_progress() -> Progress:
    """The bar the planner's stages are shown on, on standard error, gone when it ends."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


@app.command("plan")
def plan_command(
    instance_path: Annotated[Path, typer.Argument(metavar="INSTANCE.json")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the schedule.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="Seconds the planner may take.")
    ] = 120.0,
) -> None:
    """Plan every group's slot and route; print objective, lower bound, gap and ratio to greedy.

    Exit 2 when no schedule exists (with the reason), 1 on a bad instance.
    """
    from labbaik.tafweej.planning.greedy import greedy  # noqa: PLC0415 - solver loads on use
    from labbaik.tafweej.planning.solver import plan  # noqa: PLC0415

    try:
        instance = load_instance(instance_path)
        with planning_progress() as progress:
            schedule = plan(instance, time_limit=time_limit, progress=_Bar(progress))
        try:
            baseline: int | None = greedy(instance).objective
        except Infeasible:
            baseline = None
    except DomainError as exc:
        raise _fail(exc) from None
    _write(out, schedule.to_json())
    bound = schedule.lower_bound or 0
    gap = (schedule.objective - bound) / bound if bound else 0.0
    typer.echo(f"objective    {schedule.objective} pilgrim-slots")
    typer.echo(f"lower bound  {bound} (proven)")
    typer.echo(f"gap          {gap:.2%}")
    typer.echo(f"seconds      {schedule.seconds:.1f}")
    if baseline is None:
        typer.echo("greedy       found no schedule")
    else:
        ratio = schedule.objective / baseline if baseline else 1.0
        typer.echo(f"greedy       {baseline} (planner / greedy = {ratio:.3f})")
    typer.echo(f"schedule written to {out}")


@app.command("check")
def check_command(
    instance_path: Annotated[Path, typer.Argument(metavar="INSTANCE.json")],
    schedule_path: Annotated[Path, typer.Argument(metavar="SCHEDULE.json")],
) -> None:
    """List every violation of the schedule, one a line, then a summary; exit 0 only if none."""
    from labbaik.tafweej.planning.validate import check  # noqa: PLC0415

    try:
        report = check(load_instance(instance_path), load_schedule(schedule_path))
    except DomainError as exc:
        raise _fail(exc) from None
    for v in report.violations:
        typer.echo(f"{v.kind}: {v.message}")
    typer.echo(report.summary())
    if not report.ok:
        raise typer.Exit(EXIT_INVALID)


def _late(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        group, sep, delay = value.rpartition(":")
        if not sep or not group or not delay.isdigit():
            raise InvalidInput(f"--late {value!r}: expected GROUP:SLOTS, e.g. G00001:3")
        out[group] = int(delay)
    return out


@app.command("replan")
def replan_command(
    instance_path: Annotated[Path, typer.Argument(metavar="INSTANCE.json")],
    schedule_path: Annotated[Path, typer.Argument(metavar="SCHEDULE.json")],
    from_slot: Annotated[int, typer.Option("--from-slot", min=0, help="First slot to change.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the new schedule.")],
    close_route: Annotated[
        list[str] | None, typer.Option("--close-route", help="A route closed from the slot on.")
    ] = None,
    late: Annotated[
        list[str] | None,
        typer.Option("--late", help="GROUP:SLOTS, a group that cannot start before slot+SLOTS."),
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1.0)] = 60.0,
) -> None:
    """Re-plan from a slot on: the past stays; as few later assignments as possible change."""
    from labbaik.tafweej.planning.replan import replan  # noqa: PLC0415

    try:
        late_groups = _late(late or [])
        instance = load_instance(instance_path)
        schedule = load_schedule(schedule_path)
        if from_slot >= instance.slots:
            raise InvalidInput(f"--from-slot {from_slot}: the last slot is {instance.slots - 1}")
        new, moved = replan(
            instance,
            schedule,
            from_slot=from_slot,
            closed_routes=tuple(close_route or ()),
            late_groups=late_groups,
            time_limit=time_limit,
        )
    except DomainError as exc:
        raise _fail(exc) from None
    _write(out, new.to_json())
    before = {(a.group, a.movement): (a.slot, a.route) for a in schedule.assignments}
    changed = sum(
        1 for a in new.assignments if before.get((a.group, a.movement)) != (a.slot, a.route)
    )
    typer.echo(f"groups moved       {moved}")
    typer.echo(f"assignments moved  {changed}")
    typer.echo(f"objective          {new.objective} (was {schedule.objective})")
    typer.echo(f"seconds            {new.seconds:.1f}")
    typer.echo(f"schedule written to {out}")


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Option("--out", help="Where to write the instance.")],
    groups: Annotated[int, typer.Option(min=1, max=100_000, help="How many groups.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = 0,
) -> None:
    """Write a generated season instance (deterministic per seed) for trials and benchmarks."""
    from labbaik.tafweej.planning.generate import generate  # noqa: PLC0415

    instance = generate(groups, seed=seed)
    _write(out, instance.to_json())
    pilgrims = sum(g.size for g in instance.groups)
    typer.echo(f"{groups} groups, {pilgrims} pilgrims, {len(instance.movements)} movements: {out}")


# The season in the database ------------------------------------------------------------------


@app.command("export")
def export_command(
    season: Annotated[int, typer.Option("--season", help="Hijri year of the season.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the instance.")],
) -> None:
    """Write the season's Tafweej data as an interchange instance (validated by the format)."""
    from labbaik.auth.roles import system_actor  # noqa: PLC0415
    from labbaik.db import session_scope  # noqa: PLC0415
    from labbaik.tafweej import service  # noqa: PLC0415

    try:
        with session_scope() as session:
            exported = service.export_instance(
                session, hijri_year=season, actor=system_actor("cli")
            )
    except DomainError as exc:
        raise _fail(exc) from None
    _write(out, exported.instance.to_json(indent=1))
    instance = exported.instance
    pilgrims = sum(g.size for g in instance.groups)
    typer.echo(
        f"{len(instance.groups)} groups, {pilgrims} pilgrims, {len(instance.movements)} "
        f"movements, {len(instance.routes)} routes: {out}"
    )
    if exported.left_out:
        shown = ", ".join(exported.left_out[:10])
        more = f" and {len(exported.left_out) - 10} more" if len(exported.left_out) > 10 else ""
        typer.echo(f"left out (no Tafweej data or no pilgrims): {shown}{more}", err=True)


@app.command("import-instance")
def import_instance_command(
    instance_path: Annotated[Path, typer.Argument(metavar="INSTANCE.json")],
    season: Annotated[int, typer.Option("--season", help="Hijri year of the season.")],
) -> None:
    """Write an instance into a season; its groups are matched to the registry's by code."""
    from labbaik.auth.roles import system_actor  # noqa: PLC0415
    from labbaik.db import session_scope  # noqa: PLC0415
    from labbaik.tafweej import service  # noqa: PLC0415

    try:
        instance = load_instance(instance_path)
        with session_scope() as session:
            summary = service.import_instance(
                session, hijri_year=season, instance=instance, actor=system_actor("cli")
            )
    except DomainError as exc:
        raise _fail(exc) from None
    typer.echo(
        f"imported {summary.movements} movements, {summary.routes} routes, "
        f"{summary.groups} groups into {season} AH"
    )
    for line in summary.size_differences:
        typer.echo(f"size differs (the registry's is kept): {line}", err=True)


@app.command("plan-season")
def plan_season_command(
    season: Annotated[int, typer.Option("--season", help="Hijri year of the season.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="Seconds the planner may take.")
    ] = 60.0,
    publish: Annotated[
        bool, typer.Option("--publish", help="Publish the plan when the validator accepts it.")
    ] = False,
) -> None:
    """Plan the season from the database, run the validator, and store the plan as a version.

    Exit 2 when no schedule exists (with the reason), 1 when the validator refuses the plan.
    """
    from labbaik.auth.roles import system_actor  # noqa: PLC0415
    from labbaik.db import session_scope  # noqa: PLC0415
    from labbaik.tafweej import service  # noqa: PLC0415

    actor = system_actor("cli")
    console = Console(stderr=True)
    try:
        with (
            session_scope() as session,
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress,
        ):
            plan = service.run_plan(
                session,
                hijri_year=season,
                actor=actor,
                time_limit=time_limit,
                progress=_Bar(progress),
            )
            if publish and plan.valid:
                plan = service.publish_plan(session, plan_id=plan.id, actor=actor)
    except DomainError as exc:
        raise _fail(exc) from None
    typer.echo(f"plan         version {plan.version} of {season} AH ({plan.id})")
    typer.echo(f"groups       {plan.groups} ({plan.pilgrims} pilgrims)")
    typer.echo(f"objective    {plan.objective} pilgrim-slots")
    typer.echo(f"lower bound  {plan.lower_bound:.0f}")
    typer.echo(f"gap          {plan.gap:.2%}" if plan.gap is not None else "gap          -")
    typer.echo(f"seconds      {plan.seconds:.1f}")
    if plan.greedy_objective is not None:
        typer.echo(f"greedy       {plan.greedy_objective}")
    typer.echo(f"validator    {'valid' if plan.valid else 'INVALID'}")
    for line in plan.violations:
        typer.echo(f"  {line}", err=True)
    if plan.is_published:
        typer.echo("published")
    if not plan.valid:
        raise typer.Exit(EXIT_INVALID)
