"""Enrollment notices (告知书) as PDF: the grassroots union's notice with its roster (manual §3.1.9)
and the district union's notice (manual §4.5); SPEC §5.6.

Plain dataclasses in, PDF bytes out (`notice_text` holds the dataclasses and the wording, from
the manual's words); `save_notice` writes them atomically into a folder. The bundled WenQuanYi
Micro Hei font is embedded as a subset so the notice renders on any PC. Identity and card numbers are masked in the roster, and
the PDF metadata carries only the batch number.

Layout: page 1 is the notice itself (A4, margins after GB/T 9704: title centred, justified body,
signature block on the right); roster pages follow, drawn straight onto the canvas (a platypus
table is far too slow for 10,000 rows), 48 rows a page with the header row repeated. Every page
has a footer with the batch number, the signature fingerprint and "第 N 页 / 共 M 页".
"""
from __future__ import annotations

import io
import re
import threading
from collections.abc import Mapping
from pathlib import Path

from peewee import chunked
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.files import atomic_write
from app.paths import resource_path
from app.rules.cards import mask_card_no
from app.rules.codes import PLAN_TYPE_LABELS
from app.rules.idcard import mask_id
from app.services.notice_text import (  # noqa: F401 (the notice's input and wording, used and re-exported)
    INSTANT_KIND_LABELS,
    PLAN_ORDER,
    DistrictNotice,
    GrassrootsNotice,
    RosterRow,
    addressee,
    class_label,
    district_body,
    district_issue_date,
    grassroots_body,
    plan_code,
    spaced_date,
)
from app.services.errors import ClerkError

FONT_NAME = "WenQuanYiMicroHei"
FONT_FILE = ("fonts", "wqy-microhei.ttc")

GRASSROOTS_ISSUER = "上海市总工会职工服务中心"
DISTRICT_ISSUER = "上海市职工保障互助中心"
PRODUCER = "UnionClerk"

CHANNEL_LABELS: dict[str, str] = {"card": "会员卡", "ss": "社保卡"}
PERIOD_LABELS: dict[str, str] = {"full": "全年", "half": "半年"}

PAGE_WIDTH, PAGE_HEIGHT = A4
GREY = Color(0.35, 0.35, 0.35)
RULE_GREY = Color(0.6, 0.6, 0.6)
HEADER_FILL = Color(0.9, 0.9, 0.9)

# Notice page: GB/T 9704 type area (top 37 mm, left 28 mm, 156 mm wide), 三号 body, 二号 title.
NOTICE_LEFT = 28 * mm
NOTICE_WIDTH = 156 * mm
NOTICE_TOP = PAGE_HEIGHT - 37 * mm
TITLE_SIZE = 22.0
BODY_SIZE = 16.0
BODY_LEADING = 28.0

# Roster pages.
ROSTER_MARGIN = 15 * mm
ROSTER_SIZE = 8.0
ROSTER_MIN_SIZE = 6.0
ROW_HEIGHT = 14.0
FOOTER_Y = 10 * mm
FOOTER_SIZE = 7.5
TABLE_TOP = PAGE_HEIGHT - ROSTER_MARGIN - 34.0   # below the roster title and subtitle
TABLE_BOTTOM = FOOTER_Y + 14.0
ROWS_PER_PAGE = int((TABLE_TOP - TABLE_BOTTOM) // ROW_HEIGHT) - 1   # one row is the header

# (heading, width in points); the widths add up to the type area (A4 less two 15 mm margins).
ROSTER_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 38.0),
    ("姓名", 82.0),
    ("证件号码", 94.0),
    ("会员卡号", 94.0),
    ("参保通道", 48.0),
    ("起保日期", 55.0),
    ("终保日期", 55.0),
    ("全年/半年", 0.0),   # takes the rest
)
_TABLE_WIDTH = PAGE_WIDTH - 2 * ROSTER_MARGIN

_font_lock = threading.Lock()
_font_registered = False

