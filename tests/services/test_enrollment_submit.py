"""Submitting: the batch, its notice and outbox row in one transaction; what the notices say for
each kind of batch; 重新下载; batch numbers; Shanghai dates — read from the real PDFs."""
from __future__ import annotations

import json
import re
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from enrollment_kit import OCT_29, PLAN_YEAR, add, open_union

from app.models import Batch, BatchMember, Outbox, Setting, Union, close_database, open_database
from app.paths import Profile
from app.rules.coverage import shanghai_date
from app.services import batch_numbers, enrollment, enrollment_notice
from app.services.errors import ClerkError

@pytest.fixture
def union(profile: Profile) -> int:
    return open_union()


def _text(path: Path, page: int = 1) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


def _submit(union: int, documents: Path, *, now: datetime = OCT_29, **draft_args) -> enrollment.Submitted:
    today = shanghai_date(now)
    d = enrollment.draft(union, PLAN_YEAR, "A", today=draft_args.pop("today", today), **draft_args)
    return enrollment.submit(d, actor="clerk", documents=documents, fingerprint="ab12 cd34 ef56 7890", now=now)


def test_submit_queues_batch_notice_and_outbox(union: int, tmp_path: Path) -> None:
    for n in range(53):
        add(union, n)
    sent = _submit(union, tmp_path / "documents")
    batch = Batch.get(Batch.batch_no == sent.batch_no)
    assert batch.status == "queued" and batch.member_count == 53 and batch.plan_type == "A"
    assert BatchMember.select().where(BatchMember.batch == batch).count() == 53
    row = Outbox.get(Outbox.id == batch.outbox_id)
    payload = json.loads(row.payload)
    assert row.kind == "submission" and row.attachment == str(sent.notice_path)
    assert payload["totals"] == {"count": 53, "fee": "1378.00", "city": "689.00", "district": "689.00",
                                 "grassroots": "0.00"}
    assert payload["fee_split"]["fee"] == "26.00"
    assert len(payload["members"]) == 53 and payload["members"][0]["coverage_start"] == "2025-01-01"
    text = _text(sent.notice_path)
    assert "上海建朗信息科技有限公司工会：" in text and sent.batch_no in text
    assert "截至今日参加A类会员共计53人(会员卡参保53人,社保卡参保0人)" in text and "1378" in text
    assert enrollment.count(union, PLAN_YEAR).eligible == 0
    assert enrollment.count(union, PLAN_YEAR).submitted == 53
    assert enrollment.fixed_plan_type(union, PLAN_YEAR) == "A"
    add(union, 99)
    other = enrollment.draft(union, PLAN_YEAR, "B")
    assert other.blocking[0].code == "plan_type_fixed" and "A类" in other.blocking[0].message


def test_manuals_55_is_45_by_card_and_10_by_ss(union: int, tmp_path: Path) -> None:
    for n in range(45):
        add(union, n)
    for n in range(100, 110):
        add(union, n, card=False, ss_card_status="normal", employment_status="employed")
    _submit(union, tmp_path)
    ss = _submit(union, tmp_path, channel="ss")
    text = _text(ss.notice_path)
    assert "截至今日参加A类会员共计55人(会员卡参保45人,社保卡参保10人)" in text
    # Defect 5: the first SS batch after a card batch is not a 补充提交 …
    assert "补充提交" not in text
    # … a second central batch of the same channel is.
    add(union, 46)
    again = _submit(union, tmp_path)
    assert "补充提交" in _text(again.notice_path)


@pytest.mark.parametrize("when", ["before the notice is written", "after the notice is written"])
def test_notice_is_not_left_behind_when_the_submission_fails(union: int, tmp_path: Path, monkeypatch,
                                                             when: str) -> None:
    """Defect 12: the notice PDF was saved before the transaction, so a failed submission left it."""
    from app.services import notices

    add(union, 1)
    d = enrollment.draft(union, PLAN_YEAR, "A")
    real_save = notices.save_notice

    def broken(*args, **kwargs):
        raise OSError("disk full")

    def saved_then_broken(*args, **kwargs):
        assert real_save(*args, **kwargs).exists()
        raise OSError("the commit failed")

    if when.startswith("before"):
        monkeypatch.setattr(enrollment.audit, "record", broken)
    else:
        monkeypatch.setattr(notices, "save_notice", saved_then_broken)
    documents = tmp_path / "documents"
    with pytest.raises(OSError):
        enrollment.submit(d, actor="clerk", documents=documents, fingerprint="x")
    assert not documents.exists() or list(documents.iterdir()) == []
    assert Batch.select().count() == 0 and Outbox.select().count() == 0


