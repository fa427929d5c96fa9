"""The chain from a grassroots batch to 已完成 over a real server (issue #15's acceptance): the clerk
submits in both channels → the secondary approves one and returns one with a reason → the clerk
reads the reason, fixes and resubmits → the district adds both to 待提交 → the totals line is
exact → submitting outside the window is refused, inside accepted → the district notice's text →
a voucher → the center accepts → every grassroots batch reads 已完成 after the clerk's next sync;
a second district batch with no voucher by the deadline → 未被受理 on both levels."""
from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app.models import Batch
from app.paths import Profile
from app.services import confirmations, enrollment, enrollment_batches
from app.services.district import save_district_notice
from app.sync import account
from app.sync.client import ServerClient, ServerProblem
from app.sync.superior import SuperiorApi
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server
from server.settings import ServerContext


class MovableClock:
    """The demo server's clock: real time plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


@pytest.fixture
def world(tmp_path: Path, profile: Profile, file_keyring) -> Iterator[dict[str, Any]]:
    clock = MovableClock()
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=60, clock=clock)
    signed = account.sign_in(url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    signed.engine.sync()
    yield {"url": url, "clock": clock, "signed": signed}
    stop()


def _as(url: str, username: str) -> SuperiorApi:
    client = ServerClient(url)
    client.login(username, DEMO_PASSWORD)
    return SuperiorApi(client)


def _submit(engine: Any, profile: Profile, year: int, channel: str, ids: list[int], replaces: str | None = None) -> str:
    d = enrollment.draft(engine.union_id, year, "A", channel=channel, member_ids=ids)
    assert not d.blocking, d.blocking
    sent = enrollment.submit(d, actor=DEMO_CLERK, documents=profile.documents, fingerprint=engine.device_fingerprint,
                             replaces=replaces)
    assert engine.sync().refused == 0
    return str(sent.batch_no)


def _ready_people(engine: Any, year: int) -> tuple[list[int], list[int]]:
    """Confirm the pending, settle the retirement flags, have the SS channel's members checked
    (获取社保卡和就业状态: the demo registry answers at once); the eligible of each channel."""
    import time

    from app.models import Member
    from app.models.outbox import enqueue
    from app.protocol import SsCheckRequest

    union_id = engine.union_id
    no_card = [m.id_number for m in Member.select().where(Member.card_no.is_null() & (Member.id_type == "mainland"))]
    enqueue(SsCheckRequest(no_card))
    engine.sync()
    time.sleep(1.5)  # the server's job worker answers the check
    engine.sync()
    confirmations.confirm(union_id, None, actor=DEMO_CLERK)
    for channel in ("card", "ss"):
        for c in enrollment.members_for_count(union_id, year, channel, "flagged"):
            enrollment.settle_retirement(c.id, "working", plan_year=year, actor=DEMO_CLERK)
    card = [c.id for c in enrollment.members_for_count(union_id, year, "card", "eligible")]
    ss = [c.id for c in enrollment.members_for_count(union_id, year, "ss", "eligible")]
    return card, ss


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(out, format="JPEG")
    return out.getvalue()


def test_from_grassroots_batch_to_completed(world: dict[str, Any], profile: Profile, tmp_path: Path) -> None:
    engine, url, clock = world["signed"].engine, world["url"], world["clock"]
    year = enrollment.require_campaign().plan_year
    card, ss = _ready_people(engine, year)
    assert len(card) >= 6 and ss, (len(card), len(ss))
    card_batch = _submit(engine, profile, year, "card", card[:4])
    ss_batch = _submit(engine, profile, year, "ss", ss[:1])

    secondary = _as(url, "secondary")
    assert secondary.approve([card_batch])["approved"] == 1
    secondary.return_batch(ss_batch, "社保卡参保名单缺少经办人确认，请核对后重新提交")
    engine.sync()
    assert Batch.get(Batch.batch_no == ss_batch).status == "returned"
    assert "经办人确认" in Batch.get(Batch.batch_no == ss_batch).return_reason
    assert Batch.get(Batch.batch_no == card_batch).status == "under_review"
    # The clerk's batch list after the sync: who approved it so far (审核标识) and the reason.
    listed = {b.batch_no: b for b in enrollment_batches.batches(engine.union_id)}
    assert (listed[card_batch].status_label, listed[card_batch].review_mark_label) == ("区局确认中", "二级工会")
    assert (listed[ss_batch].status_label, listed[ss_batch].return_reason) == (
        "退回", "社保卡参保名单缺少经办人确认，请核对后重新提交")
    again = _submit(engine, profile, year, "ss", ss[:1], replaces=ss_batch)

    district = _as(url, "district")
    assert district.approve([card_batch, again])["approved"] == 2
    engine.sync()
    marks = {b.batch_no: (b.status_label, b.review_mark_label) for b in enrollment_batches.batches(engine.union_id)}
    assert marks[card_batch] == marks[again] == ("区局确认中", "区局(产业)")
    totals = district.district_totals()
    assert totals["line"] == ("合计参保人数：5人(会员卡参保人数4人，社保卡参保人数1人)。保障费用：130元；市总统一划拨：65元；"
                              "区局/各级工会缴费：65元；基层单位缴费：0。")

    clock.offset = -timedelta(days=3)  # before the demo's submission window opens
    early = _as(url, "district")
    with pytest.raises(ServerProblem) as refused:
        early.district_submit("王经办", "13812345678")
    assert refused.value.problem == "window_closed"
    clock.offset = timedelta(0)
    receipt = district.district_submit("王经办", "13812345678")
    notice = save_district_notice(receipt, tmp_path / "区局告知书.pdf")
    text = "".join(subprocess.run(["pdftotext", str(notice), "-"], capture_output=True, text=True).stdout.split())
    assert "参加A类会员共计5人，参加B类会员共计0人，参加A+类会员共计0人，参加B+类会员共计0人，参保资金总额为65元" in text

    district.voucher_upload(receipt["batch_no"], _write(tmp_path / "凭证.jpg", _photo()))
    assert _as(url, "center").center_accept(receipt["batch_no"])["status_label"] == "已完成"
    engine.sync()
    labels = {b.batch_no: b.status_label for b in enrollment_batches.batches(engine.union_id)}
    assert labels[card_batch] == labels[again] == "已完成"

    # A second district batch, no voucher by the deadline: 未被受理 on both levels.
    late = _submit(engine, profile, year, "card", card[4:6])
    district = _as(url, "district")
    district.approve([late])
    second = district.district_submit("王经办", "13812345678")
    clock.offset = timedelta(days=80)
    from server.jobs import expire_unpaid

    expire_unpaid(ServerContext(clock=clock))  # what the server's job worker does every few seconds
    clock.offset = timedelta(0)  # back to today, so the clerk's PC may sync (clock skew) again
    center = _as(url, "center")
    assert {b["batch_no"]: b["status_label"] for b in center.center_batches()}[second["batch_no"]] == "未被受理"
    engine.sync()
    labels = {b.batch_no: b.status_label for b in enrollment_batches.batches(engine.union_id)}
    assert labels[late] == "未被受理" and labels[card_batch] == "已完成"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path

