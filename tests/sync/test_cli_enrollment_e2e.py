"""The enrollment workflow through union-clerk-cli against a real server (issue #14): ss-check, the
answers, confirm, retirement, enroll (dry run and submit) in both channels, batches, notice; one
JSON object per line; exit 0 done, 2 refused with error + action, 3 offline (queued)."""
from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli
from app.models import Batch, Outbox
from app.paths import Profile
from app.services import confirmations, enrollment
from app.sync import account
from app.sync.client import ServerClient

from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server


@pytest.fixture
def server(tmp_path: Path, profile: Profile, file_keyring) -> Iterator[tuple[account.SignedIn, callable]]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=60)
    signed = account.sign_in(url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    signed.engine.sync()
    yield signed, stop
    stop()


def run(capsys, profile: Profile, *args: str) -> tuple[int, list[dict]]:
    code = cli.main(["--profile", str(profile.root), *args])
    lines = capsys.readouterr().out.strip().splitlines()
    return code, [json.loads(line) for line in lines]


def one(capsys, profile: Profile, *args: str) -> tuple[int, dict]:
    code, answers = run(capsys, profile, *args)
    assert len(answers) == 1, answers
    return code, answers[0]


def test_the_workflow_through_the_cli(server, profile: Profile, capsys) -> None:
    signed, _ = server
    code, dry = one(capsys, profile, "enroll", "--channel", "ss", "--plan-type", "A", "--dry-run", "--json")
    assert code == 0 and dry["eligible"] == 0 and dry["counts"]["awaiting_check"] > 0
    assert {"code": "empty", "message": "没有可以提交的会员。"} in dry["blocked"]

    code, asked = one(capsys, profile, "ss-check", "--json")
    assert code == 0 and asked["queued"] == dry["counts"]["awaiting_check"] and asked["sent"]
    assert "校验中" in asked["message"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the server's job answers in its worker thread
        assert one(capsys, profile, "sync", "--json")[0] == 0
        code, dry = one(capsys, profile, "enroll", "--channel", "ss", "--plan-type", "A", "--dry-run", "--json")
        if dry["eligible"]:
            break
        time.sleep(0.1)
    assert dry["eligible"] > 0 and dry["counts"]["pending"] > 0
    assert dry["fee"] == f"{26 * dry['eligible']}.00" and dry["city_share"] == f"{13 * dry['eligible']}.00"
    assert dry["grassroots_share"] == "0.00"

    # Confirm the unclear ones (final), answer the retirement flags, then submit all of 待提交.
    unclear = [p for p in confirmations.pending(signed.engine.union_id) if not p.confirmed]
    numbers = [p.member_no for p in unclear]
    code, done = one(capsys, profile, "confirm", "--id", *numbers, "--json")
    assert code == 0 and done["confirmed"] == len(numbers) and done["sent"]
    year = enrollment.require_campaign().plan_year
    flagged = [c.id_number for ch in ("card", "ss") for c in enrollment.members_for_count(
        signed.engine.union_id, year, ch, "flagged")]
    if flagged:
        code, settled = one(capsys, profile, "retirement", "--id", *flagged, "--still-working", "--json")
        assert code == 0 and settled["settled"] == len(flagged) and settled["answer"] == "working"
    code, dry2 = one(capsys, profile, "enroll", "--channel", "ss", "--plan-type", "A", "--dry-run", "--json")
    assert dry2["eligible"] > dry["eligible"] and dry2["counts"]["pending"] == 0 and dry2["blocked"] == []

    code, sent = one(capsys, profile, "enroll", "--channel", "ss", "--plan-type", "A", "--json")
    assert code == 0 and sent["status"] == "under_review" and sent["count"] == dry2["eligible"], sent
    assert Path(sent["notice"]).is_file()

    # A second plan type is refused (exit 2, with the reason and what to do).
    code, refused = one(capsys, profile, "enroll", "--channel", "card", "--plan-type", "B", "--json")
    assert code == 2 and "保障类型" in refused["error"] and refused["action"]

    # The card channel at the same plan type; the notice counts both channels.
    code, card = one(capsys, profile, "enroll", "--channel", "card", "--plan-type", "A", "--members",
                     ",".join(c.id_number for c in enrollment.members_for_count(
                         signed.engine.union_id, year, "card", "eligible")[:5]), "--json")
    assert code == 0 and card["count"] == 5 and card["status"] == "under_review"
    out = profile.root / "notice.pdf"
    code, saved = one(capsys, profile, "notice", card["batch_no"], "--out", str(out), "--json")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout.replace("\n", "")
    total = 5 + sent["count"]
    assert code == 0 and f"共计 {total} 人(会员卡参保 5 人,社保卡参保 {sent['count']} 人)" in text

    # batches: one line per batch; the district's return reason shows after a sync.
    district = ServerClient(signed.engine.client.base_url)
    district.login("district", DEMO_PASSWORD)
    sid = next(r["submission_id"] for r in signed.engine.client.submissions() if r["batch_no"] == sent["batch_no"])
    district.decide(sid, "return", "请核对名单")
    one(capsys, profile, "sync", "--json")
    code, rows = run(capsys, profile, "batches", "--channel", "ss", "--json")
    assert code == 0 and [(r["batch_no"], r["status"], r["reason"], r["kind"]) for r in rows] == [
        (sent["batch_no"], "returned", "请核对名单", "central")]
    code, rows = run(capsys, profile, "batches", "--json")
    assert {r["channel"] for r in rows} == {"card", "ss"}
    # The secondary approves the card batch: 审核标识 二级工会 after a sync, still 区局确认中.
    secondary = ServerClient(signed.engine.client.base_url)
    secondary.login("secondary", DEMO_PASSWORD)
    card_id = next(r["submission_id"] for r in signed.engine.client.submissions() if r["batch_no"] == card["batch_no"])
    secondary.decide(card_id, "approve")
    one(capsys, profile, "sync", "--json")
    code, rows = run(capsys, profile, "batches", "--channel", "card", "--json")
    assert [(r["status_label"], r["review_mark"], r["review_mark_label"]) for r in rows] == [
        ("区局确认中", "secondary", "二级工会")]


def test_refusals_and_offline(server, profile: Profile, capsys) -> None:
    signed, stop = server
    code, answer = one(capsys, profile, "confirm", "--id", "310101000000000000", "--json")
    assert code == 2 and "没有证件号码或会员编号" in answer["error"] and answer["action"]
    code, answer = one(capsys, profile, "notice", "NOPE", "--out", str(profile.root / "x.pdf"), "--json")
    assert code == 2 and answer["error"] and answer["action"]
    stop()  # offline: the check is queued, said so, exit 3
    code, answer = one(capsys, profile, "ss-check", "--json")
    assert code == 3 and answer["queued"] > 0 and answer["sent"] is False and answer["action"]
    assert Outbox.select().where((Outbox.kind == "ss_check_request") & (Outbox.state == "to_send")).count() == 1
    assert Batch.select().count() == 0
