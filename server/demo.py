"""The demo world: a union hierarchy, accounts, a campaign open today and members with every case.

`init_demo` builds, in an empty database: 上海市总工会 → 黄浦区总工会 → 南京东路街道总工会 → two
grassroots unions (a 工会委员会 with one enterprise and a 联合工会 with three), an account for each
union and one for the center (职保中心 staff), a campaign for next year whose windows are open
today with fees for A, B, A+ and B+, and — per grassroots union — members covering what the manual
shows: no card, SS card abnormal, pending confirmation, retiring Sep–Dec, expiring or expired IDs,
retired, deceased, non-mainland documents. Members live on the server (it owns card numbers and
SS statuses) and reach a clerk's PC with the first pull; the SS/employment registry holds matching
rows so a requested check gives every kind of answer. With `samples` (the default), the 联合工会's
clerk has also sent, from a PC of her own, what the superior pages review: an instant batch
waiting for 即时参保审核, a central batch waiting for 集中参保审核 and a card batch whose 撤销 waits
for 撤销办卡批次审核 (`add_samples`,
through the push and the withdrawal code a real clerk's requests take).
"""
from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app import protocol as wire
from app.protocol import CLERK_OWNED_FIELDS, Channel, Entity, SubmissionKind, SubmissionMember
from app.rules.codes import Category, EmploymentStatus, Gender, IdType, PlanType, PostType, SsCardStatus
from app.rules.coverage import central_coverage
from app.rules.fees import FeeSplit, batch_totals
from app.rules.idcard import check_character
from app.rules.retirement import RetirementCategory, retirement_date
from server import accounts
from server.campaigns import publish_campaign, set_plan_fee, shanghai_today
from server.changes import emit_change, member_record
from server.claims import ensure_claim
from server.db import write_tx
from server.jobs import save_registry
from server.models import Campaign, Member, Union
from server.security import generate_password
from server.settings import ServerContext

CITY_CODE = "813100000000000017"

#: The demo campaign's fee per person and its split, per plan type.
DEMO_FEES: dict[PlanType, FeeSplit] = {
    PlanType.A: FeeSplit.from_strings("26", "13", "13", "0"),
    PlanType.B: FeeSplit.from_strings("16", "8", "8", "0"),
    PlanType.A_PLUS: FeeSplit.from_strings("52", "26", "26", "0"),
    PlanType.B_PLUS: FeeSplit.from_strings("36", "18", "18", "0"),
}

BANK_ACCOUNT_NAME = "上海市职工保障互助中心会员专享保障专户"
BANK_ACCOUNT_NUMBER = "316023-03002745697"
BANK_NAME = "上海银行人民广场支行"

# (username, union key, role, display name)
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("center", "city", "center", "职保中心 管理员"),
    ("city", "city", "reviewer", "市总工会 经办人"),
    ("district", "district", "reviewer", "黄浦区总工会 审核人"),
    ("secondary", "secondary", "reviewer", "南京东路街道总工会 审核人"),
    ("grassroots", "grassroots1", "clerk", "示范科技工会 经办人"),
    ("grassroots2", "grassroots2", "clerk", "南京东路街道联合工会 经办人"),
)

# key, name, org code, type, level, parent key, enterprises
_UNIONS: tuple[tuple[str, str, str, str, str, str | None, tuple[str, ...]], ...] = (
    ("city", "上海市总工会", CITY_CODE, "市总工会", "city", None, ()),
    ("district", "上海市黄浦区总工会", "813101010000000025", "区总工会", "district", "city", ()),
    ("secondary", "上海市黄浦区南京东路街道总工会", "813101010000000033", "街道总工会", "secondary", "district", ()),
    ("grassroots1", "上海示范科技有限公司工会委员会", "813101010000000041", "工会委员会", "grassroots", "secondary",
     ("上海示范科技有限公司",)),
    ("grassroots2", "上海市黄浦区南京东路街道联合工会", "81310101000000005X", "联合工会", "grassroots", "secondary",
     ("上海南东商贸有限公司", "上海外滩餐饮管理有限公司", "上海金陵设计工作室")),
)

_SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红玲建国志文斌宁晨欣怡佳琪浩宇子轩梓涵雨婷海燕"
_ROADS = ("南京东路", "九江路", "汉口路", "福州路", "广东路", "延安东路", "西藏中路", "河南中路", "四川中路", "江西中路")


@dataclass
class DemoResult:
    accounts: dict[str, str] = field(default_factory=dict)  # username -> password (shown once)
    plan_year: int = 0
    members: int = 0


