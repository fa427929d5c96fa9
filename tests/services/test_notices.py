"""The notice PDFs (告知书): wording, figures, masking, embedded font, page count, saving.

Text is checked as poppler extracts it (`pdftotext -layout`); a line may break anywhere, so
phrases are compared with all whitespace removed unless they must stay on one line (footer).
"""
from __future__ import annotations

import itertools
import math
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.rules.fees import FeeSplit, batch_totals, district_notice_amount
from app.services import notices
from app.services.errors import ClerkError
from app.services.notices import (
    DistrictNotice,
    GrassrootsNotice,
    RosterRow,
    district_notice_pdf,
    grassroots_notice_pdf,
    save_notice,
)

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm")),
    reason="poppler-utils not installed",
)

SPLIT_A = FeeSplit.from_strings("26", "13", "13", "0")
ID_NUMBER = "320311199001013931"
CARD_NO = "6231000000000000624"
BATCH = "JT2025-000123"
FINGERPRINT = "3f2a 9c01 77de 4b10"


# The manual's wording (§3.1.9 and §4.5), with the figures the tests use.
MANUAL_GRASSROOTS = (
    "你会集中参保 2025 年度上海工会会员专享基本保障计划，截至今日参加 A 类会员共计 55 人"
    "(会员卡参保 45 人,社保卡参保 10 人)，请于 2024 年 12 月 25 日之前根据你会所在区、局（产业）"
    "工会的安排将你会需要承担的参保资金划入所属区、局（产业）工会帐户，"
    "保障日期为 2025 年 1 月 1 日起至 2025 年 12 月 31 日。"
    "逾期未划款则所有参保均无效，需按照即时参保流程另行办理参保手续，"
    "即时参保的保障日期自办理参保日的次日至 2025 年 12 月 31 日止。"
)
MANUAL_DISTRICT = (
    "你会集中参保 2025年度会员专享基本保障计划，参加 A 类会员共计 9988 人，"
    "参加 B 类会员共计 0 人，参加 A+类会员共计 0 人，参加 B+类会员共计 0 人，"
    "参保资金总额为 129844 元。保障日期为 2025年 1 月 1 日起至 2025年 12 月 31 日止。"
    "逾期未划款，则按照即时参保流程另行办理参保手续，"
    "保障日期自办理参保日的次日起至 2025年 12 月 31 日止。"
)


def _row(i: int = 0, **changes: object) -> RosterRow:
    row = RosterRow(
        name="张三",
        id_number=ID_NUMBER,
        card_no=CARD_NO,
        coverage_start=date(2025, 1, 1),
        coverage_end=date(2025, 12, 31),
        period="full",
        channel="card" if i % 5 else "ss",
    )
    return replace(row, **changes)


def _grassroots(roster: list[RosterRow] | None = None, **changes: object) -> GrassrootsNotice:
    notice = GrassrootsNotice(
        union_name="上海建朗信息科技有限公司工会",
        plan_year=2025,
        plan_type="A",
        card_count=45,
        ss_count=10,
        payment_deadline=date(2024, 12, 25),
        coverage_start=date(2025, 1, 1),
        coverage_end=date(2025, 12, 31),
        issued_on=date(2024, 10, 29),
        batch_no=BATCH,
        signature_fingerprint=FINGERPRINT,
        totals=batch_totals(53, SPLIT_A),
        roster=roster if roster is not None else [_row(i) for i in range(3)],
    )
    return replace(notice, **changes)


def _district(**changes: object) -> DistrictNotice:
    counts = {"A": 9988}
    notice = DistrictNotice(
        union_name="黄浦区总工会",
        plan_year=2025,
        counts=counts,
        amount=district_notice_amount(counts, {"A": SPLIT_A}),
        coverage_start=date(2025, 1, 1),
        coverage_end=date(2025, 12, 31),
        bank_account_name="上海市职工保障互助中心会员专享保障专户",
        bank_account_number="316023-03002745697",
        bank_name="上海银行人民广场支行",
        issued_on=date(2024, 11, 11),
        batch_no="QJ2025-0007",
        signature_fingerprint="aaaa bbbb cccc dddd",
    )
    return replace(notice, **changes)


