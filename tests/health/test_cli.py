"""`labbaik health ...`: IPS import and export, rules, key rotation, as a user runs them."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from labbaik.cli import app
from labbaik.health import ips
from labbaik.health.service import RULES_1447
from labbaik.settings import DEV_HEALTH_KEY, get_settings
from tests.health.conftest import DATA


@pytest.fixture
def run(engine: Engine, world, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("LABBAIK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LABBAIK_ENVIRONMENT", "test")
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["health", *args])

    yield invoke
    get_settings.cache_clear()


class TestIpsCommands:
    def test_import_then_export_gives_a_valid_ips(self, run, world, tmp_path: Path) -> None:
        pid = str(world.pilgrim_a.id)
        result = run("import-ips", str(DATA / "ips_example.json"), "--pilgrim", pid)
        assert result.exit_code == 0, result.output
        assert f"into pilgrim {pid}" in result.output
        out = tmp_path / "out.json"
        result = run("export-ips", "--pilgrim", pid, "--out", str(out))
        assert result.exit_code == 0, result.output
        bundle = json.loads(out.read_text())
        ips.check(bundle)
        assert ips.to_record(bundle).blood_type == "O+"

    def test_a_bad_bundle_lists_its_problems_and_exits_2(self, run, world, tmp_path) -> None:
        bundle = json.loads((DATA / "ips_example.json").read_text())
        bundle["entry"][0]["resource"]["section"].pop(0)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(bundle))
        result = run("import-ips", str(bad), "--pilgrim", str(world.pilgrim_a.id))
        assert result.exit_code == 2
        assert "error [ips_rejected]" in result.output
        assert "the required Problem List section (11450-4) is missing" in result.output

    def test_an_unknown_pilgrim_is_one_line(self, run, world) -> None:
        result = run(
            "import-ips", str(DATA / "ips_example.json"), "--pilgrim", str(world.season.id)
        )
        assert result.exit_code == 2
        assert "error [health_record_not_found]: no such pilgrim" in result.output


class TestRulesAndKeys:
    def test_rules_load_from_the_seed_file(self, run) -> None:
        result = run("load-rules", str(RULES_1447))
        assert result.exit_code == 0, result.output
        assert "loaded 3 rules for 1447 AH: men-acwy, polio, yellow-fever" in result.output

    def test_a_bad_rules_file_names_the_field(self, run, tmp_path) -> None:
        rules = json.loads(RULES_1447.read_text())
        rules["rules"][0]["validity_months"] = {"conjugate": 60}
        bad = tmp_path / "rules.json"
        bad.write_text(json.dumps(rules))
        result = run("load-rules", str(bad))
        assert result.exit_code == 2
        assert "rules.0.validity_months" in result.output

    def test_rotate_key_re_encrypts_under_the_current_key(
        self, run, world, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        run("import-ips", str(DATA / "ips_example.json"), "--pilgrim", str(world.pilgrim_a.id))
        new = base64.b64encode(b"k" * 32).decode()
        monkeypatch.setenv("LABBAIK_HEALTH_KEYS", json.dumps({"dev": DEV_HEALTH_KEY, "k2": new}))
        monkeypatch.setenv("LABBAIK_HEALTH_KEY_ID", "k2")
        get_settings.cache_clear()
        result = run("rotate-key")
        assert result.exit_code == 0, result.output
        assert "re-encrypted 1 records under key 'k2'" in result.output
        assert "records by key: k2=1" in result.output
