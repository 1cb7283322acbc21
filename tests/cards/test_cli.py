"""`labbaik keys` and `labbaik card`, run as a user runs them, on a small demo season: a card
is shown in each form, verified offline from its PNG and its NFC bytes, revoked, and refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import assert_one_line_error, labbaik


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("cards-cli")
    env = {
        "LABBAIK_DATABASE_URL": f"sqlite:///{folder / 'labbaik.db'}",
        "LABBAIK_CARD_KEY_DIR": str(folder / "keys"),
        "LABBAIK_CARD_KEY_PASSPHRASE": "a passphrase for the cli test",
    }
    built = labbaik("demo", "--pilgrims", "12", "--no-serve", **env)
    assert built.returncode == 0, built.stderr
    return env | {"folder": str(folder)}


def run(season: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in season.items() if k.startswith("LABBAIK_")}
    return labbaik(*args, **env)


class TestCardCommands:
    def test_a_card_goes_from_issue_to_refused_everywhere(self, season: dict[str, str]) -> None:
        folder = Path(season["folder"])
        listed = run(season, "card", "list", "--limit", "1")
        assert listed.returncode == 0, listed.stderr
        number = listed.stdout.split()[0]
        text = run(season, "card", "show", number).stdout.strip()
        assert text.startswith("HJ1:")
        png, tag, trust = folder / "card.png", folder / "card.ndef", folder / "trust.pem"
        for args in (
            ("card", "show", number, "--format", "png", "--out", str(png)),
            ("card", "show", number, "--format", "nfc", "--out", str(tag)),
            ("keys", "export-trust", "--out", str(trust)),
        ):
            assert run(season, *args).returncode == 0
        offline = ("--trust", str(trust))
        from_png = run(season, "card", "verify", "--image", str(png), *offline)
        assert from_png.returncode == 0, from_png.stdout + from_png.stderr
        assert from_png.stdout.startswith("valid: ")
        assert f"card_number: {number}" in from_png.stdout
        from_tag = run(season, "card", "verify", "--nfc", str(tag), *offline, "--json")
        assert json.loads(from_tag.stdout)["verdict"] == "valid"

        revoked = run(season, "card", "revoke", number, "--reason", "lost in Mina")
        assert "revoked" in revoked.stdout
        status = folder / "status.cwt"
        assert run(season, "card", "export-status", "--out", str(status)).returncode == 0
        refused = run(season, "card", "verify", text, *offline, "--status", str(status))
        assert refused.returncode == 1
        assert refused.stdout.startswith("revoked: ")

    def test_garbage_is_unreadable_with_exit_code_1_and_no_traceback(
        self, season: dict[str, str]
    ) -> None:
        result = run(season, "card", "verify", "HJ1:not a card", "--at", "2026-06-01T00:00:00")
        assert result.returncode == 1
        assert result.stdout.startswith("unreadable: ")
        assert "Traceback" not in result.stderr

    def test_keys_are_made_once(self, season: dict[str, str]) -> None:
        assert_one_line_error(run(season, "keys", "init"), "keys_exist")
