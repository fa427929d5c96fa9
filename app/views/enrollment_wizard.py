"""集中参保办理 (and 即时参保) as a wizard: 参保确认 → 退休人员确认 → 参保名单 → 提交至上级审核.

Everything is computed on the database worker; nothing is written until the last step, which asks
for confirmation in the manual's words ("您选择的保障类型为：…请确认无误后再提交！").
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.rules.codes import CATEGORY_LABELS, PLAN_TYPE_LABELS
from app.rules.eligibility import individual_categories
from app.services import enrollment
from app.views import ops
from app.views.enrollment_tables import (
    CandidateModel,
    RosterModel,
)
from app.views.errors import show_error
from app.views.retirement_page import RetirementPage
from app.views.list_page import plain_table
from app.views.sizing import resize_in_screen
from app.views.windows import open_modeless
from app.views.wrapping import wrap_at

RETIREE_WARNING = ("【重要提示】{year}年1月1日前（不含当日）的退休人员均不在本次集中参保的保障范围。本系统已按出生日期和"
                   "法定退休年龄（含渐进式延迟退休）计算每位会员的退休日期，并标出可能已退休的人员，请逐一确认；"
                   "若为不符合条件的退休人员办理保障，则将不予给付。")
COUNT_LABELS = (("total", "会员总人数"), ("carded", "有卡总人数"), ("submitted", "集中参保已提交人数"),
                ("no_card", "未办卡人数"), ("retired", "退休人数"), ("deceased", "死亡人数"), ("pending", "待确认人数"),
                ("individual", "灵活就业/企业外入会（请其通过申工社个人办理）"))


def count_labels(categories: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The card channel's counts; the 申工社 one names the categories the campaign's `union_categories`
    leave to the members themselves (none left: no such count)."""
    others = individual_categories(categories)
    if not others:
        return COUNT_LABELS[:-1]
    return COUNT_LABELS[:-1] + (("individual", "/".join(CATEGORY_LABELS[c] for c in others)
                                 + "（请其通过申工社个人办理）"),)


#: The SS channel's counts (manual §3.2.2): its own population only (no member card, 身份证).
SS_COUNT_LABELS = (("submitted", "集中参保已提交人数"), ("retired", "退休人数"), ("deceased", "死亡人数"),
                   ("pending", "待确认人数"), ("awaiting_check", "待校验人数"))
SS_REASONS = ("社保卡参保列表仅显示没有工会会员服务卡且证件类型是身份证的职工；已参加本年度保障、已有会员卡"
              "（请进行会员卡参保）或证件类型不是身份证的职工不会出现（常见问题3，可在下一步查询原因）。")