def test_instant_batch_notice_says_instant_and_central_notice_never_counts_it(union: int, tmp_path: Path) -> None:
    """Defect 5: an instant batch's notice printed the central deadline and Jan 1 coverage, and the
    central notice counted the instant members."""
    for n in range(5):
        add(union, n)
    central = _submit(union, tmp_path)
    for n in range(10, 16):
        add(union, n)
    july = datetime.fromisoformat("2025-07-05T09:00:00+08:00")
    instant = _submit(union, tmp_path, now=july, kind="instant_carded")
    text = _text(instant.notice_path)
    assert "即时参保2025年度上海工会会员专享基本保障计划（有卡无保人员）" in text
    assert "保障日期为2025年7月6日起至2025年12月31日止" in text
    assert "本次参保6人，保障费用：78元" in text  # 半年 from July: 6 × 13
    assert "2024年12月25日" not in text and "2025年1月1日" not in text
    assert instant.batch_no.startswith("JS20250705")
    # 重新下载集中参保告知书: the central batches only, priced row by row, labelled cumulative.
    path = enrollment_notice.regenerate_latest_notice(union, PLAN_YEAR, fingerprint="x", documents=tmp_path,
                                                      today=date(2025, 7, 6))
    text = _text(path)
    assert path.name == f"告知书-{central.batch_no}.pdf"
    assert "截至今日参加A类会员共计5人(会员卡参保5人,社保卡参保0人)" in text
    assert "截至今日累计参保5人，保障费用：130元" in text and "本次" not in text
    assert "2025年7月6日" in text


def test_notice_and_batch_number_carry_the_shanghai_date(union: int, tmp_path: Path) -> None:
    """Defect 11: a PC on UTC dated the notice 2026-11-30 while Shanghai was on 12-01."""
    add(union, 1)
    late_utc = datetime(2024, 11, 30, 20, 0, tzinfo=timezone.utc)  # 2024-12-01 04:00 in Shanghai
    sent = _submit(union, tmp_path, now=late_utc, today=date(2024, 12, 1))
    assert "2024年12月1日" in _text(sent.notice_path)
    assert sent.batch_no.startswith("JZ20241201")


def test_batch_numbers_are_unique_across_pcs_and_kinds(tmp_path: Path) -> None:
    """Defect 12: BK{time}{00–99} collided 1 in 100 per second across PCs of one union."""
    numbers: list[str] = []
    for pc, fingerprint in (("a", "3f2a 9c01 77de 4b10"), ("b", "3f2a 9c01 77de 4b11")):
        prof = Profile(tmp_path / pc).create()
        open_database(prof.database, backup_dir=prof.backups)
        try:
            Setting.create(key="device_fingerprint", value=fingerprint)
            day = date(2024, 10, 29)
            numbers += [batch_numbers.next_batch_no(batch_numbers.PREFIX_CARD, day) for _ in range(3)]
            numbers.append(batch_numbers.next_batch_no(batch_numbers.PREFIX_CENTRAL, day))
        finally:
            close_database()
    assert len(set(numbers)) == len(numbers) == 8
    assert numbers[0] == "BK202410293F2A9C0177DE4B100001" and numbers[3] == "JZ202410293F2A9C0177DE4B100004"
    assert numbers[4] == "BK202410293F2A9C0177DE4B110001"


def test_a_profile_without_a_device_key_gets_a_tag_of_its_own(profile: Profile) -> None:
    first = batch_numbers.device_tag()
    assert first.startswith("L") and len(first) == 16 and batch_numbers.device_tag() == first


def test_no_campaign_says_sync_first(profile: Profile) -> None:
    union = Union.create(name="x工会")
    with pytest.raises(ClerkError) as caught:
        enrollment.draft(union.id, PLAN_YEAR, "A")
    assert "同步" in caught.value.action
