"""The demo world (`union-clerk --demo`, server/demo.py) gives the district something to review: an
instant batch in 即时参保审核, a central batch in 集中参保审核 and a card batch's 撤销 request in 撤销办卡批次审核, sent by the 联合工会's
clerk through the server's push and withdrawal code; the card batch stays held (制卡中, no card made)
while the request waits; screenshots at 1366×768."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.paths import Profile
from app.sync.client import ServerClient
from app.sync.superior import SuperiorApi
from server.demo import SAMPLE_WITHDRAWAL_REASON
from server.embedded import DEMO_PASSWORD, start_demo_server
from screen_walk import misfits
from test_superior_pages import _show, _window


@pytest.fixture
def demo(tmp_path: Path, profile: Profile) -> Iterator[dict[str, Any]]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=40)  # as `--demo` builds it
    district = ServerClient(url)
    district.login("district", DEMO_PASSWORD)
    yield {"api": SuperiorApi(district), "profile": profile}
    stop()


def _card_batch(batch_no: str) -> tuple[str, int, set[str]]:
    from server.db import session
    from server.models import CardBatch, CardBatchMember, Member

    with session():
        batch = CardBatch.get(CardBatch.batch_no == batch_no)
        numbers = [m.id_number for m in CardBatchMember.select().where(CardBatchMember.batch == batch)]
        return batch.status, batch.issued, {m.card_status for m in Member.select().where(Member.id_number.in_(numbers))}


def _cut(page: Any) -> list[str]:
    """The table's cells that do not fit their columns (tests/views/screen_walk.py's check)."""
    return [m for m in misfits(page) if m.startswith("table:")]


def test_the_district_reviews_the_demo_instant_batch_and_withdrawal(qtbot, demo: dict[str, Any], bundled_font) -> None:
    window = _window(qtbot, demo["profile"], "district", demo["api"])
    instant = _show(qtbot, window, "instant_review", "district-demo-instant-review.png")
    qtbot.waitUntil(lambda: instant.model.rowCount() == 1, timeout=10_000)
    [batch] = instant.model.rows
    assert batch["union"]["name"] == "上海市黄浦区南京东路街道联合工会" and batch["kind"] == "instant_carded"
    assert batch["member_count"] == 2 and batch["status"] == "under_review"
    assert _cut(instant) == []  # the batch number (30 characters, as a PC numbers it) too
    central = _show(qtbot, window, "review_pending", "district-demo-central-review.png")
    qtbot.waitUntil(lambda: central.model.rowCount() == 1, timeout=10_000)
    [batch] = central.model.rows  # 集中参保审核 keeps to central batches: the demo's one, not the instant batch
    assert batch["union"]["name"] == "上海市黄浦区南京东路街道联合工会" and batch["kind"] == "central"
    assert batch["member_count"] == 3 and batch["batch_no"].startswith("JZ")
    assert _cut(central) == []
    withdrawals = _show(qtbot, window, "withdrawal_review", "district-demo-withdrawal-review.png")
    qtbot.waitUntil(lambda: withdrawals.model.rowCount() == 1, timeout=10_000)
    [request] = withdrawals.model.rows
    assert (request["status"], request["reason"], request["member_count"]) == ("pending", SAMPLE_WITHDRAWAL_REASON, 2)
    assert request["union"]["name"] == "上海市黄浦区南京东路街道联合工会"
    assert _cut(withdrawals) == []
    reason = withdrawals.model.index(0, [head for head, _ in withdrawals.model.columns].index("撤销原因"))
    assert withdrawals.model.data(reason, Qt.ItemDataRole.ToolTipRole) == SAMPLE_WITHDRAWAL_REASON  # read whole when cut
    assert _card_batch(request["batch_no"]) == ("issuing", 0, {"applying"})  # held while the district decides