def is_initialised() -> bool:
    return Union.select().where(Union.org_code == CITY_CODE).exists()


def _mainland_id(rng: random.Random, birth: date, gender: str, used: set[str]) -> str:
    while True:
        seq = rng.randrange(0, 100)
        gender_digit = rng.choice("13579" if gender == Gender.MALE else "02468")
        first17 = f"310101{birth:%Y%m%d}{seq:02d}{gender_digit}"
        number = first17 + check_character(first17)
        if number not in used:
            used.add(number)
            return number


def _birth_retiring_in(year: int, months: tuple[int, ...], category: RetirementCategory, rng: random.Random) -> date:
    """A birth date whose statutory retirement falls in one of `months` of `year`."""
    candidates = []
    for birth_year in range(year - 64, year - 48):
        for month in range(1, 13):
            birth = date(birth_year, month, rng.randint(1, 28))
            retire = retirement_date(birth, category)
            if retire.year == year and retire.month in months:
                candidates.append(birth)
    return rng.choice(candidates)


def _person(i: int, case: int, rng: random.Random, today: date, used_ids: set[str]) -> dict[str, Any]:
    """Who member `i` is: gender, post, birth, life status, document and its expiry (by case)."""
    gender = str(Gender.MALE if rng.random() < 0.5 else Gender.FEMALE)
    post_type = str(PostType.UNKNOWN) if gender == Gender.MALE else rng.choice(
        [str(PostType.WORKER), str(PostType.MANAGERIAL), str(PostType.UNKNOWN)])
    birth = date(rng.randint(1970, 2002), rng.randint(1, 12), rng.randint(1, 28))
    life_status, retired_on = "in_service", None
    if case == 3:  # retires Sep–Dec this year: the old system missed these
        gender, post_type = str(Gender.MALE), str(PostType.UNKNOWN)
        birth = _birth_retiring_in(today.year, (9, 10, 11, 12), RetirementCategory.MEN, rng)
    elif case == 4:  # a woman of unknown post whose earlier (age-50) date is already past
        gender, post_type = str(Gender.FEMALE), str(PostType.UNKNOWN)
        birth = _birth_retiring_in(today.year - 1, tuple(range(1, 13)), RetirementCategory.WOMEN_50, rng)
    elif case == 5:
        life_status, retired_on = "retired", date(today.year - 1, rng.randint(1, 12), 1).isoformat()
        birth = date(today.year - 62, rng.randint(1, 12), rng.randint(1, 28))
    elif case == 6 and i % 40 == 6:
        life_status = "deceased"
    id_type = str(IdType.MAINLAND)
    if case == 7 and i % 40 == 7:
        id_type, number = str(IdType.HK_MACAO), f"H{rng.randrange(10**7, 10**8)}"
    elif case == 7:
        id_type, number = str(IdType.PASSPORT), f"E{rng.randrange(10**7, 10**8)}"
    else:
        number = _mainland_id(rng, birth, gender, used_ids)
    expiry = "长期" if today.year - birth.year >= 46 else (today + timedelta(days=rng.randint(400, 3600))).isoformat()
    if case == 8:
        expiry = (today + timedelta(days=rng.randint(10, 80))).isoformat()  # expiring soon
    elif case == 9:
        expiry = (today - timedelta(days=rng.randint(5, 200))).isoformat()  # expired
    return {"id_number": number, "id_type": id_type, "id_expiry": expiry, "gender": gender,
            "birth_date": birth.isoformat(), "post_type": post_type, "life_status": life_status,
            "retired_on": retired_on}


def _new_phone(rng: random.Random, used_phones: set[str]) -> str:
    while True:
        phone = f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
        if phone not in used_phones:
            used_phones.add(phone)
            return phone


#: The SS card and employment the registry knows of a member without a card, by case.
_NO_CARD_REGISTRY: dict[int, tuple[SsCardStatus | None, EmploymentStatus]] = {
    10: (SsCardStatus.NORMAL, EmploymentStatus.EMPLOYED),
    13: (SsCardStatus.NORMAL, EmploymentStatus.UNKNOWN),
    14: (SsCardStatus.SEALED, EmploymentStatus.EMPLOYED),
    15: (None, EmploymentStatus.EMPLOYED),  # reported lost or locked, at random
    16: (SsCardStatus.CANCELLED, EmploymentStatus.UNKNOWN),
    17: (SsCardStatus.NORMAL, EmploymentStatus.EMPLOYED),
}


