"""Wrapped Chinese labels break where the clerk reads a pause, never mid-phrase (issue #13:
"待\\n确认人数", "区局(产业)\\n提交开始", "399\\n人"): app.views.wrapping keeps each item of a list
whole at every width, and its checks (which the screen walk runs on every screen) see a label that
does not."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.views.wrapping import BREAK, bad_breaks, phrases, plain, quotes_whole, shown_lines, wrap_at

COUNTS = ["会员总人数：20000人", "有卡总人数：13602人", "集中参保已提交人数：10401人", "未办卡人数：5198人",
          "退休人数：400人", "死亡人数：400人", "待确认人数：399人", "可能已退休待确认：802人"]


def _label(qtbot, text: str, rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    qtbot.addWidget(label)
    label.show()
    return label


def _lines(label: QLabel, width: int) -> list[str]:
    """Its lines at `width`, or at the least width a layout gives it (its longest phrase)."""
    label.resize(max(width, label.minimumSizeHint().width()), 400)
    return [plain(line).strip() for lines in shown_lines(label) for line in lines]


def test_a_list_of_figures_breaks_only_between_its_items_at_every_width(qtbot) -> None:
    label = _label(qtbot, phrases(COUNTS))
    assert plain(label.text()) == "　".join(COUNTS)
    widest = max(label.fontMetrics().horizontalAdvance(item) for item in COUNTS)
    assert label.minimumSizeHint().width() >= widest  # a layout gives it room for its longest item
    for width in range(label.minimumSizeHint().width(), label.fontMetrics().horizontalAdvance("　".join(COUNTS)) + 40, 17):
        lines = _lines(label, width)
        assert all(line.replace("　", "").strip() for line in lines)
        for line in lines:  # each line is whole items, none cut
            assert all(part in COUNTS for part in line.split("　") if part), (width, lines)
        assert not bad_breaks(label), (width, lines)


def test_rich_text_links_and_explicit_break_points(qtbot) -> None:
    links = "　".join(f'<a href="{n}">{wrap_at(item)}</a>' for n, item in enumerate(COUNTS))
    label = _label(qtbot, links)
    for width in (160, 240, 330, 500):
        lines = _lines(label, width)
        assert all(part in COUNTS for line in lines for part in line.split() if part), (width, lines)
        assert not bad_breaks(label)
    name = _label(qtbot, wrap_at("A+类会员专享" + BREAK + "基本保障"))
    assert _lines(name, name.fontMetrics().horizontalAdvance("A+类会员专享基本")) == ["A+类会员专享", "基本保障"]
    assert plain(name.text()) == "A+类会员专享基本保障"


def test_clauses_stay_whole_and_spaces_break_only_when_asked(qtbot) -> None:
    text = "应缴 1716.00元（26.00元/人），19.7%；已完成 0.00元"
    glued = _label(qtbot, wrap_at(text))
    assert _lines(glued, 60) == ["应缴 1716.00元（26.00元/人），", "19.7%；已完成 0.00元"]
    spaced = _label(qtbot, wrap_at(text.replace("（", BREAK + "（"), spaces=True))
    lines = _lines(spaced, 60)  # as narrow as its widest part, "（26.00元/人），"
    assert "（26.00元/人），" in lines and len(lines) >= 3 and not bad_breaks(spaced)
    assert all(line.endswith(("元", "，", "；", "%", "缴", "成")) for line in lines), lines


def test_the_checks_see_a_list_wrapped_anywhere_and_a_number_cut_from_its_unit(qtbot) -> None:
    """What Qt does unaided: the counts wrap between any two characters."""
    label = _label(qtbot, "　".join(COUNTS))
    cut = []
    for width in range(120, 700, 13):
        label.resize(width, 400)
        cut += bad_breaks(label)
    assert any(found.startswith("figures listed without wrap_at") for found in cut)
    prose = _label(qtbot, "本工会共有会员 399人，其中退休人员 12人。")
    units = []
    for width in range(60, 400, 3):
        prose.resize(width, 400)
        units += [found for found in bad_breaks(prose) if "⏎人" in found]
    assert units  # "399⏎人" at some width
    squeezed = _label(qtbot, phrases(COUNTS))  # held narrower than its longest item: Qt must cut one
    squeezed.setFixedWidth(squeezed.fontMetrics().horizontalAdvance("待确认"))
    assert bad_breaks(squeezed)


def test_prose_wraps_anywhere_but_a_quoted_name_stays_whole(qtbot) -> None:
    text = "请一一核对职工的证件到期日是否准确，如需修改，请点击「修改证件到期日」。"
    bare, kept = _label(qtbot, text), _label(qtbot, quotes_whole(text))
    assert plain(kept.text()) == text
    cut = set()
    for width in range(120, 500, 7):
        bare.resize(width, 400)
        cut.update(bad_breaks(bare))
        kept.resize(width, 400)
        assert not bad_breaks(kept), width
        assert any("「修改证件到期日」" in line for line in _lines(kept, width))
    assert "quoted name cut: 「修改证件到期日」" in cut
