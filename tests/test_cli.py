"""The command line, run as a user runs it: the installed `labbaik` script in a subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from labbaik.registry import mrz

LABBAIK = Path(sys.executable).parent / "labbaik"


def labbaik(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LABBAIK_")}
    environment |= {"LABBAIK_ENVIRONMENT": "test"} | env
    return subprocess.run(
        [str(LABBAIK), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def td3(**kw: Any) -> str:
    values: dict[str, Any] = {
        "document_number": "L898902C3",
        "issuing_state": "IDN",
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "nationality": "IDN",
        "date_of_birth": date(1974, 8, 12),
        "sex": "F",
        "date_of_expiry": date(2032, 4, 15),
    }
    return mrz.format_td3(**(values | kw))


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error [{code}]: ")


class TestPassportCheck:
    def test_a_valid_mrz_prints_its_fields_as_json(self) -> None:
        result = labbaik("passport", "check", stdin=td3() + "\n")
        assert result.returncode == 0, result.stderr
        fields = json.loads(result.stdout)
        assert fields["valid"] is True
        assert fields["document_number"] == "L898902C3"
        assert fields["surname"] == "ERIKSSON"
        assert fields["date_of_birth"] == "1974-08-12"

    def test_a_wrong_check_digit_names_the_field_and_exits_1(self) -> None:
        line1, line2 = td3().splitlines()
        wrong = str((int(line2[9]) + 1) % 10)  # the document number's check digit
        result = labbaik("passport", "check", stdin=f"{line1}\n{line2[:9]}{wrong}{line2[10:]}\n")
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        answer = json.loads(result.stdout)
        assert answer["valid"] is False
        assert answer["field"] == "document_number"
        assert answer["error"]

    def test_empty_input_is_refused(self) -> None:
        result = labbaik("passport", "check", stdin="")
        assert result.returncode == 1
        assert json.loads(result.stdout)["valid"] is False


class TestRegistryList:
    def test_prints_one_json_object_per_pilgrim(self, db_url: str, world: Any) -> None:
        result = labbaik("registry", "list", "--json", LABBAIK_DATABASE_URL=db_url)
        assert result.returncode == 0, result.stderr
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert {r["id"] for r in rows} == {str(world.pilgrim_a.id), str(world.pilgrim_b.id)}
        assert {r["passport_number"] for r in rows} == {"C1234567", "A7654321"}

    def test_searches_by_name(self, db_url: str, world: Any) -> None:
        result = labbaik("registry", "list", "--json", "-q", "qahtani", LABBAIK_DATABASE_URL=db_url)
        assert result.returncode == 0, result.stderr
        [row] = [json.loads(line) for line in result.stdout.splitlines()]
        assert row["surname"] == "Al-Qahtani"

    def test_without_a_season_says_so_in_one_line(self, db_url: str) -> None:
        result = labbaik("registry", "list", LABBAIK_DATABASE_URL=db_url)
        assert_one_line_error(result, "no_current_season")


class TestErrors:
    def test_a_domain_error_is_one_line_without_a_traceback(self, db_url: str) -> None:
        result = labbaik("auth", "token", "nosuchuser", LABBAIK_DATABASE_URL=db_url)
        assert result.returncode == 1
        assert_one_line_error(result, "not_found")
        assert "nosuchuser" in result.stderr

    def test_a_database_never_migrated_is_one_line(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'bare.db'}"
        result = labbaik("registry", "list", LABBAIK_DATABASE_URL=url)
        assert_one_line_error(result, "database")
        assert "no such table" in result.stderr

    def test_production_with_the_default_secret_refuses_to_start(self, tmp_path: Path) -> None:
        result = labbaik(
            "db",
            "upgrade",
            LABBAIK_ENVIRONMENT="production",
            LABBAIK_DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}",
        )
        assert result.returncode == 2
        assert_one_line_error(result, "unsafe_settings")
        assert "LABBAIK_SECRET_KEY" in result.stderr


class TestDbUpgrade:
    def test_migrates_a_fresh_sqlite_file(self, tmp_path: Path) -> None:
        path = tmp_path / "fresh.db"
        result = labbaik("db", "upgrade", LABBAIK_DATABASE_URL=f"sqlite:///{path}")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"database at heads: sqlite:///{path}"
        with sqlite3.connect(path) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert {"auth_account", "auth_audit_entry", "registry_pilgrim"} <= tables

    def test_running_it_again_changes_nothing(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        assert labbaik("db", "upgrade", LABBAIK_DATABASE_URL=url).returncode == 0
        again = labbaik("db", "upgrade", LABBAIK_DATABASE_URL=url)
        assert again.returncode == 0, again.stderr

    def test_an_unreachable_database_is_one_line_without_the_password(self) -> None:
        url = "postgresql://labbaik:s3cret-pw@127.0.0.1:1/nowhere"
        result = labbaik("db", "upgrade", LABBAIK_DATABASE_URL=url)
        assert_one_line_error(result, "database")
        assert "s3cret-pw" not in result.stdout + result.stderr


@pytest.mark.parametrize("args", [[], ["registry"], ["passport"]])
def test_a_bare_command_shows_its_help(args: list[str]) -> None:
    result = labbaik(*args)
    assert "Usage" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