def _give_card(row: dict[str, Any], i: int, case: int, rng: random.Random,
               registry: dict[str, tuple[str, str]]) -> None:
    """A card (and a normal registry entry) for most members; the no-card cases get the registry's
    SS and employment answer for their case instead."""
    number, mainland = row["id_number"], row["id_type"] == IdType.MAINLAND
    if case not in (10, 13, 14, 15, 16, 17) and mainland or not mainland:
        row["card_no"] = "6231" + "".join(str(rng.randrange(10)) for _ in range(15))
        row["card_status"] = "issued"
        if mainland:
            registry[number] = (str(SsCardStatus.NORMAL), str(EmploymentStatus.EMPLOYED))
        return
    row["insurance_status"] = None  # not checked yet: the clerk requests the check
    lost_or_locked = rng.choice([SsCardStatus.REPORTED_LOST, SsCardStatus.LOCKED])  # drawn for every case
    ss, employment = _NO_CARD_REGISTRY[case]
    ss = ss or lost_or_locked
    if not (case == 16 and i % 40 == 36):  # a few the registry does not know at all
        registry[number] = (str(ss), str(employment))


def _member_rows(union: Union, enterprises: tuple[str, ...], count: int, seed: int, today: date,
                 used_ids: set[str], used_phones: set[str]) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str]]]:
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    registry: dict[str, tuple[str, str]] = {}
    for i in range(count):
        case = i % 20
        person = _person(i, case, rng, today, used_ids)
        phone = _new_phone(rng, used_phones)
        category = {11: str(Category.FLEXIBLE), 12: str(Category.OUTSIDE_ENTERPRISE)}.get(
            case, str(Category.LINKED_ENTERPRISE))
        row: dict[str, Any] = {
            "union": union.id,
            "id_number": person["id_number"],
            "member_no": f"{union.id:02d}{i + 1:06d}",
            "name": rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2)))),
            "id_type": person["id_type"],
            "id_expiry": person["id_expiry"],
            "gender": person["gender"],
            "birth_date": person["birth_date"],
            "phone": phone,
            "work_address": f"上海市黄浦区{rng.choice(_ROADS)}{rng.randint(1, 999)}号",
            "label": rng.choice(["", "", "劳模", "新会员", "工会干部"]) or None,
            "category": category,
            "enterprise_name": rng.choice(enterprises) if category == Category.LINKED_ENTERPRISE and enterprises else None,
            # Never in the future: nobody joins after today.
            "join_date": min(date(rng.randint(2005, today.year), rng.randint(1, 12), rng.randint(1, 28)),
                             today).isoformat(),
            "post_type": person["post_type"],
            "life_status": person["life_status"],
            "retired_on": person["retired_on"],
            "card_no": None,
            "card_status": "none",
            "insurance_status": "pending" if case in (1, 2) else "paid",
        }
        _give_card(row, i, case, rng, registry)
        rows.append(row)
    return rows, registry


def insert_members(ctx: ServerContext, union: Union, rows: list[dict[str, Any]]) -> None:
    """Insert server member records and put them in the union's feed (for the first pull)."""
    now = ctx.now_naive()
    with write_tx():
        for row in rows:
            fields = {k: v for k, v in row.items() if k not in ("union",)}
            versions = {name: 1 for name in CLERK_OWNED_FIELDS}
            member = Member.create(union=union, versions=versions, version=1, updated=now, **fields)
            ensure_claim(ctx, union, member)
            emit_change(ctx, union.id, Entity.MEMBER, member.id_number, member_record(member))


def create_campaign(ctx: ServerContext, plan_year: int, today: date) -> Campaign:
    """A campaign for `plan_year` whose windows are all open on `today` (demo and tests)."""
    with write_tx():
        campaign = Campaign.create(
            plan_year=plan_year,
            fee_window_start=today - timedelta(days=3),
            fee_window_end=today + timedelta(days=3),
            enrollment_start=today - timedelta(days=30),
            payment_deadline=max(today + timedelta(days=30), date(today.year, 12, 25)),
            submission_window_start=today - timedelta(days=1),
            submission_window_end=max(today + timedelta(days=40), date(today.year, 12, 31)),
            coverage_start=date(plan_year, 1, 1),
            coverage_end=date(plan_year, 12, 31),
            grace_seconds=0,
            bank_account_name=BANK_ACCOUNT_NAME,
            bank_account_number=BANK_ACCOUNT_NUMBER,
            bank_name=BANK_NAME,
            half_year={"enabled": True, "from_month": 7, "price_factor": "0.5"},
            updated=ctx.now_naive(),
        )
        for plan_type, split in DEMO_FEES.items():
            set_plan_fee(campaign, str(plan_type), split.fee, split.city, split.district, split.grassroots)
    return campaign