# Characters Windows does not allow in file names, and control characters.
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


# --- Drawing ---------------------------------------------------------------------------------


def register_font() -> str:
    """Register the bundled CJK font with reportlab once per process; returns its name."""
    global _font_registered
    with _font_lock:
        if not _font_registered:
            path = resource_path(*FONT_FILE)
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            _font_registered = True
    return FONT_NAME


def _new_canvas(buffer: io.BytesIO, batch_no: str) -> Canvas:
    # The initial font is ours too, so the PDF references no other (non-embedded) font.
    canvas = Canvas(
        buffer, pagesize=A4, pageCompression=1, initialFontName=FONT_NAME, initialFontSize=BODY_SIZE
    )
    # Metadata names the batch only: no member, no union, no clerk.
    canvas.setTitle(f"告知书 {batch_no}")
    canvas.setAuthor("")
    canvas.setSubject("")
    canvas.setKeywords("")
    canvas.setCreator(PRODUCER)
    canvas.setProducer(PRODUCER)
    return canvas


def _footer(canvas: Canvas, batch_no: str, fingerprint: str, page: int, pages: int) -> None:
    canvas.setFont(FONT_NAME, FOOTER_SIZE)
    canvas.setFillColor(GREY)
    canvas.drawString(ROSTER_MARGIN, FOOTER_Y, f"批次编号 {batch_no}    签名指纹 {fingerprint}")
    canvas.drawRightString(PAGE_WIDTH - ROSTER_MARGIN, FOOTER_Y, f"第 {page} 页 / 共 {pages} 页")
    canvas.setFillColor(black)


def _title(canvas: Canvas, text: str, size: float, y: float) -> None:
    """A centred title in faux bold (the font has no bold face): fill plus a thin stroke."""
    text_object = canvas.beginText()
    text_object.setFont(FONT_NAME, size)
    text_object.setTextRenderMode(2)
    width = pdfmetrics.stringWidth(text, FONT_NAME, size)
    text_object.setTextOrigin((PAGE_WIDTH - width) / 2, y)
    text_object.textOut(text)
    canvas.saveState()
    canvas.setLineWidth(size / 40)
    canvas.drawText(text_object)
    canvas.restoreState()


# Line breaking (kinsoku): no line starts with closing punctuation or ends with opening punctuation,
# a number stays with the unit after it ("45 人", "1378元"); a line may break at the space before
# a number (the space is dropped there).
_CANNOT_START = set("，。、；：？！）》」』”’,.;:?!)]}%·…—")
_CANNOT_END = set("（《「『“‘([{")
_TOKEN = re.compile(r"[!-~]+| |.", re.DOTALL)


def _is_ascii(token: str) -> bool:
    return token[0] != " " and token[0] < "\u0080"


def _atoms(text: str) -> list[str]:
    """Split text into pieces between which a line may break."""
    tokens = _TOKEN.findall(" ".join(text.split()))

    def unit_follows(i: int) -> bool:
        # tokens[i] is a number or other ASCII word and a CJK character (its unit) comes next,
        # directly or after one space.
        j = i + 2 if i + 1 < len(tokens) and tokens[i + 1] == " " else i + 1
        if not (_is_ascii(tokens[i]) and tokens[i][-1].isalnum()) or j >= len(tokens):
            return False
        return tokens[j] != " " and not _is_ascii(tokens[j])

    atoms: list[str] = []
    for i, token in enumerate(tokens):
        joined = bool(atoms) and (
            token[0] in _CANNOT_START
            or tokens[i - 1][-1] in _CANNOT_END
            or unit_follows(i - 1)
            or (tokens[i - 1] == " " and i >= 2 and unit_follows(i - 2))
        )
        if joined:
            atoms[-1] += token
        else:
            atoms.append(token)
    return atoms