class OverviewPage(QWizardPage):
    """参保确认画面: header, deadline, warnings, the counts (each opens its list), the plan type."""

    def __init__(self, wizard: "EnrollmentWizard") -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("参保确认"))
        self.header = QLabel(self.tr("正在计算…"))
        self.header.setWordWrap(True)
        self.header.setStyleSheet("font-weight: bold;")
        # Room for the two lines the header takes, so a late, longer text never gets clipped.
        self.header.setMinimumHeight(self.header.fontMetrics().lineSpacing() * 2 + 4)
        self.deadline = QLabel()
        self.deadline.setWordWrap(True)
        self.window_note = QLabel()  # the countdown, or that the window is shut (server calendar)
        self.window_note.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b35c00;")
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.counts.linkActivated.connect(self.show_list)
        self.plan_type = QComboBox()
        self.plan_note = QLabel(self.tr("⚠ 同一保障年度只能选择一个保障类型。"))
        self.reasons = QLabel(self.tr("未出现在本单位集中参保名单内的原因：1、未办理工会会员服务卡；2、不符合参保条件"
                                      "（退休或死亡）；3、在“集中参保待确认名单”内。"))
        self.reasons.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("请选择保障类型")))
        row.addWidget(self.plan_type, 1)
        layout = QVBoxLayout(self)
        for w in (self.header, self.window_note, self.deadline, self.warning, self.counts):
            layout.addWidget(w)
        layout.addLayout(row)
        layout.addWidget(self.plan_note)
        layout.addWidget(self.reasons)
        layout.addStretch(1)
        self.plan_type.currentIndexChanged.connect(self._plan_changed)
        self._ready = False

    def initializePage(self) -> None:
        self._ready = False
        self.w.load_overview(self.show_overview)

    def show_overview(self, data) -> None:
        info, counts, fixed, shut = data
        self.window_note.setText(shut.text)
        self.window_note.setStyleSheet("font-weight: bold; color: %s;" % ("#1d6f42" if shut.is_open else "#c0392b"))
        self.plan_type.blockSignals(True)
        self.plan_type.clear()
        for code in info.splits:
            self.plan_type.addItem(PLAN_TYPE_LABELS.get(code, code), code)
        if fixed:
            self.plan_type.setCurrentIndex(self.plan_type.findData(fixed))
            self.plan_type.setEnabled(False)
            self.plan_note.setText(self.tr("⚠ 本工会{0}年度已按“{1}”提交过，同一保障年度只能选择一个保障类型。").format(
                info.plan_year, PLAN_TYPE_LABELS[fixed]))
        self.plan_type.blockSignals(False)
        central = self.w.kind == enrollment.KIND_CENTRAL
        self.deadline.setText(enrollment.deadline_text(info) if central else enrollment.instant_text(info))
        self.warning.setText(self.tr(RETIREE_WARNING).format(year=info.plan_year))
        labels = SS_COUNT_LABELS if self.w.channel == "ss" else count_labels(info.union_categories)
        if self.w.channel == "ss":
            self.reasons.setText(self.tr(SS_REASONS))
        # Each count whole on a line ("待\n确认人数" once): the lines break between the links only.
        links = "　".join(f'<a href="{key}">{wrap_at(self.tr(label) + "：" + str(getattr(counts, key)) + "人")}</a>'
                         for key, label in labels)
        if counts.flagged:
            links += '　<a href="flagged" style="color:#c0392b">{0}</a>'.format(
                wrap_at(self.tr("可能已退休待确认：{0}人").format(counts.flagged)))
        self.counts.setText(links)
        self._ready = True
        self._plan_changed()

    def _plan_changed(self, *_args) -> None:
        if not self._ready or self.plan_type.currentData() is None:
            return
        self.w.plan_type = self.plan_type.currentData()
        self.header.setText(self.tr("正在计算…"))
        self.w.load_draft(lambda d: self.set_header(d.header))
        self.completeChanged.emit()

    def set_header(self, text: str) -> None:
        self.header.setText(wrap_at(text))
        self.header.updateGeometry()
        self.layout().invalidate()

    def isComplete(self) -> bool:
        return self._ready and self.plan_type.currentData() is not None

    def show_list(self, which: str) -> None:
        w = self.w

        def shown(people) -> None:
            model = CandidateModel()
            model.set_rows(people)
            table = QTableView(self)
            model.setParent(table)
            table.setModel(model)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            table.setWindowTitle(dict(COUNT_LABELS + SS_COUNT_LABELS).get(which, self.tr("可能已退休待确认")))
            table.setWindowFlag(Qt.WindowType.Dialog)
            table.resize(self.fontMetrics().horizontalAdvance("中") * 50, self.fontMetrics().height() * 30)
            table.show()

        ops.run_db(self, lambda: enrollment.members_for_count(w.union_id, w.plan_year, w.channel, which), shown)


class RosterPage(QWizardPage):
    """参保名单 and 提交至上级审核."""

    def __init__(self, wizard: "EnrollmentWizard") -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("参保名单"))
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setStyleSheet("font-weight: bold;")
        self.blocking = QLabel()
        self.blocking.setWordWrap(True)
        self.blocking.setStyleSheet("color: #c0392b;")
        self.model = RosterModel(self)
        self.table = plain_table(self, self.model, {"姓名": 6, "证件号码": 11, "会员卡号": 9, "起保日期": 7,
                                                    "终保日期": 7})
        note = QLabel(self.tr("点击“提交至上级审核”后，联网时立即发送；参保告知书自动保存并打开，每次提交告知书都将更新。"))
        note.setWordWrap(True)
        from app.views.submit_result import notice_folder

        self.folder = QLabel(self.tr("告知书保存到：{0}").format(notice_folder()))
        self.folder.setWordWrap(True)
        change = QPushButton(self.tr("更改…"))
        change.clicked.connect(self.change_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(change)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.blocking)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addLayout(folder_row)
        self.draft: enrollment.Draft | None = None
        self.setFinalPage(True)

    def initializePage(self) -> None:
        self.draft = None
        self.header.setText(self.tr("正在生成名单…"))
        self.w.load_draft(self.show_draft)

    def show_draft(self, d: enrollment.Draft) -> None:
        self.draft = d
        self.header.setText(wrap_at(d.header))
        self.header.updateGeometry()
        self.layout().invalidate()
        self.blocking.setText("\n".join(p.message for p in d.blocking))
        self.model.set_rows(d.rows)  # all of them: a model paints only what is on screen
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.draft is not None and not self.draft.blocking

    def change_folder(self) -> None:
        from app.views.submit_result import choose_notice_folder

        folder = choose_notice_folder(self)
        if folder is not None:
            self.folder.setText(self.tr("告知书保存到：{0}").format(folder))