def _publish_notices(ctx: ServerContext, campaign: Campaign) -> None:
    """Two notices for 帮助 → 查看通知, as the center would publish them."""
    from server import notices

    with write_tx():
        notices.publish(ctx, f"{campaign.plan_year}年度工会会员专享保障集中参保开始办理",
                        f"{campaign.plan_year}年度集中参保已开始办理。请各基层工会于{campaign.payment_deadline:%Y年%m月%d日}之前"
                        "完成参保提交，并将参保费用划入所属区局（产业）工会账户。"
                        f"{campaign.plan_year}年1月1日前（不含当日）退休的人员不在保障范围，请仔细核对。",
                        publisher="上海市总工会职工服务中心")
        notices.publish(ctx, "技术支持电话", "遇到问题请拨打上海工会职工服务热线 12351（24小时）。",
                        publisher="上海市总工会职工服务中心")


def init_demo(ctx: ServerContext, *, password: str | None = None, members_per_union: int = 150,
              seed: int = 2025, samples: bool = True) -> DemoResult:
    """Build the demo world in an empty database; `password` for every account, else random ones;
    with `samples`, the requests the district reviews (`add_samples`)."""
    if is_initialised():
        raise RuntimeError("demo data already present")
    today = shanghai_today(ctx)
    result = DemoResult(plan_year=today.year + 1)
    unions: dict[str, Union] = {}
    for key, name, code, union_type, level, parent, enterprises in _UNIONS:
        union = accounts.create_union(ctx, name=name, org_code=code, union_type=union_type, level=level,
                                      parent=unions[parent] if parent else None)
        with write_tx():
            for enterprise in enterprises:
                accounts.add_enterprise(union, enterprise)
        unions[key] = union
    for username, key, role, display in DEMO_ACCOUNTS:
        secret = password or generate_password()
        accounts.create_user(ctx, username=username, password=secret, union=unions[key], role=role,
                             display_name=display)
        result.accounts[username] = secret
    campaign = create_campaign(ctx, result.plan_year, today)
    publish_campaign(ctx, campaign)
    _publish_notices(ctx, campaign)
    used_ids: set[str] = set()
    used_phones: set[str] = set()
    registry: dict[str, tuple[str, str]] = {}
    paid: list[tuple[str, str]] = []
    for n, key in enumerate(("grassroots1", "grassroots2")):
        union = unions[key]
        enterprises = tuple(e for _, _, code, _, _, _, es in _UNIONS if code == union.org_code for e in es)
        rows, reg = _member_rows(union, enterprises, members_per_union, seed + n, today, used_ids, used_phones)
        insert_members(ctx, union, rows)
        registry.update(reg)
        result.members += len(rows)
        paid += [(row["id_number"], row["name"]) for row in rows[:4]]
    save_registry(ctx, registry.items())
    if paid:  # 给付信息查询: a sample of the center's payout export, as `load-payouts` loads it
        from server.payouts import load_payout_rows, sample_rows

        load_payout_rows(ctx, sample_rows(paid, today.year, today))
    if samples:
        add_samples(ctx, unions["grassroots2"], result.plan_year, today)
    return result


#: The clerk who sends the district's sample requests, and what she asks.
SAMPLE_CLERK = "grassroots2"
SAMPLE_WITHDRAWAL_REASON = "工作地址录入有误，更正后重新申请"