def _break_lines(text: str, size: float, width: float, first_indent: float) -> list[str]:
    """Greedy line breaking of `text` at `size` points into lines no wider than `width`."""
    lines: list[str] = []
    line = ""
    limit = width - first_indent
    for atom in _atoms(text):
        candidate = (line + atom) if line or atom != " " else ""
        if pdfmetrics.stringWidth(candidate.rstrip(" "), FONT_NAME, size) <= limit or not line.strip():
            line = candidate
            # An atom wider than a whole line (a long account number): cut it where it overflows.
            while pdfmetrics.stringWidth(line.rstrip(" "), FONT_NAME, size) > limit and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and pdfmetrics.stringWidth(line[:cut], FONT_NAME, size) > limit:
                    cut -= 1
                lines.append(line[:cut])
                line, limit = line[cut:], width
            continue
        lines.append(line.rstrip(" "))
        line, limit = ("" if atom == " " else atom), width
    if line.strip():
        lines.append(line.rstrip(" "))
    return lines


def _paragraph(canvas: Canvas, text: str, y: float, first_indent: float = 2 * BODY_SIZE) -> float:
    """Draw a justified paragraph whose first baseline is one line below y; returns the last baseline.

    Justification spreads a line's spare width over its characters (PDF character spacing), so the
    text extracts with its own spaces only. The last line is left-aligned.
    """
    lines = _break_lines(text, BODY_SIZE, NOTICE_WIDTH, first_indent)
    for index, line in enumerate(lines):
        y -= BODY_LEADING
        x = NOTICE_LEFT + (first_indent if index == 0 else 0)
        room = NOTICE_LEFT + NOTICE_WIDTH - x
        text_object = canvas.beginText(x, y)
        text_object.setFont(FONT_NAME, BODY_SIZE)
        spare = room - pdfmetrics.stringWidth(line, FONT_NAME, BODY_SIZE)
        # Justify all but the last line, unless that would open gaps wider than 0.4 em.
        if index < len(lines) - 1 and len(line) > 1 and 0 < spare <= 0.4 * BODY_SIZE * (len(line) - 1):
            text_object.setCharSpace(spare / (len(line) - 1))
        text_object.textOut(line)
        canvas.saveState()
        canvas.drawText(text_object)
        canvas.restoreState()
    return y


def _notice_page(
    canvas: Canvas,
    to: str,
    paragraphs: list[str],
    extra_lines: list[str],
    issuer: str,
    issued: str,
    subtitle: str = "",
    annex: str = "",
) -> None:
    """Page 1: title, addressee, justified paragraphs, plain lines, signature block on the right."""
    y = NOTICE_TOP - TITLE_SIZE
    _title(canvas, "告知书", TITLE_SIZE, y)
    if subtitle:
        y -= BODY_LEADING
        canvas.setFont(FONT_NAME, BODY_SIZE - 2)
        canvas.drawCentredString(PAGE_WIDTH / 2, y, subtitle)
    y -= BODY_LEADING * 0.5
    y = _paragraph(canvas, to, y, first_indent=0)
    for text in paragraphs:
        y = _paragraph(canvas, text, y)
    for line in extra_lines:
        y = _paragraph(canvas, line, y)
    # Signature block: the issuer about two characters in from the right edge, the date centred
    # under it (the usual layout of an official letter).
    y -= BODY_LEADING * 3
    right = NOTICE_LEFT + NOTICE_WIDTH - 2 * BODY_SIZE
    canvas.setFont(FONT_NAME, BODY_SIZE)
    issuer_width = pdfmetrics.stringWidth(issuer, FONT_NAME, BODY_SIZE)
    canvas.drawRightString(right, y, issuer)
    y -= BODY_LEADING
    canvas.drawCentredString(right - issuer_width / 2, y, issued)
    if annex:
        canvas.setFont(FONT_NAME, BODY_SIZE - 4)
        canvas.drawString(NOTICE_LEFT, y - BODY_LEADING * 2, annex)


