"""The commands that work on the database: export, import-instance, plan-season."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from labbaik.cli import app
from labbaik.settings import get_settings
from labbaik.tafweej import service
from labbaik.tafweej.planning.format import load_instance, load_schedule
from labbaik.tafweej.planning.validate import check
from labbaik.tafweej.schemas import RouteWrite
from tests.conftest import World
from tests.tafweej.helpers import YEAR, small_season

runner = CliRunner()


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABBAIK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()


@pytest.mark.usefixtures("database")
class TestSeasonCommands:
    def test_export_then_plan_then_check_round_trips(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        small_season(session, world)
        session.commit()
        instance = tmp_path / "season.json"
        exported = runner.invoke(
            app, ["tafweej", "export", "--season", str(YEAR), "--out", str(instance)]
        )
        assert exported.exit_code == 0, exported.output
        assert "2 groups, 2 pilgrims" in exported.output
        schedule = tmp_path / "schedule.json"
        planned = runner.invoke(
            app, ["tafweej", "plan", str(instance), "--out", str(schedule), "--time-limit", "2"]
        )
        assert planned.exit_code == 0, planned.output
        assert check(load_instance(instance), load_schedule(schedule)).ok
        checked = runner.invoke(app, ["tafweej", "check", str(instance), str(schedule)])
        assert checked.exit_code == 0, checked.output

    def test_plan_season_stores_a_valid_plan_and_publishes_it(
        self, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        result = runner.invoke(
            app, ["tafweej", "plan-season", "--season", str(YEAR), "--time-limit", "2", "--publish"]
        )
        assert result.exit_code == 0, result.output
        assert "validator    valid" in result.output
        assert "published" in result.output

    def test_import_instance_writes_the_groups_wishes(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        small_season(session, world)
        session.commit()
        path = tmp_path / "season.json"
        runner.invoke(app, ["tafweej", "export", "--season", str(YEAR), "--out", str(path)])
        data = json.loads(path.read_text())
        data["groups"][0]["preferred"]["to-arafat"] = 35
        path.write_text(json.dumps(data))
        result = runner.invoke(
            app, ["tafweej", "import-instance", str(path), "--season", str(YEAR)]
        )
        assert result.exit_code == 0, result.output
        assert "2 groups" in result.output

    def test_a_season_that_cannot_fit_exits_2_with_the_reason(
        self, session: Session, world: World
    ) -> None:
        operator = small_season(session, world)
        service.save_route(
            session,
            hijri_year=YEAR,
            route_in=RouteWrite(
                code="metro-red", mode="metro", name="Metro", capacity=0,
                movements=["to-arafat", "to-muzdalifah"],
            ),
            actor=operator,
        )  # fmt: skip
        session.commit()
        result = runner.invoke(
            app, ["tafweej", "plan-season", "--season", str(YEAR), "--time-limit", "1"]
        )
        assert result.exit_code == 2
        assert "error [tafweej_infeasible]" in result.output
        assert "to-arafat" in result.output

    def test_an_unknown_season_is_one_line_and_exit_1(self, tmp_path: Path) -> None:
        result = runner.invoke(
            app, ["tafweej", "export", "--season", "1499", "--out", str(tmp_path / "x.json")]
        )
        assert result.exit_code == 1
        assert "error [season_not_found]" in result.output
