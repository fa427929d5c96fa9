"""参保批次管理's downloads (manual §4.8): 下载集中参保统计表 (the district's .xlsx, app/services/
spreadsheets/statistics.py) and 下载集中参保告知书 (the selected district batch's notice PDF again,
made from the server's figures as at submission). Both are saved into the documents folder, the path
said on the page, and the file opened. The server call and the file work run on the I/O pool.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton

from app.views import ops


def add_download_buttons(page: Any, buttons: QHBoxLayout) -> None:
    """The two download buttons of the district's 参保批次管理, on `page` (a BatchesPage)."""
    page.stats_button = QPushButton(page.tr("下载集中参保统计表"))
    page.stats_button.clicked.connect(lambda: download_statistics(page))
    page.notice_button = QPushButton(page.tr("下载集中参保告知书"))
    page.notice_button.clicked.connect(lambda: download_notice(page))
    buttons.insertWidget(0, page.notice_button)
    buttons.insertWidget(0, page.stats_button)


def _folder(page: Any, name: str) -> Path:
    return Path(page.documents or Path.home()) / name


def _run(page: Any, work: Any, what: str) -> None:
    from app.views.superior_pages import OFFLINE, describe

    source = page.api()
    if source is None:
        page.saved.setText(OFFLINE)
        return

    def done(path: Path) -> None:
        page.saved.setText(page.tr("{0}已保存到：{1}").format(what, path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def failed(exc: BaseException) -> None:
        page.saved.setText(describe(exc))
        QMessageBox.warning(page, what, describe(exc))

    page.saved.setText(page.tr("正在下载{0}…").format(what))
    ops.run_io(page, lambda: work(source), done, failed)


def download_statistics(page: Any) -> None:
    folder = _folder(page, "统计表")

    def work(source: Any) -> Path:
        from app.services.spreadsheets.statistics import save_statistics, statistics_filename
        from app.sync.fees import FeesApi

        table = FeesApi(source.client).statistics()
        return Path(save_statistics(table, folder / statistics_filename(table))["path"])

    _run(page, work, page.tr("集中参保统计表"))


def download_notice(page: Any) -> None:
    rows = page.table.selectionModel().selectedRows()
    if not rows and page.model.rowCount() == 1:
        rows = [page.model.index(0, 0)]
    if len(rows) != 1:
        QMessageBox.information(page, page.tr("请选择"), page.tr("请在列表中选择一个批次，再下载它的集中参保告知书。"))
        return
    batch_no = str(page.model.data(rows[0], Qt.ItemDataRole.UserRole))
    folder = _folder(page, "区局告知书")

    def work(source: Any) -> Path:
        from app.services.district import save_district_notice
        from app.services.notices import notice_filename
        from app.sync.fees import FeesApi

        receipt = FeesApi(source.client).district_notice(batch_no)
        return save_district_notice(receipt, folder / notice_filename(receipt["batch_no"], "district"))

    _run(page, work, page.tr("集中参保告知书"))
