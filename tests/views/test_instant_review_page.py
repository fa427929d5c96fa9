"""即时参保审核, the district's page (manual part 4) over a real demo server: only the instant
batches, apart from 集中参保审核's central ones; 审核通过 completes a batch on the server;
screenshot at 1366×768."""
from __future__ import annotations

import secrets
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from app import protocol
from app.sync.client import ServerClient
from server.demo import demo_notice_pdf, demo_submission
from server.embedded import DEMO_PASSWORD
from test_superior_pages import SHOTS, _eligible, _show, _window, world

__all__ = ["world"]


def _instant_as(url: str, username: str, n: int) -> str:
    """An instant batch of `n` members at the coverage and price the server computes today."""
    client = ServerClient(url)
    client.login(username, DEMO_PASSWORD)
    key = protocol.generate_device_key()
    fingerprint = client.register_device(protocol.public_key_b64(key))["fingerprint"]
    org = client.me()["union"]["org_code"]
    year = client.campaign()["plan_year"]
    pdf = demo_notice_pdf("即时参保告知书")
    numbers = _eligible(org, year, 40)[-n:]  # not the central batches' members
    expected = None
    for _attempt in range(2):
        wire = demo_submission(org, year, numbers, pdf, kind="instant_carded", nonce=secrets.token_hex(16),
                               timestamp=protocol.format_timestamp(client.server_time())).to_wire()
        if expected is not None:
            fee = Decimal("26") if expected["period"] == "full" else Decimal("13")
            for row in wire["members"]:
                row.update(coverage_start=expected["coverage_start"], coverage_end=expected["coverage_end"],
                           period=expected["period"])
            wire["totals"] = {"count": n, "fee": f"{fee * n:.2f}", "city": f"{fee / 2 * n:.2f}",
                              "district": f"{fee / 2 * n:.2f}", "grassroots": "0.00"}
        record = protocol.PushRecord.signed(str(uuid.uuid4()), protocol.RecordKind.SUBMISSION, wire, key, pdf)
        [result] = client.push(fingerprint, [record.to_wire()])
        if result["status"] == "ok":
            return str(wire["batch_no"])
        assert result["problem"] == "coverage_mismatch", result
        expected = result["detail"]["expected"]
    raise AssertionError("instant batch refused")


def test_district_instant_review_page(qtbot, world: dict[str, Any], bundled_font) -> None:
    instant = _instant_as(world["url"], "grassroots2", 2)
    window = _window(qtbot, world["profile"], "district", world["api"])
    assert window._nav_items["instant_review"].parent().text(0) == "会员服务卡管理系统"
    central = _show(qtbot, window, "review_pending")
    assert central.model.rowCount() == 2 and instant not in {r["batch_no"] for r in central.model.rows}
    page = _show(qtbot, window, "instant_review")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    assert page.model.rows[0]["batch_no"] == instant and page.approve_button.text() == "审核通过"
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "district-instant-review.png"))
    page.table.selectAll()
    page.approve_selected()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    detail = world["api"].review_detail(instant)
    assert detail["status"] == "completed" and date.fromisoformat(detail["roster"][0]["coverage_end"]).month == 12