def _write(tmp_path: Path, pdf: bytes, name: str = "notice.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def _text(path: Path, *pages: int) -> str:
    args = ["pdftotext", "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _has(text: str, phrase: str) -> bool:
    return _flat(phrase) in _flat(text)


def _info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


# --- Grassroots notice ------------------------------------------------------------------------


def test_grassroots_notice_holds_the_manuals_text_counts_amounts_and_dates(tmp_path: Path) -> None:
    path = _write(tmp_path, grassroots_notice_pdf(_grassroots()))
    page1 = _text(path, 1)
    assert page1.count("告知书") == 1
    assert _has(page1, "上海建朗信息科技有限公司工会：")
    assert "工会工会" not in _flat(page1)
    for phrase in (
        MANUAL_GRASSROOTS,
        "55 人", "会员卡参保 45 人", "社保卡参保 10 人",
        "2024 年 12 月 25 日", "2025 年 1 月 1 日", "2025 年 12 月 31 日",
        "保障费用：1378元", "市总统一划拨：689元", "区局/各级工会缴费：689元", "基层单位缴费：0元",
        "上海市总工会职工服务中心", "2024 年 10 月 29 日",
    ):
        assert _has(page1, phrase), phrase
    # The footer stays on one line.
    assert f"批次编号 {BATCH}" in page1
    assert f"签名指纹 {FINGERPRINT}" in page1
    assert _has(page1, "第 1 页 / 共 2 页")


def test_the_union_name_gets_its_工会_suffix_once() -> None:  # noqa: N802 - 工会 is the word under test
    assert notices.addressee("上海建朗信息科技有限公司工会") == "上海建朗信息科技有限公司工会："
    assert notices.addressee("上海建朗信息科技有限公司") == "上海建朗信息科技有限公司工会："
    # Defect 5: "上海示范科技有限公司工会委员会工会：" — a name that is already a union's is kept.
    assert notices.addressee("上海示范科技有限公司工会委员会") == "上海示范科技有限公司工会委员会："
    assert notices.addressee("上海市黄浦区外滩街道联合工会") == "上海市黄浦区外滩街道联合工会："
    assert notices.class_label("A") == "A 类会员"
    assert notices.class_label("A_PLUS") == notices.class_label("A+") == "A+类会员"


def test_manual_fee_figures_appear_on_the_notice(tmp_path: Path) -> None:
    for count, fee, half in ((53, "1378", "689"), (36, "936", "468"), (2, "52", "26")):
        pdf = grassroots_notice_pdf(_grassroots(totals=batch_totals(count, SPLIT_A)))
        text = _text(_write(tmp_path, pdf), 1)
        assert _has(text, f"本次参保 {count} 人，保障费用：{fee}元；市总统一划拨：{half}元；"
                          f"区局/各级工会缴费：{half}元；基层单位缴费：0元。")


def test_instant_notice_has_its_own_wording_dates_and_no_central_deadline(tmp_path: Path) -> None:
    """Defect 5: an instant batch's notice printed the central deadline and Jan 1 coverage."""
    notice = _grassroots(kind="instant_carded", card_count=6, ss_count=0, coverage_start=date(2025, 3, 11),
                         totals=batch_totals(6, SPLIT_A), roster=[_row(1, coverage_start=date(2025, 3, 11))])
    text = _text(_write(tmp_path, grassroots_notice_pdf(notice)), 1)
    for phrase in ("即时参保 2025 年度上海工会会员专享基本保障计划（有卡无保人员）", "本次参加 A 类会员共计 6 人",
                   "保障日期为 2025 年 3 月 11 日起至 2025 年 12 月 31 日止", "本次参保 6 人，保障费用：156元"):
        assert _has(text, phrase), phrase
    for phrase in ("集中参保", "2024 年 12 月 25 日", "2025 年 1 月 1 日", "截至今日"):
        assert not _has(text, phrase), phrase


def test_a_notice_made_again_labels_its_money_cumulative(tmp_path: Path) -> None:
    text = _text(_write(tmp_path, grassroots_notice_pdf(_grassroots(cumulative=True))), 1)
    assert _has(text, "截至今日累计参保 53 人，保障费用：1378元") and not _has(text, "本次参保")


def test_without_totals_there_are_no_fee_lines(tmp_path: Path) -> None:
    text = _text(_write(tmp_path, grassroots_notice_pdf(_grassroots(totals=None))), 1)
    assert "保障费用" not in text
    assert _has(text, "共计 55 人")


def test_roster_masks_id_and_card_numbers(tmp_path: Path) -> None:
    roster = [_row(0), _row(2, card_no=None, name="李四", period="half"),
              _row(3, id_number="E12345678", name="John Smith")]
    path = _write(tmp_path, grassroots_notice_pdf(_grassroots(roster)))
    text = _text(path)
    assert ID_NUMBER not in _flat(text) and CARD_NO not in _flat(text)
    assert "3203 **** **** 3931" in text
    assert "6231 **** 0624" in text  # the manual's notice roster masks card numbers this way
    assert "E1 **** 78" in text and "E12345678" not in _flat(text)
    roster_text = _text(path, 2)
    for heading in ("序号", "姓名", "证件号码", "会员卡号", "参保通道", "起保日期", "终保日期", "全年/半年"):
        assert heading in roster_text
    assert re.search(r"2\s+李四\s+3203 \*\*\*\* \*\*\*\* 3931\s+—\s+会员卡\s+2025-01-01\s+2025-12-31\s+半年",
                     roster_text)
    assert "社保卡" in roster_text and "全年" in roster_text


def test_a_long_name_is_shrunk_not_cut(tmp_path: Path) -> None:
    names = ["阿卜杜热合曼·买买提江·艾合买提", "MUHAMMAD ABDULLAH BIN AHMAD ALI HASSAN"]
    roster = [_row(i, name=name) for i, name in enumerate(names)]
    text = _text(_write(tmp_path, grassroots_notice_pdf(_grassroots(roster))), 2)
    for name in names:
        assert _flat(name) in _flat(text)


def test_font_is_embedded_and_no_other_font_is_used(tmp_path: Path) -> None:
    path = _write(tmp_path, grassroots_notice_pdf(_grassroots()))
    for pdf in (path, _write(tmp_path, district_notice_pdf(_district()), "d.pdf")):
        out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
        fonts = out.splitlines()[2:]
        assert fonts
        for line in fonts:
            assert "WenQuanYiMicroHei" in line
            assert re.search(r"\byes\s+yes\s+yes\b", line), line   # emb, sub, uni


def test_metadata_names_the_batch_only(tmp_path: Path) -> None:
    roster = [_row(i, name=f"王小{i}") for i in range(3)]
    path = _write(tmp_path, grassroots_notice_pdf(_grassroots(roster)))
    info = _info(path)
    assert info["Title"] == f"告知书 {BATCH}"
    meta = " ".join(info.get(key, "") for key in ("Title", "Author", "Subject", "Keywords", "Creator", "Producer"))
    for private in ("王小", "3203", "6231", "上海建朗"):
        assert private not in meta


def test_supplementary_notice_says_so_and_names_the_replaced_batch(tmp_path: Path) -> None:
    pdf = grassroots_notice_pdf(_grassroots(supplementary=True, replaces="JT2025-000100"))
    text = _text(_write(tmp_path, pdf), 1)
    assert "补充提交" in text
    assert _has(text, "本告知书替代批次 JT2025-000100 的告知书。")


def test_empty_roster_is_a_single_page(tmp_path: Path) -> None:
    path = _write(tmp_path, grassroots_notice_pdf(_grassroots([])))
    assert _info(path)["Pages"] == "1"
    text = _text(path)
    assert _has(text, "第 1 页 / 共 1 页") and "参保人员名单" not in text


def test_ten_thousand_rows_have_the_right_page_count_and_a_header_on_every_page(tmp_path: Path) -> None:
    rows = 10_000
    path = _write(tmp_path, grassroots_notice_pdf(_grassroots([_row(i) for i in range(rows)])))
    pages = 1 + math.ceil(rows / notices.ROWS_PER_PAGE)
    assert int(_info(path)["Pages"]) == pages
    assert _has(_text(path, 1), f"附：参保人员名单，共 {rows} 人（第 2—{pages} 页）")
    last = _text(path, pages)
    assert "序号" in last and "证件号码" in last
    assert re.search(rf"^\s*{rows}\s+张三", last, re.MULTILINE)
    assert _has(last, f"第 {pages} 页 / 共 {pages} 页")
    middle = _text(path, pages // 2)
    assert "序号" in middle and _has(middle, f"第 {pages // 2} 页 / 共 {pages} 页")


def test_bad_rows_and_plan_types_are_refused() -> None:
    with pytest.raises(ValueError, match="channel or period"):
        grassroots_notice_pdf(_grassroots([_row(1, channel="cash")]))
    with pytest.raises(ValueError, match="plan type"):
        grassroots_notice_pdf(_grassroots(plan_type="C"))
    with pytest.raises(ValueError, match="non-negative"):
        grassroots_notice_pdf(_grassroots(ss_count=-1))


def test_pages_render_with_pdftoppm(tmp_path: Path) -> None:
    for name, pdf in (("g.pdf", grassroots_notice_pdf(_grassroots())), ("d.pdf", district_notice_pdf(_district()))):
        path = _write(tmp_path, pdf, name)
        prefix = tmp_path / path.stem
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(prefix)],
                       check=True, capture_output=True)
        (png,) = tmp_path.glob(f"{path.stem}-*.png")
        assert png.stat().st_size > 5_000   # a blank page compresses to far less


# --- Line breaking ----------------------------------------------------------------------------


@pytest.mark.parametrize("width", [200.0, 260.0, 330.0, 400.0, 442.2])
def test_lines_never_start_with_closing_punctuation_nor_split_a_number_from_its_unit(width: float) -> None:
    notices.register_font()
    text = " ".join(notices.grassroots_body(_grassroots()) + notices.district_body(_district()))
    lines = notices._break_lines(text, notices.BODY_SIZE, width, 32.0)
    assert _flat("".join(lines)) == _flat(text)
    for before, after in itertools.pairwise(lines):
        assert after[0] not in notices._CANNOT_START, (before, after)
        assert before[-1] not in notices._CANNOT_END, (before, after)
        assert not (before[-1].isdigit() and after[0] in "人元年月日"), (before, after)


# --- District notice --------------------------------------------------------------------------


def test_district_notice_holds_the_manuals_text_and_bank_lines(tmp_path: Path) -> None:
    notice = _district()
    assert notice.amount == Decimal("129844.00")
    path = _write(tmp_path, district_notice_pdf(notice))
    text = _text(path)
    assert _info(path)["Pages"] == "1"
    for phrase in (
        "黄浦区总工会：",
        MANUAL_DISTRICT,
        "户名：上海市职工保障互助中心会员专享保障专户",
        "帐号：316023-03002745697",
        "开户行：上海银行人民广场支行",
        "上海市职工保障互助中心",
        "2024年11月11日",
    ):
        assert _has(text, phrase), phrase
    assert "批次编号 QJ2025-0007" in text and "签名指纹 aaaa bbbb cccc dddd" in text


def test_district_notice_lists_every_plan_type_in_the_manuals_order(tmp_path: Path) -> None:
    splits = {"A": SPLIT_A, "B_PLUS": FeeSplit.from_strings("60", "30", "20", "10")}
    counts = {"B_PLUS": 7, "A": 3}
    notice = _district(counts=counts, amount=district_notice_amount(counts, splits))
    text = _flat(_text(_write(tmp_path, district_notice_pdf(notice))))
    assert _flat("参加 A 类会员共计 3 人，参加 B 类会员共计 0 人，参加 A+类会员共计 0 人，"
                 "参加 B+类会员共计 7 人，参保资金总额为 249 元。") in text
    with pytest.raises(ValueError):
        notices.district_body(_district(counts={"Z": 1}))


# --- Saving -----------------------------------------------------------------------------------


def test_save_notice_writes_atomically_into_a_new_folder(tmp_path: Path) -> None:
    folder = tmp_path / "documents" / "notices"
    first = save_notice(b"%PDF-1 first", folder, BATCH)
    assert first == folder / f"告知书-{BATCH}.pdf"
    assert first.read_bytes() == b"%PDF-1 first"
    again = save_notice(b"%PDF-1 second", folder, BATCH)
    assert again == first and first.read_bytes() == b"%PDF-1 second"
    district = save_notice(b"%PDF-1 d", folder, "QJ/7:x", kind="district")
    assert district.name == "区局告知书-QJ_7_x.pdf"
    assert sorted(p.name for p in folder.iterdir()) == sorted([first.name, district.name])


def test_save_notice_refuses_a_bad_kind_or_an_empty_batch(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        save_notice(b"x", tmp_path, BATCH, kind="other")
    with pytest.raises(ValueError):
        save_notice(b"x", tmp_path, "  ")


def test_save_notice_reports_a_locked_file_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(ClerkError, match="请关闭已打开的告知书"):
        save_notice(b"x", tmp_path, BATCH)
    assert list(tmp_path.iterdir()) == []