def add_samples(ctx: ServerContext, union: Union, plan_year: int, today: date) -> dict[str, str]:
    """What the superior unions review in the demo, sent by `union`'s clerk from a PC registered for
    the demo, through the server's push (signed records) and its 撤销 request: an instant batch of
    two carded members (即时参保审核), a central batch of three (集中参保审核 of the secondary and
    the district) and a card batch of two members without a card whose withdrawal waits
    (撤销办卡批次审核; the card worker holds the batch meanwhile). Returns the three batch numbers;
    nothing when the union has too few members (a test world without members)."""
    import secrets

    from app.rules.eligibility import ineligible_reason
    from server.card_withdrawals import request_withdrawal
    from server.cards import check_application
    from server.models import User
    from server.push import push

    members = list(Member.select().where(Member.union == union).order_by(Member.id.desc()))
    eligible = [m for m in members if ineligible_reason(
        {f: getattr(m, f) for f in _ELIGIBILITY_FIELDS}, channel=Channel.CARD, plan_year=plan_year) is None]
    carded, enrolled = eligible[:2], eligible[2:5]
    applicants = [m for m in members if m.card_status == "none" and not check_application(m, today)][:2]
    if len(carded) < 2 or len(enrolled) < 3 or len(applicants) < 2:
        return {}
    clerk = User.get(User.username == SAMPLE_CLERK)
    key = wire.generate_device_key()
    fingerprint = accounts.register_device(ctx, clerk, wire.public_key_b64(key), label="演示数据的电脑")["fingerprint"]
    tag = "".join(fingerprint.split()).upper()[:16]  # numbered as that PC numbers (app/services/batch_numbers.py)
    pdf = demo_notice_pdf("即时参保告知书")
    # The plan year is next year's, so an instant batch sent today is covered the whole year, as
    # demo_submission writes it (the server checks it with coverage_for).
    shown = {m.id_number: (m.name or "", m.card_no) for m in carded + enrolled}  # 批次详情 shows them
    instant = demo_submission(union.org_code, plan_year, [m.id_number for m in carded], pdf,
                              kind=SubmissionKind.INSTANT_CARDED, batch_no=f"JS{today:%Y%m%d}{tag}0001",
                              nonce=secrets.token_hex(16), timestamp=wire.format_timestamp(ctx.now()), shown=shown)
    cards = wire.CardBatch(union.org_code, f"BK{today:%Y%m%d}{tag}0002",
                           [wire.CardApplicant(m.id_number, m.name or "") for m in applicants])
    central_pdf = demo_notice_pdf("集中参保告知书")
    central = demo_submission(union.org_code, plan_year, [m.id_number for m in enrolled], central_pdf,
                              batch_no=f"JZ{today:%Y%m%d}{tag}0003", nonce=secrets.token_hex(16),
                              timestamp=wire.format_timestamp(ctx.now()), shown=shown)
    records = [wire.PushRecord.signed(str(uuid.uuid4()), wire.RecordKind.SUBMISSION, instant.to_wire(), key, pdf),
               wire.PushRecord.signed(str(uuid.uuid4()), wire.RecordKind.CARD_BATCH, cards.to_wire(), key),
               wire.PushRecord.signed(str(uuid.uuid4()), wire.RecordKind.SUBMISSION, central.to_wire(), key,
                                      central_pdf)]
    results = push(ctx, clerk, fingerprint, [r.to_wire() for r in records])["results"]
    refused = [r for r in results if r["status"] != "ok"]
    if refused:
        raise RuntimeError(f"demo samples refused: {refused}")
    request_withdrawal(ctx, clerk, cards.batch_no, SAMPLE_WITHDRAWAL_REASON)
    return {"instant": instant.batch_no, "card_batch": cards.batch_no, "central": central.batch_no}


_ELIGIBILITY_FIELDS = ("life_status", "retired_on", "insurance_status", "card_no", "id_type", "ss_card_status",
                       "employment_status", "category")


def demo_submission(union: str, plan_year: int, numbers: list[str], pdf: bytes, *, plan_type: str = "A",
                    channel: str = Channel.CARD, kind: str = SubmissionKind.CENTRAL, batch_no: str | None = None,
                    replaces: str | None = None, nonce: str = "", timestamp: str = "",
                    shown: dict[str, tuple[str, str | None]] | None = None) -> wire.Submission:
    """A submission of these members for the whole plan year at the demo campaign's fees, as a
    client would make it (for tests and benchmarks against a demo server); `shown`: the name and
    card number of each ID number, as a client's roster carries them (empty without)."""
    split = DEMO_FEES[PlanType(plan_type)]
    cover = central_coverage(plan_year)
    return wire.Submission(
        union=union, batch_no=batch_no or f"JZ-{uuid.uuid4().hex[:12]}", kind=SubmissionKind(kind),
        plan_year=plan_year, channel=Channel(channel), plan_type=plan_type,
        members=[SubmissionMember(n, *(shown or {}).get(n, ("", None)), coverage_start=cover.start,
                                  coverage_end=cover.end) for n in numbers],
        totals=batch_totals(len(numbers), split), fee_split=split, notice_pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        replaces=replaces, nonce=nonce, timestamp=timestamp)


def demo_notice_pdf(title: str = "notice") -> bytes:
    """A small, real one-page PDF standing in for a notice where a test or a benchmark needs one
    the server accepts (it parses every notice)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
