"""Central enrollment (card channel): counts, the manual's figures, retirement flags, plan type,
submission with its notice and outbox row — all offline against a cached campaign."""
from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from app.models import AuditEntry, Batch, BatchMember, Member, Outbox, Union
from app.paths import Profile
from app.rules.codes import Gender, LifeStatus, PostType
from app.services import enrollment
from app.services.errors import ClerkError

PLAN_YEAR = 2025
CAMPAIGN = {
    "plan_year": PLAN_YEAR,
    "payment_deadline": "2024-12-25",
    "windows": {"coverage": {"start": "2025-01-01", "end": "2025-12-31"},
                "enrollment": {"start": "2024-10-01", "end": "2024-12-25"}},
    "bank_account": {"name": "上海市职工保障互助中心会员专享保障专户", "number": "316023-03002745697",
                     "bank": "上海银行人民广场支行"},
    "half_year": {"enabled": True, "from_month": 7, "price_factor": "0.5"},
    "plan_types": [{"plan_type": "A", "fee": "26.00", "city": "13.00", "district": "13.00", "grassroots": "0.00"},
                   {"plan_type": "B", "fee": "16.00", "city": "8.00", "district": "8.00", "grassroots": "0.00"}],
}


def _id(n: int, birth: str = "19900101", male: bool = True) -> str:
    from app.rules.idcard import check_character

    first17 = f"310101{birth}{n % 100:02d}{(1 if male else 2) + 2 * (n // 100 % 4)}"
    return first17 + check_character(first17)


@pytest.fixture
def union(profile: Profile) -> int:
    union = Union.create(name="上海建朗信息科技有限公司工会", org_code="91310101MA1FL0XX1X")
    enrollment.cache_campaign(CAMPAIGN)
    return union.id


def add(union_id: int, n: int, *, card: bool = True, birth: str = "19900101", male: bool = True, **extra) -> Member:
    fields = dict(union=union_id, member_no=f"{n:05d}", name=f"会员{n}", id_type="mainland",
                  id_number=_id(n, birth, male), gender=Gender.MALE if male else Gender.FEMALE,
                  birth_date=date(int(birth[:4]), int(birth[4:6]), int(birth[6:])), phone=f"139{n:08d}",
                  card_no=f"6231{n:015d}" if card else None, card_status="issued" if card else "none")
    fields.update(extra)
    return Member.create(**fields)


@pytest.mark.parametrize("count, fee, city, district", [(53, "1378", "689", "689"), (36, "936", "468", "468"),
                                                       (2, "52", "26", "26")])
def test_manual_figures(union: int, count: int, fee: str, city: str, district: str) -> None:
    for n in range(count):
        add(union, n)
    d = enrollment.draft(union, PLAN_YEAR, "A", today=date(2024, 10, 29))
    assert d.header == (f"保障年度：2025年。可参保人数：{count}人。——保障费用：{fee}元；市总统一划拨：{city}元；"
                        f"区局/各级工会缴费：{district}元；基层单位缴费：0元。")
    assert not d.blocking


def test_counts_and_exclusions(union: int) -> None:
    for n in range(10):
        add(union, n)
    for n in range(10, 14):
        add(union, n, card=False)
    add(union, 20, life_status=LifeStatus.DECEASED)
    add(union, 21, life_status=LifeStatus.RETIRED, life_status_date=date(2024, 6, 1))
    add(union, 22, life_status=LifeStatus.RETIRED, life_status_date=date(2025, 3, 1))  # retires in the year: in
    add(union, 23, insurance_status="pending")
    c = enrollment.count(union, PLAN_YEAR)
    assert (c.total, c.carded, c.no_card, c.deceased, c.retired, c.pending) == (18, 14, 4, 1, 1, 1)
    assert c.eligible == 11
    ids = {x.id for x in enrollment.members_for_count(union, PLAN_YEAR, "card", "eligible")}
    assert Member.get(Member.member_no == "00020").id not in ids
    assert Member.get(Member.member_no == "00022").id in ids
    assert [x.name for x in enrollment.members_for_count(union, PLAN_YEAR, "card", "deceased")] == ["会员20"]
    assert enrollment.deadline_text(enrollment.campaign(PLAN_YEAR)).startswith(
        "请于2024年12月25日之前，将对应的参保费用划入所属区局（产业）工会账户，保障日期为2025年1月1日起至2025年12月31日止。")


