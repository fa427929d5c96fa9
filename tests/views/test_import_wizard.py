"""The import wizard, the export dialog and the member list's import/template/export buttons,
offscreen. Work runs on the real workers; tests wait on the wizard's state, never sleep."""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtWidgets import QWizard

from app.models import AuditEntry, Enterprise, Member, Union
from app.models.queries import MemberFilter
from app.paths import Profile
from app.rules.codes import Category
from app.rules.idcard import check_character
from app.views import ops
from app.views.export_dialog import ExportDialog
from app.views.import_wizard import ImportWizard, save_template
from app.views.member_list import MemberListPage

TODAY = date(2026, 11, 28)
HEAD = ["姓名", "证件号码", "手机号码", "工作单位详细地址", "证件到期日"]


def mainland(i: int) -> str:
    birth = date(1970, 1, 1) + timedelta(days=i * 37 % 12_000)
    first17 = f"310104{birth:%Y%m%d}{i // 300 % 100:02d}{i % 10}"
    return first17 + check_character(first17)


def members_file(path: Path, count: int, bad: dict[int, dict[str, Any]] | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "会员信息"
    ws.append(["上海建朗信息科技有限公司工会 会员名单"])
    ws.append(HEAD)
    for i in range(count):
        row = {"姓名": "会员" + chr(0x4E00 + i), "证件号码": mainland(i), "手机号码": f"136{i:08d}",
               "工作单位详细地址": "上海市黄浦区中山东一路十四号", "证件到期日": "2036-01-01"}
        row.update((bad or {}).get(i, {}))
        ws.append([row[h] for h in HEAD])
    wb.save(path)
    return path


@pytest.fixture
def union(profile: Profile) -> int:
    u = Union.create(name="测试工会")
    Enterprise.create(union=u, name="上海建朗信息科技有限公司")
    Enterprise.create(union=u, name="上海建朗软件服务有限公司")
    return u.id


@pytest.fixture
def wizard(qtbot, profile: Profile, union: int, bundled_font) -> ImportWizard:
    w = ImportWizard(union, "clerk", profile.backups, today=TODAY)
    w.ask = lambda text: True  # the clerk says yes to 确定导入
    qtbot.addWidget(w)
    w.show()
    yield w
    w.set_busy(False)
    ops.wait_all()


def _to_preview(qtbot, w: ImportWizard, path: Path, category: str = Category.FLEXIBLE,
                enterprise: int | None = None) -> None:
    w.file_page.path.setText(str(path))
    w.next()
    assert w.currentId() == ImportWizard.CATEGORY
    w.category_page.select(category, enterprise)
    w.next()
    assert w.currentId() == ImportWizard.CHECK
    qtbot.waitUntil(lambda: w.currentId() == ImportWizard.PREVIEW, timeout=20_000)


def test_choose_check_preview_import_result(qtbot, wizard: ImportWizard, tmp_path: Path, profile: Profile) -> None:
    path = members_file(tmp_path / "名单.xlsx", 30, bad={4: {"手机号码": "021-6321"}, 9: {"工作单位详细地址": "上海"}})
    _to_preview(qtbot, wizard, path)
    page = wizard.preview_page
    assert "新增 <b>28</b> 人" in page.summary.text() and "有错误 <b>2</b> 行" in page.summary.text()
    model = page.model
    assert model.rowCount() == 2
    assert [model.data(model.index(r, 0)) for r in range(2)] == [7, 12]  # Excel's row numbers
    assert model.data(model.index(0, 1)) == "手机号码" and "手机号码" in model.data(model.index(0, 3))
    assert Member.select().count() == 0  # nothing written before 确定导入
    assert wizard.button(QWizard.WizardButton.CommitButton).text() == "确定导入"

    with qtbot.waitSignal(wizard.imported, timeout=20_000) as imported:
        wizard.next()
    assert imported.args[0].imported == 28
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT, timeout=5000)
    assert Member.select().count() == 28
    assert "新增 <b>28</b> 人" in wizard.result_page.summary.text()
    assert not wizard.button(QWizard.WizardButton.BackButton).isVisible()

    out = tmp_path / "错误报告.xlsx"
    saved: list[str] = []
    wizard.save_report(str(out), status=wizard.result_page.report_status, on_done=saved.append)
    qtbot.waitUntil(lambda: bool(saved), timeout=20_000)
    ws = load_workbook(out)["会员信息"]
    assert ws["C7"].comment is not None and ws["D12"].comment is not None and ws["C8"].comment is None
    assert "错误报告已保存" in wizard.result_page.report_status.text()


