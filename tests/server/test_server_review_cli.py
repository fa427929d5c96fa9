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


def test_district_and_center_commands(server: Server, clerk: Session, tmp_path: Path, file_keyring: Path,
                                      capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from test_server_district import LINE, _photo

    batch = _submit(clerk, G1_CARDED[:3])
    district = Cli(server, tmp_path, "district", capsys, monkeypatch)
    assert district.run("review", "approve", batch, "--json")[0] == 0
    code, [totals] = district.run("district", "totals", "--json")
    assert code == 0 and totals["line"] == LINE.format(n=3, a=3, b=0, x=78, y=39, z=39, w=0)
    notice = tmp_path / "区局告知书.pdf"
    code, [receipt] = district.run("district", "submit", "--handler-name", "王经办", "--handler-phone", "13812345678",
                                   "--out", str(notice), "--json")
    assert code == 0 and receipt["notice"] == str(notice)
    text = subprocess.run(["pdftotext", "-layout", str(notice), "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "参加A类会员共计3人" in flat and "参加B类会员共计0人" in flat and "参加A+类会员共计0人" in flat
    assert "参保资金总额为39元" in flat and "上海市职工保障互助中心会员专享保障专户" in flat
    assert "316023-03002745697" in flat and "上海银行人民广场支行" in flat and receipt["batch_no"] in flat

    photo = tmp_path / "凭证.jpg"
    photo.write_bytes(_photo())
    code, [uploaded] = district.run("voucher", "upload", receipt["batch_no"], str(photo), "--json")
    assert code == 0 and uploaded["status"] == "uploaded"
    center = Cli(server, tmp_path, "center", capsys, monkeypatch)
    code, rows = center.run("center", "vouchers", "--json")
    assert code == 0 and [r["batch_no"] for r in rows] == [receipt["batch_no"]]
    code, [refused] = center.run("center", "reject", receipt["batch_no"], "--json")
    assert code == 2 and "原因" in refused["error"]
    code, [done] = center.run("center", "accept", receipt["batch_no"], "--json")
    assert code == 0 and done["status_label"] == "已完成"
    code, [again] = center.run("center", "accept", receipt["batch_no"], "--json")
    assert code == 2