def test_sep_dec_retiree_is_flagged_and_blocks_until_settled(union: int) -> None:
    add(union, 1)
    # A man born 1964-10: statutory age 60 (before the 2025 reform), retires 2024-10 — the
    # Sep–Dec case the old system cannot see.
    late = add(union, 2, birth="19641015")
    d = enrollment.draft(union, PLAN_YEAR, "A")
    assert [p.code for p in d.blocking] == ["retirement_unsettled"]
    assert "会员2" in d.blocking[0].message
    with pytest.raises(ClerkError):
        enrollment.submit(d, actor="clerk", documents=Path("/nonexistent"), fingerprint="x")
    flagged = enrollment.members_for_count(union, PLAN_YEAR, "card", "flagged")
    assert [f.id for f in flagged] == [late.id] and flagged[0].retirement_dates == (date(2024, 10, 15),)

    enrollment.settle_retirement(late.id, "working", actor="clerk")
    d = enrollment.draft(union, PLAN_YEAR, "A")
    assert not d.blocking and d.totals.count == 2

    enrollment.settle_retirement(late.id, "retired", actor="clerk", retired_on=date(2024, 10, 15))
    d = enrollment.draft(union, PLAN_YEAR, "A")
    assert not d.blocking and d.totals.count == 1
    assert Member.get_by_id(late.id).life_status == LifeStatus.RETIRED
    assert AuditEntry.select().where(AuditEntry.action == "retirement.settle").count() == 2


def test_woman_with_unknown_post_is_flagged_if_either_date_is_before(union: int) -> None:
    # Born 1972-06: worker (50) → 2022-06; managerial (55y…) → 2027: unknown post ⇒ flagged.
    w = add(union, 3, birth="19720610", male=False, post_type=PostType.UNKNOWN)
    assert enrollment.candidates(union, PLAN_YEAR, "card")[0].retirement == "retirement_unsettled"
    Member.update(post_type=PostType.MANAGERIAL).where(Member.id == w.id).execute()
    assert enrollment.candidates(union, PLAN_YEAR, "card")[0].retirement is None


def test_submit_queues_batch_notice_and_outbox(union: int, tmp_path: Path) -> None:
    for n in range(53):
        add(union, n)
    d = enrollment.draft(union, PLAN_YEAR, "A")
    sent = enrollment.submit(d, actor="clerk", documents=tmp_path / "documents", fingerprint="ab12 cd34 ef56 7890")
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
    text = subprocess.run(["pdftotext", "-layout", str(sent.notice_path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "上海建朗信息科技有限公司工会" in text and sent.batch_no in text
    assert "53" in text and "1378" in text
    # Now everyone is submitted: nobody left, and the plan type is fixed for both channels.
    assert enrollment.count(union, PLAN_YEAR).eligible == 0
    assert enrollment.count(union, PLAN_YEAR).submitted == 53
    assert enrollment.fixed_plan_type(union, PLAN_YEAR) == "A"
    add(union, 99)
    other = enrollment.draft(union, PLAN_YEAR, "B")
    assert other.blocking[0].code == "plan_type_fixed" and "A类" in other.blocking[0].message
    assert enrollment.latest_notice(union, PLAN_YEAR) == sent.notice_path


def test_no_campaign_says_sync_first(profile: Profile) -> None:
    union = Union.create(name="x工会")
    with pytest.raises(ClerkError) as caught:
        enrollment.draft(union.id, PLAN_YEAR, "A")
    assert "同步" in caught.value.action