def test_pages_validate_before_moving_on(qtbot, wizard: ImportWizard, tmp_path: Path, union: int) -> None:
    wizard.file_page.path.setText(str(tmp_path / "missing.xlsx"))
    wizard.next()
    assert wizard.currentId() == ImportWizard.FILE and "找不到" in wizard.file_page.error.text()
    old = tmp_path / "members.csv"
    old.write_bytes(b"x")
    wizard.file_page.path.setText(str(old))
    wizard.next()
    assert wizard.currentId() == ImportWizard.FILE and ".xlsx" in wizard.file_page.error.text()

    wizard.file_page.path.setText(str(members_file(tmp_path / "m.xlsx", 3)))
    wizard.next()
    # The enterprises come from the database worker: with none listed yet the page would say
    # the union has none, not that one must be chosen.
    qtbot.waitUntil(lambda: wizard.category_page.enterprise.count() > 1, timeout=5000)
    wizard.category_page.select(Category.LINKED_ENTERPRISE)
    wizard.category_page.enterprise.setCurrentIndex(0)
    wizard.next()
    assert wizard.currentId() == ImportWizard.CATEGORY
    assert "必须选择单位" in wizard.category_page.error.text()
    enterprise = Enterprise.get(Enterprise.name == "上海建朗软件服务有限公司").id
    wizard.category_page.select(Category.LINKED_ENTERPRISE, enterprise)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.PREVIEW, timeout=20_000)
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()
    assert {m.enterprise_id for m in Member.select()} == {enterprise}
    assert {m.category for m in Member.select()} == {Category.LINKED_ENTERPRISE}


def test_a_refused_file_is_explained_and_nothing_changes(qtbot, wizard: ImportWizard, tmp_path: Path) -> None:
    bad = tmp_path / "renamed.xlsx"
    bad.write_text("姓名,证件号码,手机号码\n", encoding="utf-8")
    wizard.file_page.path.setText(str(bad))
    wizard.next()
    wizard.category_page.select(Category.FLEXIBLE)
    wizard.next()
    page = wizard.check_page
    qtbot.waitUntil(lambda: bool(page.error.text()), timeout=20_000)
    assert "CSV" in page.error.text() and "另存为" in page.error.text()
    assert wizard.currentId() == ImportWizard.CHECK and not page.isComplete()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.back()
    wizard.back()
    assert wizard.currentId() == ImportWizard.FILE
    assert Member.select().count() == 0 and AuditEntry.select().count() == 0


def test_cancel_the_check_then_check_again(qtbot, wizard: ImportWizard, tmp_path: Path) -> None:
    wizard.file_page.path.setText(str(members_file(tmp_path / "m.xlsx", 2000)))
    wizard.next()
    wizard.category_page.select(Category.FLEXIBLE)
    wizard.next()
    page = wizard.check_page
    page.cancel()
    qtbot.waitUntil(lambda: not page.running(), timeout=20_000)
    assert "已取消" in page.status.text() and wizard.currentId() == ImportWizard.CHECK
    page.retry_button.click()
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.PREVIEW, timeout=20_000)
    assert len(wizard.plan.new_rows) == 2000


def test_cancel_the_write_changes_nothing(qtbot, wizard: ImportWizard, tmp_path: Path) -> None:
    _to_preview(qtbot, wizard, members_file(tmp_path / "m.xlsx", 500))
    wizard.next()  # 确定导入
    assert wizard.currentId() == ImportWizard.WRITE
    assert not wizard.button(QWizard.WizardButton.CancelButton).isEnabled()  # can't walk away mid-write
    wizard.write_page.cancel()
    qtbot.waitUntil(lambda: not wizard.write_page.running(), timeout=20_000)
    assert "没有任何改变" in wizard.write_page.status.text()
    assert Member.select().count() == 0 and wizard.result is None
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.write_page.retry_button.click()
    assert Member.select().count() == 500


def test_going_back_and_choosing_another_file(qtbot, wizard: ImportWizard, tmp_path: Path) -> None:
    _to_preview(qtbot, wizard, members_file(tmp_path / "a.xlsx", 5))
    assert len(wizard.plan.new_rows) == 5
    wizard.back()
    wizard.back()
    wizard.back()
    assert wizard.currentId() == ImportWizard.FILE and wizard.plan is None
    wizard.file_page.path.setText(str(members_file(tmp_path / "b.xlsx", 7)))
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.PREVIEW, timeout=20_000)
    assert len(wizard.plan.new_rows) == 7


