"""`labbaik registry import` and `export`, run as a user runs them: the installed script."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from labbaik.registry.models import Pilgrim

LABBAIK = Path(sys.executable).parent / "labbaik"
HEADER = "surname,given_names,sex,date_of_birth,nationality,passport_number,passport_expiry"


def row(number: int, **changes: str) -> str:
    values = {
        "surname": "Santoso", "given_names": "Budi", "sex": "M", "date_of_birth": "1958-02-03",
        "nationality": "IDN", "passport_number": f"B{number:07d}", "passport_expiry": "2031-06-30",
    } | changes  # fmt: skip
    return ",".join(values.values())


def csv_file(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return path


def environment(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABBAIK_")}
    return env | {"LABBAIK_ENVIRONMENT": "test", "LABBAIK_DATABASE_URL": db_url}


def labbaik(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LABBAIK), "registry", *args],
        capture_output=True,
        text=True,
        env=environment(db_url),
        timeout=300,
        check=False,
    )


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Pilgrim)) or 0


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr


class TestImport:
    def test_a_good_file_is_imported_and_exits_0(
        self, db_url: str, engine: Engine, world: Any, tmp_path: Path
    ) -> None:
        path = csv_file(tmp_path / "p.csv", row(1), row(2))
        result = labbaik(db_url, "import", str(path), "--company", "IDN-MORA")
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [
            "checked 2 rows of p.csv: 2 new, 0 changed, 0 unchanged, 0 bad row(s)",
            "imported into IDN-MORA (1447 AH): 2 added, 0 updated",
        ]
        assert count(engine) == 4

    def test_bad_rows_are_listed_the_good_imported_and_it_exits_1(
        self, db_url: str, engine: Engine, world: Any, tmp_path: Path
    ) -> None:
        rows = [row(1), row(2, date_of_birth="1958-02-30"), row(3, sex="male")]
        result = labbaik(db_url, "import", str(csv_file(tmp_path / "p.csv", *rows)),
                         "--company", "IDN-MORA")  # fmt: skip
        assert result.returncode == 1
        assert_no_traceback(result)
        lines = result.stdout.splitlines()
        assert lines[1:3] == [
            "row 3, date_of_birth: '1958-02-30' is not a calendar date",
            "row 4, sex: 'male' is not M, F or X",
        ]
        assert count(engine) == 3

    def test_at_most_50_problems_are_printed(self, db_url: str, world: Any, tmp_path: Path) -> None:
        rows = [row(n, sex="?") for n in range(60)]
        result = labbaik(db_url, "import", str(csv_file(tmp_path / "p.csv", *rows)),
                         "--company", "IDN-MORA", "--dry-run")  # fmt: skip
        lines = result.stdout.splitlines()
        assert len([line for line in lines if line.startswith("row ")]) == 50
        assert "and 10 more" in lines

    def test_importing_again_changes_nothing(
        self, db_url: str, engine: Engine, world: Any, tmp_path: Path
    ) -> None:
        path = csv_file(tmp_path / "p.csv", row(1), row(2))
        labbaik(db_url, "import", str(path), "--company", "IDN-MORA")
        result = labbaik(db_url, "import", str(path), "--company", "IDN-MORA")
        assert result.returncode == 0
        assert "2 rows of p.csv: 0 new, 0 changed, 2 unchanged, 0 bad row(s)" in result.stdout
        assert count(engine) == 4

    def test_a_dry_run_writes_nothing(
        self, db_url: str, engine: Engine, world: Any, tmp_path: Path
    ) -> None:
        path = csv_file(tmp_path / "p.csv", row(1), row(2))
        result = labbaik(db_url, "import", str(path), "--company", "IDN-MORA", "--dry-run")
        assert result.returncode == 0
        assert result.stdout.splitlines()[-1] == "dry run: nothing was written"
        assert count(engine) == 2

    @pytest.mark.parametrize(
        ("content", "args", "error"),
        [
            ("surname,religion\nSantoso,x\n", ["--company", "IDN-MORA"], "import_rejected"),
            (None, ["--company", "IDN-MORA"], "import_rejected"),
            (f"{HEADER}\n{row(1)}\n", ["--company", "NOPE"], "company_not_found"),
            (f"{HEADER}\n{row(1)}\n", ["--company", "IDN-MORA", "--season", "1460"],
             "season_not_found"),
        ],
    )  # fmt: skip
    def test_a_refused_file_or_command_imports_nothing_and_exits_2(
        self,
        db_url: str,
        engine: Engine,
        world: Any,
        tmp_path: Path,
        content: str | None,
        args: list[str],
        error: str,
    ) -> None:
        path = tmp_path / "p.csv"
        if content is not None:
            path.write_text(content, encoding="utf-8")
        result = labbaik(db_url, "import", str(path), *args)
        assert result.returncode == 2
        assert_no_traceback(result)
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"error [{error}]: ")
        assert count(engine) == 2

    def test_a_killed_import_leaves_nothing_half_written(
        self, db_url: str, engine: Engine, world: Any, tmp_path: Path
    ) -> None:
        total = 60_000
        path = csv_file(tmp_path / "p.csv", *(row(n) for n in range(total)))
        process = subprocess.Popen(
            [str(LABBAIK), "registry", "import", str(path), "--company", "IDN-MORA"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(db_url),
        )
        assert process.stdout is not None
        # The file is checked; the rows are being written in the one transaction.
        first = process.stdout.readline()
        assert first.startswith(f"checked {total} rows"), first + process.communicate()[1]
        time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        assert process.returncode == -signal.SIGKILL, "the import ended before it was killed"
        assert count(engine) in (2, 2 + total)
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        again = labbaik(db_url, "import", str(path), "--company", "IDN-MORA")
        assert again.returncode == 0, again.stderr
        assert count(engine) == 2 + total


class TestExport:
    @pytest.mark.parametrize("suffix", ["csv", "xlsx"])
    def test_an_export_imports_again_unchanged(
        self, db_url: str, world: Any, tmp_path: Path, suffix: str
    ) -> None:
        labbaik(db_url, "import", str(csv_file(tmp_path / "p.csv", row(1))),
                "--company", "IDN-MORA")  # fmt: skip
        out = tmp_path / f"out.{suffix}"
        result = labbaik(db_url, "export", "--out", str(out), "--company", "IDN-MORA")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"exported 2 pilgrims to {out}"
        assert not out.with_name(out.name + ".part").exists()
        again = labbaik(db_url, "import", str(out), "--company", "IDN-MORA")
        assert again.returncode == 0, again.stderr
        assert f"checked 2 rows of {out.name}: 0 new, 0 changed, 2 unchanged" in again.stdout

    def test_every_company_by_default(self, db_url: str, world: Any, tmp_path: Path) -> None:
        out = tmp_path / "all.csv"
        labbaik(db_url, "export", "--out", str(out))
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        assert len(lines) == 3

    def test_only_csv_or_xlsx(self, db_url: str, world: Any, tmp_path: Path) -> None:
        result = labbaik(db_url, "export", "--out", str(tmp_path / "out.json"))
        assert result.returncode == 2
        assert result.stderr.strip() == "error [invalid_input]: --out must end in .csv or .xlsx"
        assert not (tmp_path / "out.json").exists()
