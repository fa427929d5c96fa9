"""Where a wrapped Chinese label may break its lines (issue #13: "待\\n确认人数", "区局(产业)\\n提交开始").

Qt wraps Chinese between any two characters, a number and its unit too ("399\\n人"), and its rich
text ignores `white-space: nowrap` inside a line. A label that lists figures or deadlines is built
with `wrap_at`: a word joiner (U+2060, invisible, zero width) between every two characters, except
after a clause mark or an ideographic space — so the label breaks only there, and its minimum
width is its longest clause (a layout gives it at least that). Prose stays as it is: breaking a
sentence between any two characters is ordinary Chinese typesetting.

`plain` gives back what the clerk reads (tests, copies); `shown_lines` the lines a wrapped label
shows at its width (the screen walk checks them).
"""
from __future__ import annotations

import re

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

WORD_JOINER = "\u2060"
#: An explicit break point inside a phrase (a plan type's name: "A+类会员专享" / "基本保障").
BREAK = "\u200b"
#: A line may end after these: clause marks and the ideographic space that separates items.
BREAK_AFTER = frozenset("，；。、！？　" + BREAK)
_NO_BREAK_SPACE = "\u00a0"
_LINE_SEPARATOR = "\u2028"  # what rich text's <br> becomes in a laid-out block
#: A paragraph with this many "名称：值" pairs lists figures (prose has one colon, if any).
LISTED = 2
#: What follows a number and belongs to it: its unit, or the rest of a date, a time, a share.
UNITS = frozenset("人元天家年月日时分秒个条行岁次项号%％-.:/)）")


def wrap_at(text: str, spaces: bool = False) -> str:
    """`text` that a wrapped label breaks only after a clause mark (，；。、！？), an ideographic
    space or an explicit `BREAK` — never inside "待确认人数：399人" or "还剩 30天"; with `spaces`,
    at a space too (a narrow tile: "有会员卡" / "42人，")."""
    after = BREAK_AFTER | {" "} if spaces else BREAK_AFTER
    out: list[str] = []
    for i, char in enumerate(text):
        if char == "\n":
            out.append(char)
            continue
        out.append(_NO_BREAK_SPACE if char == " " and not spaces else char)
        following = text[i + 1:i + 2]
        if following and following != "\n" and char not in after and following != BREAK:
            out.append(WORD_JOINER)
    return "".join(out)


def phrases(items: list[str] | tuple[str, ...], separator: str = "　") -> str:
    """Items (each kept whole) joined by `separator`, a break point between them."""
    return separator.join(wrap_at(item.replace("　", " ")) for item in items)


#: A quoted name of a button, a list or a field ("「修改证件到期日」") is kept whole up to this length.
QUOTED = 12
_QUOTED = re.compile("([「“])([^」”]{1,%d})([」”])" % QUOTED)


def quotes_whole(text: str) -> str:
    """Prose whose short quoted names (a button's, a list's) never break inside: the rest of it
    wraps anywhere, as prose does ("请点击「修改证\\n件到期日」" once)."""
    return _QUOTED.sub(lambda m: m.group(1) + WORD_JOINER.join(m.group(2)) + m.group(3), text)


def plain(text: str) -> str:
    """What the clerk reads: `text` without the word joiners and explicit break points."""
    return text.replace(WORD_JOINER, "").replace(BREAK, "").replace(_NO_BREAK_SPACE, " ")


def shown_lines(label: QLabel) -> list[list[str]]:
    """The lines a word-wrapped `label` shows at its present width, paragraph by paragraph (its
    text laid out the way QLabel lays it out: the label's font, its contents width, no margin)."""
    from PySide6.QtGui import Qt  # here, not at import: naming the Qt namespace at start-up builds its enums (#10)

    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    doc.setDocumentMargin(0)
    form = label.textFormat()
    if form == Qt.TextFormat.RichText or (form == Qt.TextFormat.AutoText and Qt.mightBeRichText(label.text())):
        doc.setHtml(label.text())
    else:
        doc.setPlainText(label.text())
    width = label.contentsRect().width() - 2 * max(label.margin(), 0) - max(label.indent(), 0)
    doc.setTextWidth(max(width, 1))
    doc.size()  # lays the document out
    paragraphs: list[list[str]] = []
    block = doc.begin()
    while block.isValid():
        layout, text = block.layout(), block.text()
        paragraphs.append([])
        for line in (layout.lineAt(n) for n in range(layout.lineCount())):
            shown = text[line.textStart():line.textStart() + line.textLength()]
            paragraphs[-1].append(shown.rstrip(_LINE_SEPARATOR))
            if shown.endswith(_LINE_SEPARATOR):  # a <br>: what follows starts a paragraph of its own
                paragraphs.append([])
        block = block.next()
    return [lines for lines in paragraphs if lines]


def bad_breaks(label: QLabel) -> list[str]:
    """Where a wrapped `label` breaks a line inside what belongs together: inside a `wrap_at`
    phrase (a break the word joiners forbid), between a number and what follows it ("399\\n人",
    "2026-\\n12-01"), inside a short quoted name ("「修改证\\n件到期日」"), or anywhere in a list
    of figures ("名称：值" twice or more in a paragraph) not built with `wrap_at`."""
    glued_text = WORD_JOINER in label.text()
    paragraphs = shown_lines(label)
    found: list[str] = []
    for lines in paragraphs:  # a short quoted name cut in two
        ends = [len("".join(lines[:n + 1])) for n in range(len(lines) - 1)]
        text = "".join(lines)
        for quoted in _QUOTED.finditer(text):
            if any(quoted.start() < end < quoted.end() for end in ends):
                found.append(f"quoted name cut: {plain(quoted.group(0))}")
    found += [f"figures listed without wrap_at: “{plain(''.join(lines))[:16]}…”" for lines in paragraphs
              if len(lines) > 1 and not glued_text and "".join(lines).count("：") >= LISTED]
    for before, after in (pair for lines in paragraphs for pair in zip(lines, lines[1:])):
        at_space = before.endswith(" ") or after.startswith(" ")
        end, start = before.rstrip(" " + WORD_JOINER), after.lstrip(" " + WORD_JOINER)
        if not end or not start:
            continue
        # Qt broke where a word joiner forbids it (a phrase wider than the label, or a Qt ignoring it).
        glued = not at_space and (before.endswith(WORD_JOINER) or after.startswith(WORD_JOINER))
        number = not at_space and end[-1].isdigit() and (start[0].isascii() and start[0].isalnum()
                                                         or start[0] in UNITS)
        if glued or number:
            found.append(f"…{plain(end)[-8:]}⏎{plain(start)[:8]}…")
    return found
