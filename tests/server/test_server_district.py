"""The district's 待提交 list, its submission to the center inside the server-clock window, the
vouchers and the center's decisions, and 未被受理 after the deadline — over a real loopback server."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from PIL import Image

from app.rules.fees import FeeSplit, district_notice_amount
from server.db import session
from server.models import Enrollment, Voucher
from server.superior.district import sum_batches
from server.superior.vouchers import expire_unpaid
from test_server_review import _approve, _feed, _second_district, _submit
from union_server_testkit import G1_CARDED, G2_CARDED, Server, Session

LINE = ("合计参保人数：{n}人(会员卡参保人数{a}人，社保卡参保人数{b}人)。保障费用：{x}元；市总统一划拨：{y}元；"
        "区局/各级工会缴费：{z}元；基层单位缴费：{w}。")


def test_manual_district_notice_figures() -> None:
    """Manual §4.5: 9988 A-class members → 参保资金总额 129844 元 (= 9988 × 13, the district share)."""
    totals = {"fee": "259688.00", "city": "129844.00", "district": "129844.00", "grassroots": "0.00"}
    sums = sum_batches([("card", "A", 9000, {k: str(Decimal(v) * 9000 / 9988) for k, v in totals.items()}),
                        ("ss", "A", 988, {k: str(Decimal(v) * 988 / 9988) for k, v in totals.items()})])
    assert sums.plan_types == {"A": 9988, "B": 0, "A_PLUS": 0, "B_PLUS": 0}
    assert sums.notice_amount == Decimal("129844.00")
    assert sums.notice_amount == district_notice_amount({"A": 9988}, {"A": FeeSplit.from_strings("26", "13", "13", "0")})
    assert sums.line() == LINE.format(n=9988, a=9000, b=988, x=259688, y=129844, z=129844, w=0)


def _photo(kind: str = "JPEG", exif: bool = True) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "SecretCam"  # Make
        tags[0x0132] = "2024:12:27 10:00:00"  # DateTime
        image.save(out, format=kind, exif=tags.tobytes())
    else:
        image.save(out, format=kind)
    return out.getvalue()


def _upload(who: Session, batch_no: str, data: bytes, kind: str = "image/jpeg") -> Any:
    return who.http.post(f"/district/batches/{batch_no}/vouchers", content=data,
                         headers={**who.headers, "Content-Type": kind})


def _ready_district(server: Server, clerk: Session, clerk2: Session) -> tuple[Session, list[str]]:
    batches = [_submit(clerk, G1_CARDED[:3]), _submit(clerk2, G2_CARDED[:1])]
    district = Session(server, "district")
    assert _approve(district, *batches)["approved"] == 2
    return district, batches


def test_totals_line_and_the_window_by_the_server_clock(server: Server, clerk: Session, clerk2: Session) -> None:
    district, batches = _ready_district(server, clerk, clerk2)
    totals = district.get("/district/totals").json()
    assert totals["line"] == LINE.format(n=4, a=4, b=0, x=104, y=52, z=52, w=0)
    assert (totals["batches"], totals["amount"], totals["window"]["open"]) == (2, "52.00", True)

    server.clock.offset = -timedelta(days=3)  # before the submission window opens
    early = Session(server, "district")
    assert early.get("/district/totals").json()["window"]["open"] is False
    r = early.post("/district/submit", {"handler_name": "王经办", "handler_phone": "13812345678"})
    assert r.status_code == 403 and r.json()["problem"] == "window_closed"
    server.clock.offset = timedelta(0)

    district = Session(server, "district")
    r = district.post("/district/submit", {"handler_name": "王经办", "handler_phone": "1381234"})
    assert r.status_code == 422 and "经办人手机号码" in r.json()["message"]
    r = district.post("/district/submit", {"handler_name": "王经办", "handler_phone": "138 1234 5678"})
    assert r.status_code == 200, r.text
    receipt = r.json()
    assert receipt["counts"] == {"A": 4, "B": 0, "A_PLUS": 0, "B_PLUS": 0}
    assert (receipt["amount"], receipt["status_label"]) == ("52.00", "职保中心确认中")
    assert receipt["bank_account"]["number"] == "316023-03002745697"
    # Every grassroots batch in it reads 已完成 in its union's feed; the list is empty now.
    assert _feed(clerk, batches[0])["status"] == "completed"
    assert _feed(clerk, batches[0])["district_batch"] == receipt["batch_no"]
    assert _feed(clerk2, batches[1])["status"] == "completed"
    assert district.get("/district/totals").json()["count"] == 0
    r = district.post("/district/submit", {"handler_name": "王经办", "handler_phone": "13812345678"})
    assert r.status_code == 409 and r.json()["problem"] == "batch_state"


def test_vouchers_and_the_centers_decision(server: Server, clerk: Session, clerk2: Session) -> None:
    district, batches = _ready_district(server, clerk, clerk2)
    batch_no = district.post("/district/submit", {"handler_name": "王经办", "handler_phone": "13812345678"}).json()["batch_no"]
    center = Session(server, "center")
    r = center.post(f"/center/batches/{batch_no}/accept", {})
    assert r.status_code == 409 and r.json()["problem"] == "batch_state"  # no voucher yet

    r = _upload(district, batch_no, b"%PDF-1.4 not a photo")
    assert r.status_code == 422 and r.json()["problem"] == "voucher_invalid"
    r = _upload(district, batch_no, _photo("PNG", exif=False), kind="image/jpeg")  # the type must match
    assert r.status_code == 422
    r = _upload(district, batch_no, _photo())
    assert r.status_code == 200, r.text
    with session():
        stored = bytes(Voucher.get_by_id(r.json()["id"]).image)
    assert b"SecretCam" not in stored and Image.open(io.BytesIO(stored)).getexif() == {}
    assert b"SecretCam" in _photo()

    listed = {b["batch_no"]: b for b in center.get("/center/batches").json()["batches"]}[batch_no]
    assert [v["status"] for v in listed["vouchers"]] == ["uploaded"] and listed["member_count"] == 4
    r = center.post(f"/center/batches/{batch_no}/reject", {"reason": "金额与告知书不符，请重新上传"})
    assert r.status_code == 200
    seen = district.get("/district/batches").json()["batches"][0]
    assert seen["vouchers"][0]["reason"] == "金额与告知书不符，请重新上传" and seen["status"] == "center_review"
    assert _upload(district, batch_no, _photo("PNG"), kind="image/png").status_code == 200
    r = center.post(f"/center/batches/{batch_no}/accept", {})
    assert r.status_code == 200 and r.json()["status_label"] == "已完成"
    assert _feed(clerk, batches[0])["status"] == "completed"
    assert _upload(district, batch_no, _photo()).status_code == 409  # nothing changes after 已完成


def test_no_voucher_by_the_deadline_is_not_accepted_on_both_levels(server: Server, clerk: Session) -> None:
    batch = _submit(clerk, G1_CARDED[:2])
    district = Session(server, "district")
    _approve(district, batch)
    receipt = district.post("/district/submit", {"handler_name": "王经办", "handler_phone": "13812345678"}).json()
    with session():
        assert expire_unpaid(server.ctx) == 0  # not yet
    deadline = receipt["voucher_deadline"]
    server.clock.offset = timedelta(days=60)
    with session():
        expire_unpaid(server.ctx)  # what the job worker does every poll (it may have done it already)
        assert Enrollment.select().count() == 0  # the members are free for instant enrollment
    center = Session(server, "center")
    row = center.get("/center/batches").json()["batches"][0]
    assert (row["status"], row["status_label"]) == ("not_accepted", "未被受理")
    assert _feed(Session(server, "grassroots"), batch)["status"] == "not_accepted"
    assert deadline


def test_scope_of_the_district_and_center_routes(server: Server, clerk: Session, clerk2: Session) -> None:
    district, _ = _ready_district(server, clerk, clerk2)
    batch_no = district.post("/district/submit", {"handler_name": "王经办", "handler_phone": "13812345678"}).json()["batch_no"]
    _second_district(server)
    other = Session(server, "district2")
    assert _upload(other, batch_no, _photo()).status_code == 403
    assert other.get("/district/batches").json()["batches"] == []
    for username in ("grassroots", "secondary", "city"):
        someone = Session(server, username)
        for r in (someone.get("/district/totals"), _upload(someone, batch_no, _photo()),
                  someone.post("/district/submit", {"handler_name": "王经办", "handler_phone": "13812345678"}),
                  someone.get("/center/batches"), someone.post(f"/center/batches/{batch_no}/accept", {})):
            assert r.status_code == 403 and r.json()["problem"] == "union_scope", (username, r.text)
    for r in (district.get("/center/batches"), district.post(f"/center/batches/{batch_no}/reject", {"reason": "x"})):
        assert r.status_code == 403


def test_a_photo_over_the_limit_is_refused_before_it_is_read(server: Server, clerk: Session, clerk2: Session) -> None:
    import socket
    from urllib.parse import urlparse

    from app.protocol.superior import MAX_VOUCHER_BYTES

    district, _ = _ready_district(server, clerk, clerk2)
    batch_no = district.post("/district/submit", {"handler_name": "王经办", "handler_phone": "13812345678"}).json()["batch_no"]
    # Declared over the limit: answered 413 before a byte of the body is sent.
    address = urlparse(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall((f"POST /district/batches/{batch_no}/vouchers HTTP/1.1\r\nHost: x\r\n"
                      f"Authorization: {district.headers['Authorization']}\r\nContent-Type: image/jpeg\r\n"
                      f"Content-Length: {MAX_VOUCHER_BYTES + 1}\r\n\r\n").encode())
        answer = conn.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")
    with session():
        assert Voucher.select().count() == 0
