"""关于: the version, the server this PC talks to, where its data lives, and a newer version;
and 使用手册, the offline manual.

Everything shown is handed in (no database work here); a newer version is only announced, with
its download page — the app never updates itself.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import __version__, site_config
from app.paths import manual_path, resource_path

SUPPORT = "上海工会职工服务热线 12351"


def update_text(update: Any) -> str:
    """'有新版本 X' with a link to its download page (rich text), or '' when there is none."""
    if update is None or not getattr(update, "newer", False):
        return ""
    text = f"有新版本 {update.latest_version}"
    if update.download_url:
        text += f'：<a href="{update.download_url}">下载页面</a>'
    return text


def open_manual(parent: QWidget) -> None:
    """使用手册: the offline manual that ships with the program, in the PC's own viewer."""
    path = manual_path()
    if path is None:
        QMessageBox.information(parent, "使用手册", "本机没有安装使用手册。请联系单位电脑管理员。")
        return
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class AboutDialog(QDialog):
    def __init__(self, profile_root: Path, *, server_url: str = "", update: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("关于"))
        site = site_config.current()
        icon = QLabel()
        icon.setPixmap(QPixmap(str(resource_path("icons", "union-clerk.png"))).scaled(
            64, 64, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        title = QLabel(self.tr("<b>工会会员专享保障参保客户端</b>"))
        self.version = QLabel(self.tr("版本 {0}").format(__version__))
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(self.version)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(heading, 1)

        self.server = QLabel(server_url or site.server_url or self.tr("未设置"))
        self.data_folder = QLabel(os.fspath(profile_root))
        self.site = QLabel(str(site.source) if site.source else self.tr("未设置"))
        for label in (self.server, self.data_folder, self.site):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
        open_folder = QPushButton(self.tr("打开数据文件夹"))
        open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(os.fspath(profile_root))))
        form = QFormLayout()
        form.addRow(self.tr("服务器"), self.server)
        form.addRow(self.tr("数据文件夹"), self.data_folder)
        form.addRow("", open_folder)
        form.addRow(self.tr("站点配置"), self.site)
        form.addRow(self.tr("技术支持"), QLabel(SUPPORT))

        self.update_notice = QLabel(update_text(update))
        self.update_notice.setOpenExternalLinks(True)
        self.update_notice.setStyleSheet("color: #b9770e; font-weight: bold;")
        self.update_notice.setVisible(bool(self.update_notice.text()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.update_notice)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 36)
