"""Demo and benchmark data: a grassroots union whose members cover every case SPEC.md names.

Deterministic for a given seed and day. The same generator fills the few-hundred-member demo
profile and the 100,000-member benchmark profile.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterator

from peewee import fn

from app.models import Enterprise, Member, Union, db
from app.rules import idcard, retirement
from app.rules.codes import (
    CardStatus,
    Category,
    EmploymentStatus,
    Gender,
    IdType,
    InsuranceStatus,
    LifeStatus,
    PostType,
    SsCardStatus,
)
from app.services.members import default_plan_year

DEMO_UNION = "上海建朗信息科技有限公司工会"
DEMO_ENTERPRISES = ("上海建朗信息科技有限公司", "上海建朗软件服务有限公司")
DEMO_ADDRESSES = (
    "上海市黄浦区中山东一路十四号三楼",
    "上海市浦东新区张江高科技园区碧波路",
    "上海市徐汇区漕溪北路八十八号圣爱大厦",
    "上海市静安区南京西路一千号十二楼",
)
REGIONS = ("310101", "310104", "310115", "320102", "330106", "340104", "410105", "610104", "430102", "370102")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国建华志强海燕晓东晓明立新文静雪梅春梅子涵宇轩浩然一鸣思远佳怡欣怡梓萱"


@dataclass(frozen=True)
class DemoSummary:
    union_id: int
    members: int


def make_mainland_id(rng: random.Random, birth: date, gender: str) -> str:
    region = rng.choice(REGIONS)
    seq = rng.randrange(0, 100)
    sex_digit = rng.choice("13579" if gender == Gender.MALE else "02468")
    first17 = f"{region}{birth:%Y%m%d}{seq:02d}{sex_digit}"
    return first17 + idcard.check_character(first17)


def _name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))]
    if rng.random() < 0.6:
        given += GIVEN[rng.randrange(len(GIVEN))]
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def _birth_retiring_between(rng: random.Random, gender: str, post_type: str, start: date, end: date) -> date:
    """A birth date whose statutory retirement falls in [start, end]."""
    for _ in range(2000):
        year = rng.randrange(1960, 1980)
        birth = date(year, rng.randrange(1, 13), rng.randrange(1, 29))
        if all(start <= d <= end for d in retirement.retirement_dates(birth, gender, post_type)):
            return birth
    raise RuntimeError("no birth date retires in the window")


def _expiry_for(rng: random.Random, birth: date, today: date, case: str) -> str:
    age = (today - birth).days // 365
    if case == "expired":
        return (today - timedelta(days=rng.randrange(10, 400))).isoformat()
    if case == "expiring":
        return (today + timedelta(days=rng.randrange(5, 85))).isoformat()
    if age >= 46 and rng.random() < 0.7:
        return "长期"
    years = 10 if age < 26 else 20
    return (today + timedelta(days=rng.randrange(120, 365 * years - 30))).isoformat()


def _phone(index: int) -> str:
    return f"1{3 + index // 10**9 % 7}{index % 10**9:09d}"


def _phone_index(phone: str) -> int:
    return (int(phone[1]) - 3) * 10**9 + int(phone[2:])


def _life(rng: random.Random, slot: int, gender: Gender, post_type: PostType, today: date, plan_year: int
          ) -> tuple[date, PostType, LifeStatus, date | None]:
    """(birth date, post type, life status, its date) for a row of case `slot`."""
    life_status, life_date = LifeStatus.IN_SERVICE, None
    if slot in (1, 2):  # retiring Sep–Dec before the plan year: the old system's blind spot
        if post_type == PostType.UNKNOWN and gender == Gender.FEMALE:
            post_type = PostType.MANAGERIAL
        birth = _birth_retiring_between(rng, gender, post_type, date(plan_year - 1, 9, 1), date(plan_year - 1, 12, 31))
    elif slot == 3:  # recorded retired
        birth = date(rng.randrange(1955, 1964), rng.randrange(1, 13), rng.randrange(1, 29))
        life_status, life_date = LifeStatus.RETIRED, date(plan_year - 2, rng.randrange(1, 13), 1)
    elif slot == 4:
        birth = date(rng.randrange(1965, 1990), rng.randrange(1, 13), rng.randrange(1, 29))
        life_status, life_date = LifeStatus.DECEASED, today - timedelta(days=rng.randrange(30, 300))
    else:
        birth = date(today.year - rng.randrange(20, 50), rng.randrange(1, 13), rng.randrange(1, 29))
    return birth, post_type, life_status, life_date


def _document(rng: random.Random, slot: int, birth: date, gender: Gender) -> tuple[IdType, str]:
    if slot == 5:
        return IdType.HK_MACAO, f"H{rng.randrange(10**7, 10**8):08d}"
    if slot == 6:
        return IdType.TAIWAN, f"{rng.randrange(10**7, 10**8):08d}"
    if slot == 7:
        return IdType.PASSPORT, f"E{rng.randrange(10**7, 10**8):08d}"
    return IdType.MAINLAND, make_mainland_id(rng, birth, gender)


def _joined(rng: random.Random, today: date) -> tuple[date, datetime]:
    """(join date, when the member was recorded here)."""
    join = today - timedelta(days=int(rng.expovariate(1 / 240)))
    if rng.random() < 0.3:  # brought in by a bulk import a few weeks ago: 原有会员
        recorded = today - timedelta(days=rng.choice((12, 26, 40)))
        join = min(join, recorded - timedelta(days=rng.randrange(30, 2000)))
    else:
        recorded = max(join, today - timedelta(days=400))
    # At 09:00, but a member recorded today at midnight: 09:00 today may be still to come.
    return join, datetime.combine(recorded, datetime.min.time()) + timedelta(hours=9 if recorded < today else 0)


def generate_members(count: int, *, union_id: int, enterprise_ids: list[int], today: date,
                     seed: int = 2025, phone_offset: int = 0) -> Iterator[dict]:
    """Member rows (dicts for insert_many) covering every case, in a fixed mix."""
    rng = random.Random(seed)
    plan_year = default_plan_year(today)
    ss_cycle = [None, SsCardStatus.NORMAL, SsCardStatus.NORMAL, SsCardStatus.SEALED,
                SsCardStatus.REPORTED_LOST, SsCardStatus.LOCKED, SsCardStatus.CANCELLED,
                SsCardStatus.UNKNOWN, SsCardStatus.NORMAL]
    ss_i = 0
    for i in range(count):
        # The case of row i: a fixed pattern over 50 rows so every case shows in any slice.
        slot = i % 50
        gender = Gender.MALE if rng.random() < 0.52 else Gender.FEMALE
        post_type = PostType.UNKNOWN
        if gender == Gender.FEMALE:
            post_type = rng.choice([PostType.WORKER, PostType.MANAGERIAL, PostType.UNKNOWN])
        birth, post_type, life_status, life_date = _life(rng, slot, gender, post_type, today, plan_year)
        id_type, id_number = _document(rng, slot, birth, gender)
        expiry_case = "expired" if slot in (8, 9) else "expiring" if slot in (10, 11, 12) else "normal"
        if slot in (13, 14, 15, 16):
            category, enterprise = Category.FLEXIBLE, None
        elif slot in (17, 18):
            category, enterprise = Category.OUTSIDE_ENTERPRISE, None
        else:
            category, enterprise = Category.LINKED_ENTERPRISE, enterprise_ids[i % len(enterprise_ids)]
        has_card = slot % 2 == 0 or slot in (1, 3, 21, 23) or slot >= 40
        card_no = f"6231{rng.randrange(10**14, 10**15):015d}" if has_card else None
        ss_status = employment = None
        if not has_card and id_type == IdType.MAINLAND:
            ss_status = ss_cycle[ss_i % len(ss_cycle)]
            ss_i += 1
            if ss_status is not None:
                employment = EmploymentStatus.UNKNOWN if slot in (27, 29) else EmploymentStatus.EMPLOYED
        insurance = InsuranceStatus.PENDING if slot in (19, 20, 27, 29) else InsuranceStatus.PAID
        join, created = _joined(rng, today)
        yield {
            "union": union_id,
            "member_no": f"{i + 1:07d}",
            "name": _name(rng),
            "id_type": id_type,
            "id_number": id_number,
            "id_expiry": _expiry_for(rng, birth, today, expiry_case),
            "gender": gender,
            "birth_date": birth,
            "phone": _phone(i + phone_offset),
            "work_address": rng.choice(DEMO_ADDRESSES) if category == Category.LINKED_ENTERPRISE else "",
            "label": rng.choice(["", "", "", "劳模", "新就业形态"]),
            "category": category,
            "enterprise": enterprise,
            "join_date": join,
            "life_status": life_status,
            "life_status_date": life_date,
            "post_type": post_type,
            "card_no": card_no,
            "card_status": CardStatus.ISSUED if has_card else CardStatus.NONE,
            "ss_card_status": ss_status,
            "employment_status": employment,
            "ss_checked_at": datetime.combine(today, datetime.min.time()) if ss_status else None,
            "insurance_status": insurance,
            "created_at": created,
            "updated_at": created,
        }


def create_demo_union(name: str = DEMO_UNION, enterprises: tuple[str, ...] = DEMO_ENTERPRISES) -> tuple[int, list[int]]:
    with db.atomic():
        union = Union.create(name=name, org_code="91310101MA1FL0XX1X", union_type="联合工会",
                             level="grassroots", parent_name="上海市黄浦区总工会")
        ids = [Enterprise.create(union=union, name=e, credit_code=f"9131010{n}MA1FL0XX{n}X").id
               for n, e in enumerate(enterprises)]
    return union.id, ids


def fill_demo(count: int = 300, *, today: date | None = None, seed: int = 2025,
              batch: int = 2000, progress=None) -> DemoSummary:
    """Create the demo union (if the profile has none) and add `count` members to it."""
    today = today or date.today()
    union = Union.select().order_by(Union.id).first()
    if union is None:
        union_id, enterprise_ids = create_demo_union()
    else:
        union_id = union.id
        enterprise_ids = [e.id for e in Enterprise.select().where(Enterprise.union == union_id)]
        if not enterprise_ids:
            enterprise_ids = [Enterprise.create(union=union_id, name=DEMO_ENTERPRISES[0]).id]
    existing = Member.select().where(Member.union == union_id).count()
    # Phones are numbered past the highest one in use, so a refill never collides.
    top_phone = Member.select(fn.MAX(Member.phone)).where(Member.union == union_id).scalar()
    rows = generate_members(count, union_id=union_id, enterprise_ids=enterprise_ids, today=today,
                            seed=seed + existing, phone_offset=_phone_index(top_phone) + 1 if top_phone else 0)
    done = 0
    with db.atomic():
        chunk: list[dict] = []
        for row in rows:
            if existing:
                row["member_no"] = f"{existing + done + len(chunk) + 1:07d}"
            chunk.append(row)
            if len(chunk) >= batch:
                Member.insert_many(chunk).on_conflict_ignore().execute()
                done += len(chunk)
                chunk = []
                if progress:
                    progress(done, count)
        if chunk:
            Member.insert_many(chunk).on_conflict_ignore().execute()
            done += len(chunk)
    if progress:
        progress(done, count)
    total = Member.select().where(Member.union == union_id).count()
    return DemoSummary(union_id=union_id, members=total)