def test_save_template(qtbot, profile: Profile, union: int, tmp_path: Path, bundled_font) -> None:
    page = MemberListPage(union, 2027, "clerk")
    qtbot.addWidget(page)
    saved: list[str] = []
    save_template(page, str(tmp_path / "模板"), on_done=saved.append)
    qtbot.waitUntil(lambda: bool(saved), timeout=10_000)
    assert saved == [str(tmp_path / "模板.xlsx")]
    assert load_workbook(saved[0])["会员信息"]["B1"].value == "姓名*"


def test_export_dialog_masks_unless_confirmed(qtbot, demo_profile: Profile, tmp_path: Path, bundled_font) -> None:
    dialog = ExportDialog(1, MemberFilter(category=Category.FLEXIBLE), total=None, parent=None)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "masked.xlsx"))
    with qtbot.waitSignal(dialog.exported, timeout=20_000) as done:
        dialog.start()
    rows = list(load_workbook(tmp_path / "masked.xlsx").active.iter_rows(values_only=True))[1:]
    assert done.args[0].rows == len(rows) > 0 and all("****" in r[3] for r in rows)
    assert "已导出" in dialog.status.text()

    dialog2 = ExportDialog(1, MemberFilter(category=Category.FLEXIBLE), parent=None)
    qtbot.addWidget(dialog2)
    dialog2.full.setChecked(True)
    dialog2.path.setText(str(tmp_path / "full.xlsx"))
    dialog2.confirm_full = lambda: False  # the clerk says no: nothing is written
    dialog2.start()
    assert not (tmp_path / "full.xlsx").exists() and dialog2.export_button.isEnabled()
    dialog2.confirm_full = lambda: True
    with qtbot.waitSignal(dialog2.exported, timeout=20_000):
        dialog2.start()
    full = list(load_workbook(tmp_path / "full.xlsx").active.iter_rows(values_only=True))[1:]
    assert {r[3] for r in full} == {m.id_number for m in Member.select().where(Member.category == Category.FLEXIBLE)}


def test_member_list_buttons(qtbot, demo_profile: Profile, bundled_font) -> None:
    page = MemberListPage(1, 2027, "clerk")
    qtbot.addWidget(page)
    page.load_now()
    for button in (page.import_button, page.template_action, page.export_button):
        assert button.isEnabled()
    page.category.setCurrentIndex(page.category.findData(Category.FLEXIBLE))
    qtbot.waitUntil(lambda: page.model.filter.category == Category.FLEXIBLE, timeout=10_000)
    dialog = page.export_members()
    assert dialog.member_filter.category == Category.FLEXIBLE
    assert str(page.model.total) in dialog.findChildren(type(dialog.status))[0].text()
    dialog.close()
    wizard = page.import_members()
    assert isinstance(wizard, ImportWizard) and wizard.isVisible()
    wizard.close()


def test_screenshots_of_every_page(qtbot, profile: Profile, union: int, tmp_path: Path, bundled_font) -> None:
    """Saves a PNG of each page (set IMPORT_WIZARD_SHOTS=DIR to keep them and look at them)."""
    shots = Path(os.environ.get("IMPORT_WIZARD_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    w = ImportWizard(union, "clerk", profile.backups, today=TODAY)
    w.ask = lambda text: True
    qtbot.addWidget(w)
    w.show()

    def shot(name: str) -> None:
        qtbot.wait(1)  # let the layout settle
        target = shots / f"import-{w.currentId()}-{name}.png"
        assert w.grab().save(str(target)) and target.stat().st_size > 5000

    path = members_file(tmp_path / "会员名单.xlsx", 40,
                        bad={3: {"手机号码": "1381234"}, 8: {"证件号码": "31010419700101123A"},
                             12: {"工作单位详细地址": "黄浦区"}, 20: {"证件到期日": TODAY + timedelta(days=20)}})
    w.file_page.path.setText(str(path))
    shot("file")
    w.next()
    w.category_page.select(Category.LINKED_ENTERPRISE, Enterprise.get(Enterprise.union == union).id)
    shot("category")
    w.next()
    shot("check")
    qtbot.waitUntil(lambda: w.currentId() == ImportWizard.PREVIEW, timeout=20_000)
    w.preview_page.table.selectRow(0)
    assert w.preview_page.detail.text().startswith("第 6 行“手机号码”")
    shot("preview")
    with qtbot.waitSignal(w.imported, timeout=20_000):
        w.next()
    qtbot.waitUntil(lambda: w.currentId() == ImportWizard.RESULT, timeout=5000)
    shot("result")
    w.close()
    dialog = ExportDialog(union, MemberFilter(), total=37)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.wait(1)
    assert dialog.grab().save(str(shots / "export-dialog.png"))
    ops.wait_all()
