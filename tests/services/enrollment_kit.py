"""Members and a cached campaign for the enrollment service tests (plan year 2025, the manual's)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from app.models import Member, Setting, Union
from app.rules.codes import Gender
from app.rules.idcard import check_character

PLAN_YEAR = 2025
CAMPAIGN: dict[str, Any] = {
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


def set_clock(moment: datetime) -> None:
    """Make the profile's business clock read `moment` (as a measured offset from the server's would)."""
    skew = (datetime.now(timezone.utc) - moment).total_seconds()
    Setting.replace(key="clock:skew_seconds", value=str(skew)).execute()


#: The manual's day: the central window of plan year 2025 is open.
OCT_29 = datetime.fromisoformat("2024-10-29T10:00:00+08:00")


def mainland_id(n: int, birth: str = "19900101", male: bool = True) -> str:
    first17 = f"310101{birth}{n % 100:02d}{(1 if male else 2) + 2 * (n // 100 % 4)}"
    return first17 + check_character(first17)


def add(union_id: int, n: int, *, card: bool = True, birth: str = "19900101", male: bool = True,
        **extra: Any) -> Member:
    fields: dict[str, Any] = dict(
        union=union_id, member_no=f"{n:05d}", name=f"会员{n}", id_type="mainland", id_number=mainland_id(n, birth, male),
        gender=Gender.MALE if male else Gender.FEMALE, birth_date=date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
        phone=f"139{n:08d}", card_no=f"6231{n:015d}" if card else None, card_status="issued" if card else "none")
    fields.update(extra)
    return Member.create(**fields)


def open_union(name: str = "上海建朗信息科技有限公司工会") -> int:
    """The manual's union, with the 2025 campaign cached and the business clock on the manual's day."""
    from app.services import campaign

    union = Union.create(name=name, org_code="91310101MA1FL0XX1X")
    campaign.cache_campaign(CAMPAIGN)
    set_clock(OCT_29)
    return union.id
