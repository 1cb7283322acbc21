"""The file commands: `labbaik tafweej plan|check|replan|generate`, their output and exit codes.

They run in-process (the installed script's start-up costs seconds); one test runs the script
itself to hold the exit code of an infeasible season.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from labbaik.cli import app
from tests.tafweej.planning.instances import tiny

LABBAIK = Path(sys.executable).parent / "labbaik"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def tafweej(*args: str | Path) -> Result:
    result = CliRunner().invoke(app, ["tafweej", *map(str, args)])
    return Result(result.exit_code, result.stdout, result.stderr)


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


class TestCommands:
    def test_generate_plan_check_replan(self, tmp_path: Path) -> None:
        instance = tmp_path / "season.json"
        out = tmp_path / "plan.json"
        assert (
            tafweej("generate", "--groups", "120", "--seed", "4", "--out", instance).returncode == 0
        )

        planned = tafweej("plan", instance, "--out", out, "--time-limit", "20")
        assert planned.returncode == 0, planned.stderr
        assert "lower bound" in planned.stdout
        assert "planner / greedy" in planned.stdout

        checked = tafweej("check", instance, out)
        assert checked.returncode == 0, checked.stdout
        assert checked.stdout.startswith("valid: 840 assignments")

        first = json.loads(out.read_text())["assignments"][0]["group"]
        again = tmp_path / "again.json"
        replanned = tafweej(
            "replan", instance, out, "--from-slot", "100", "--late", f"{first}:3", "--out", again
        )
        assert replanned.returncode == 0, replanned.stderr
        assert "groups moved" in replanned.stdout
        assert tafweej("check", instance, again).returncode == 0

    def test_check_lists_each_violation_and_exits_1(self, tmp_path: Path) -> None:
        instance = write(tmp_path / "tiny.json", tiny())
        bad = write(
            tmp_path / "bad.json",
            {
                "assignments": [
                    {"group": "G1", "movement": "to-arafat", "slot": 3, "route": "metro"},
                    {"group": "G1", "movement": "to-arafat", "slot": 2, "route": "metro"},
                ],
                "objective": 0,
            },
        )
        result = tafweej("check", instance, bad)
        assert result.returncode == 1
        lines = result.stdout.splitlines()
        assert lines[0].startswith("forbidden_for_movement: group G1 movement to-arafat slot 3")
        assert lines[1].startswith("duplicate: ")
        assert sum(line.startswith("missing: ") for line in lines) == 5
        assert lines[-1].startswith("invalid: 8 violations")

    def test_an_infeasible_instance_exits_2_with_the_reason(self, tmp_path: Path) -> None:
        data = tiny()
        data["routes"][1]["capacity"] = 150
        instance = write(tmp_path / "tiny.json", data)
        result = subprocess.run(
            [str(LABBAIK), "tafweej", "plan", str(instance), "--out", str(tmp_path / "never.json")],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 2
        assert result.stderr.strip().startswith("error [tafweej_infeasible]: ")
        assert "movement stone" in result.stderr
        assert not (tmp_path / "never.json").exists()

    def test_a_bad_instance_exits_1_naming_the_field(self, tmp_path: Path) -> None:
        data = tiny()
        data["groups"][0]["routes"] = ["cable-car"]
        result = tafweej("plan", write(tmp_path / "bad.json", data), "--out", tmp_path / "x.json")
        assert result.returncode == 1
        assert "groups[G1].routes: unknown route 'cable-car'" in result.stderr

    def test_a_malformed_late_option_is_one_line(self, tmp_path: Path) -> None:
        instance = write(tmp_path / "tiny.json", tiny())
        result = tafweej(
            "replan", instance, instance, "--from-slot", "2", "--late", "G1", "--out", "x.json"
        )
        assert result.returncode == 1
        assert "expected GROUP:SLOTS" in result.stderr