def _column_edges() -> list[float]:
    edges = [ROSTER_MARGIN]
    for _, width in ROSTER_COLUMNS[:-1]:
        edges.append(edges[-1] + width)
    edges.append(ROSTER_MARGIN + _TABLE_WIDTH)
    return edges


def _draw_cell(canvas: Canvas, text: str, left: float, right: float, y: float) -> None:
    """Centre text in a cell; text too wide for it is set smaller, then condensed — never cut."""
    avail = right - left - 4
    width = pdfmetrics.stringWidth(text, FONT_NAME, ROSTER_SIZE)
    if width <= avail:
        canvas.drawCentredString((left + right) / 2, y, text)
        return
    size = max(ROSTER_MIN_SIZE, ROSTER_SIZE * avail / width)
    width = width * size / ROSTER_SIZE
    scale = min(100.0, 100.0 * avail / width)
    text_object = canvas.beginText()
    text_object.setFont(FONT_NAME, size)
    text_object.setHorizScale(scale)
    text_object.setTextOrigin((left + right) / 2 - width * scale / 200, y)
    text_object.textOut(text)
    # Font size and horizontal scale are graphics state: keep them out of the following cells.
    canvas.saveState()
    canvas.drawText(text_object)
    canvas.restoreState()


def _roster_cells(index: int, row: RosterRow) -> tuple[str, ...]:
    try:
        channel = CHANNEL_LABELS[row.channel]
        period = PERIOD_LABELS[row.period]
    except KeyError as exc:
        raise ValueError(f"roster row {index}: unknown channel or period {exc.args[0]!r}") from None
    return (
        str(index),
        row.name.strip(),
        mask_id(row.id_number),
        mask_card_no(row.card_no) if row.card_no else "—",
        channel,
        row.coverage_start.isoformat(),
        row.coverage_end.isoformat(),
        period,
    )