class EnrollmentWizard(QWizard):
    submitted = Signal(str)

    def __init__(self, union_id: int, plan_year: int, actor: str, *, kind: str, channel: str, documents: Path,
                 fingerprint, replaces: str | None = None, sync=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync  # the SyncController, when signed in: a submission is sent at once
        self.union_id, self.plan_year, self.actor = union_id, plan_year, actor
        self.kind, self.channel, self.documents = kind, channel, documents
        self.fingerprint, self.replaces = fingerprint, replaces
        self.plan_type: str | None = None
        self.result_path: Path | None = None
        title = {enrollment.KIND_CENTRAL: "参保确认画面-集中参保办理",
                 enrollment.KIND_INSTANT_CARDED: "有卡无保人员即时参保办理",
                 enrollment.KIND_INSTANT_NEW_CARD: "新办卡人员即时参保办理"}[kind]
        self.setWindowTitle(self.tr(title) + (self.tr("（重新提交 {0}）").format(replaces) if replaces else ""))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.overview = OverviewPage(self)
        self.retirement = RetirementPage(self)
        self.roster = RosterPage(self)
        self.overview_id = self.addPage(self.overview)
        self.retirement_id = self.addPage(self.retirement)
        self.roster_id = self.addPage(self.roster)
        self.member_ids: list[int] | None = None  # the SS channel's 待提交 selection
        self.ss_lists_id = -1
        if channel == "ss":  # 待校验 / 待提交 between the overview and the rest (app.views.ss_enrollment)
            from app.views.ss_enrollment import SsListsPage

            self.ss_lists = SsListsPage(self)
            self.ss_lists_id = self.addPage(self.ss_lists)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("上一步"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("提交至上级审核"))
        em = self.fontMetrics().horizontalAdvance("中")
        resize_in_screen(self, em * 64, em * 44)
        self._flagged = 0

    # ---- work on the database worker ---------------------------------------------------
    def load_overview(self, callback) -> None:
        def work():
            info = enrollment.require_campaign(self.plan_year)
            return info, enrollment.count(self.union_id, self.plan_year, self.channel), \
                enrollment.fixed_plan_type(self.union_id, self.plan_year), enrollment.window(info, self.kind)

        def done(data) -> None:
            self._flagged = data[1].flagged
            callback(data)

        def failed(exc: BaseException) -> None:
            show_error(self, exc)
            self.reject()

        ops.run_db(self, work, done, failed)

    def load_draft(self, callback) -> None:
        plan_type, member_ids = self.plan_type, self.member_ids
        ops.run_db(self, lambda: enrollment.draft(self.union_id, self.plan_year, plan_type, channel=self.channel,
                                                  kind=self.kind, member_ids=member_ids), callback)

    def nextId(self) -> int:
        # The retirement page only when someone is flagged.
        current = self.currentId()
        if current == self.overview_id and self.ss_lists_id != -1:
            return self.ss_lists_id
        if current in (self.overview_id, self.ss_lists_id):
            return self.retirement_id if self._flagged else self.roster_id
        if current == self.retirement_id:
            return self.roster_id
        return -1

    # ---- the irreversible step ---------------------------------------------------------
    def accept(self) -> None:
        d = self.roster.draft
        if d is None or d.blocking:
            return
        label = PLAN_TYPE_LABELS.get(d.plan_type, d.plan_type)
        answer = QMessageBox.question(
            self, self.tr("信息"), self.tr("您选择的保障类型为：{0}\n请确认无误后再提交！\n\n本次提交 {1} 人。").format(
                label, d.totals.count),
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Ok:
            return
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        fingerprint = self.fingerprint  # a str, or a callable read here on the database worker
        ops.run_db(self, lambda: enrollment.submit(d, actor=self.actor, documents=self.documents,
                                                   fingerprint=fingerprint() if callable(fingerprint) else fingerprint,
                                                   replaces=self.replaces),
                   self._submitted, self._failed)

    def _submitted(self, result: enrollment.Submitted) -> None:
        """Sent at once when online; the result dialog says what became of it (区局确认中, or the
        server's refusal), or that it waits to be sent; the notice is saved for the clerk and opened."""
        from app.views.submit_result import SubmitResultDialog

        self.result_path = result.notice_path
        self.submitted.emit(result.batch_no)
        self.result_dialog = open_modeless(SubmitResultDialog(result, self.sync, self.parentWidget()))
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        show_error(self, exc)
