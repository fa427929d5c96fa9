"""`union-clerk-cli review list|approve|return|remove` against a real loopback server: one JSON
object per line, exit 0 done / 2 refused / 3 offline."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.models import close_database
from union_server_testkit import G1_CARDED, PASSWORD, Server, Session, submission_payload, submission_record


def _submit(clerk: Session, members: list[str]) -> str:
    payload = submission_payload(clerk, members)
    [result] = clerk.push(submission_record(clerk, payload))
    assert result["status"] == "ok", result
    return str(payload["batch_no"])


class Cli:
    """union-clerk-cli on a profile signed in as `username`."""

    def __init__(self, server: Server, root: Path, username: str, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.profile, self.capsys = str(root / username), capsys
        monkeypatch.setenv("UNION_CLERK_PASSWORD", PASSWORD)
        assert self.run("sync", "--server", server.url, "--username", username, "--json")[0] == 0

    def run(self, *argv: str) -> tuple[int, list[dict[str, Any]]]:
        try:
            code = cli.main(["--profile", self.profile, *argv])
        finally:
            close_database()
        out = self.capsys.readouterr().out
        return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def test_review_commands(server: Server, clerk: Session, tmp_path: Path, file_keyring: Path,
                         capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _submit(clerk, G1_CARDED[:2]), _submit(clerk, G1_CARDED[2:3])
    secondary = Cli(server, tmp_path, "secondary", capsys, monkeypatch)
    code, rows = secondary.run("review", "list", "--json")
    assert code == 0 and [r["batch_no"] for r in rows] == [first, second]
    assert rows[0]["union"]["name"] == "上海示范科技有限公司工会委员会" and rows[0]["member_count"] == 2

    code, results = secondary.run("review", "approve", first, "--json")
    assert code == 0 and results == [{"batch_no": first, "status": "ok", "review_mark": "secondary"}]
    code, results = secondary.run("review", "approve", first, "NO-SUCH-BATCH", "--json")
    assert code == 2 and [r["problem"] for r in results] == ["batch_state", "union_scope"]

    code, [returned] = secondary.run("review", "return", second, "--reason", "人数不对，请核对", "--json")
    assert code == 0 and returned["status"] == "returned" and returned["return_reason"] == "人数不对，请核对"

    district = Cli(server, tmp_path, "district", capsys, monkeypatch)
    code, rows = district.run("review", "list", "--json")
    assert [(r["batch_no"], r["review_mark_label"]) for r in rows] == [(first, "二级工会")]
    assert district.run("review", "approve", first, "--json")[0] == 0
    code, rows = district.run("review", "list", "--status", "ready", "--json")
    assert [r["batch_no"] for r in rows] == [first]
    code, [removed] = district.run("review", "remove", first, "--json")
    assert code == 0 and removed["review_mark"] == "secondary"
    # A secondary has no 待提交 list: refused with what to do.
    code, [refused] = secondary.run("review", "list", "--status", "ready", "--json")
    assert code == 2 and "区局" in refused["error"]


def test_grassroots_account_is_refused(server: Server, clerk: Session, tmp_path: Path, file_keyring: Path,
                                       capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _submit(clerk, G1_CARDED[:1])
    grassroots = Cli(server, tmp_path, "grassroots2", capsys, monkeypatch)
    code, [refused] = grassroots.run("review", "approve", batch, "--json")
    assert code == 2 and "无权" in refused["error"]