def _roster_page(
    canvas: Canvas,
    heading: str,
    rows: list[tuple[str, ...]],
) -> None:
    """One roster page: title, subtitle, header row and up to ROWS_PER_PAGE rows, with rules."""
    edges = _column_edges()
    top = PAGE_HEIGHT - ROSTER_MARGIN
    _title(canvas, "参保人员名单", 13.0, top - 13.0)
    canvas.setFont(FONT_NAME, 9.0)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 28.0, heading)

    bottom = TABLE_TOP - ROW_HEIGHT * (len(rows) + 1)
    canvas.setFillColor(HEADER_FILL)
    canvas.rect(edges[0], TABLE_TOP - ROW_HEIGHT, _TABLE_WIDTH, ROW_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(black)

    # All rules of the page as one path.
    canvas.setStrokeColor(RULE_GREY)
    canvas.setLineWidth(0.4)
    path = canvas.beginPath()
    for i in range(len(rows) + 2):
        y = TABLE_TOP - ROW_HEIGHT * i
        path.moveTo(edges[0], y)
        path.lineTo(edges[-1], y)
    for x in edges:
        path.moveTo(x, TABLE_TOP)
        path.lineTo(x, bottom)
    canvas.drawPath(path, stroke=1, fill=0)

    baseline = (ROW_HEIGHT - ROSTER_SIZE) / 2 + 1.2
    canvas.setFont(FONT_NAME, ROSTER_SIZE)
    y = TABLE_TOP - ROW_HEIGHT + baseline
    for (label, _), left, right in zip(ROSTER_COLUMNS, edges, edges[1:]):
        canvas.drawCentredString((left + right) / 2, y, label)
    for cells in rows:
        y -= ROW_HEIGHT
        for text, left, right in zip(cells, edges, edges[1:]):
            _draw_cell(canvas, text, left, right, y)


def roster_pages(rows: int) -> int:
    """How many roster pages a roster of `rows` members takes."""
    return -(-rows // ROWS_PER_PAGE)


def grassroots_notice_pdf(notice: GrassrootsNotice) -> bytes:
    """The grassroots notice: page 1 the notice (manual §3.1.9), then the roster pages."""
    register_font()
    paragraphs = grassroots_body(notice)
    cells = [_roster_cells(i, row) for i, row in enumerate(notice.roster, start=1)]
    pages = 1 + roster_pages(len(cells))

    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, notice.batch_no)
    subtitle = "（补充提交）" if notice.supplementary else ("（即时参保）" if notice.kind in INSTANT_KIND_LABELS else "")
    annex = ""
    if cells:
        span = "第 2 页" if pages == 2 else f"第 2—{pages} 页"
        annex = f"附：参保人员名单，共 {len(cells)} 人（{span}）"
    _notice_page(
        canvas,
        addressee(notice.union_name),
        paragraphs[:1],
        paragraphs[1:],
        GRASSROOTS_ISSUER,
        spaced_date(notice.issued_on),
        subtitle=subtitle,
        annex=annex,
    )
    _footer(canvas, notice.batch_no, notice.signature_fingerprint, 1, pages)
    canvas.showPage()

    heading = (
        f"{notice.union_name.strip()}　{notice.plan_year} 年度　"
        f"{PLAN_TYPE_LABELS[plan_code(notice.plan_type)]}　共 {len(cells)} 人"
    )
    for page_index, page_cells in enumerate(chunked(cells, ROWS_PER_PAGE), start=2):
        _roster_page(canvas, heading, page_cells)
        _footer(canvas, notice.batch_no, notice.signature_fingerprint, page_index, pages)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def district_notice_pdf(notice: DistrictNotice) -> bytes:
    """The district union's notice (manual §4.5): counts per plan type, amount, bank account."""
    register_font()
    paragraphs = district_body(notice)
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, notice.batch_no)
    bank_lines = [
        f"户名：{notice.bank_account_name}",
        f"帐号：{notice.bank_account_number}",
        f"开户行：{notice.bank_name}",
    ]
    _notice_page(
        canvas,
        addressee(notice.union_name),
        paragraphs,
        bank_lines,
        DISTRICT_ISSUER,
        district_issue_date(notice.issued_on),
    )
    _footer(canvas, notice.batch_no, notice.signature_fingerprint, 1, 1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- Saving ----------------------------------------------------------------------------------

_KIND_PREFIX: Mapping[str, str] = {"grassroots": "告知书", "district": "区局告知书"}


def notice_filename(batch_no: str, kind: str = "grassroots") -> str:
    """"告知书-{batch_no}.pdf" (grassroots) or "区局告知书-{batch_no}.pdf" (district)."""
    try:
        prefix = _KIND_PREFIX[kind]
    except KeyError:
        raise ValueError(f"unknown notice kind {kind!r}") from None
    safe = _UNSAFE_FILENAME.sub("_", batch_no.strip()).strip(". ")
    if not safe:
        raise ValueError("a notice needs a batch number")
    return f"{prefix}-{safe}.pdf"


def save_notice(pdf: bytes, folder: Path, batch_no: str, kind: str = "grassroots") -> Path:
    """Write the PDF into `folder` (created if missing) with the client's one atomic writer and
    return its path. A notice of the same batch is replaced; a reader never sees half a file."""
    target = Path(folder) / notice_filename(batch_no, kind)
    try:
        with atomic_write(target) as temp:
            temp.write_bytes(pdf)
    except PermissionError as exc:
        # On Windows a PDF viewer that has the old notice open blocks the replacement.
        raise ClerkError(
            f"无法保存告知书“{target.name}”：文件正被其他程序占用或没有写入权限（{exc.strerror}）。",
            "请关闭已打开的告知书后重新下载。",
        ) from exc
    return target


__all__ = [
    "DistrictNotice",
    "GrassrootsNotice",
    "RosterRow",
    "district_notice_pdf",
    "grassroots_notice_pdf",
    "notice_filename",
    "save_notice",
]
