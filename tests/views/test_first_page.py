"""The member list's two-step query: the first page (its ids, rows and the count) shown before
every id is in, then the whole id list swapped in without a reset; a newer query wins."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView

from app.models import Member
from app.models.queries import MemberFilter
from app.models.queries.members import SORT_COLUMNS, member_ids
from app.paths import Profile
from app.rules.codes import Category
from app.views import ops, table_model
from app.views.member_list import MemberListPage
from app.views.member_table import MemberTableModel

PLAN_YEAR = 2027
UNION = 1


def expected_ids(f: MemberFilter = MemberFilter(), sort_key: str = "member_no",  # noqa: B008 - a frozen value
                 descending: bool = False) -> list[int]:
    """The query's ids in order as plain SQL gives them, the sort key's column then id."""
    column = SORT_COLUMNS[sort_key]
    order = [column.desc(), Member.id.desc()] if descending else [column.asc(), Member.id.asc()]
    query = Member.select(Member.id).where(Member.union == UNION)
    if f.category:
        query = query.where(Member.category == f.category)
    return [m.id for m in query.order_by(*order)]


class Gate:
    """Holds the model's full id query (step two) on the database worker until opened."""

    def __init__(self, model: MemberTableModel) -> None:
        self.opened = threading.Event()
        self.calls = 0
        fetch = model.fetch_ids

        def gated(*args):
            self.calls += 1
            self.opened.wait(10)
            return fetch(*args)

        model.fetch_ids = gated  # type: ignore[method-assign]

    def open(self) -> None:
        self.opened.set()
        ops.drain()


def first_page_shown(qtbot, model: MemberTableModel, **query) -> None:
    with qtbot.waitSignal(model.totalChanged, timeout=5000):
        model.requery(**query)


@pytest.fixture
def page(qtbot, demo_profile: Profile, bundled_font) -> MemberListPage:
    widget = MemberListPage(UNION, PLAN_YEAR, "clerk")
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    widget.load_now()
    return widget


def test_first_page_is_shown_before_every_id_is_in(qtbot, demo_profile: Profile) -> None:
    model = MemberTableModel(UNION, PLAN_YEAR)
    gate = Gate(model)
    first_page_shown(qtbot, model)
    everyone = expected_ids()
    batch = table_model.BATCH
    # Step two waits on the worker; the first page is here: its ids, its rows, and the count.
    qtbot.waitUntil(lambda: gate.calls == 1, timeout=5000)
    assert not model.complete
    assert model.rowCount() == len(everyone) == 300 and list(model.ids()) == everyone[:batch]
    assert all(model.is_loaded(r) for r in range(batch))
    names = {m.id: m.name for m in Member.select(Member.id, Member.name)}
    assert [model.data(model.index(r, 1)) for r in range(batch)] == [names[i] for i in everyone[:batch]]
    # A row after the first page paints blank and asks for nothing until its id is known.
    beyond = model.index(batch + 5, 1)
    assert model.data(beyond) is None and model.data(beyond, Qt.ItemDataRole.UserRole) is None
    assert not model._loading
    gate.open()
    assert model.complete and list(model.ids()) == everyone and model.rowCount() == 300
    # Asked for blank before its id was known: its batch was loaded once the ids came.
    assert model.data(beyond) == names[everyone[batch + 5]]
    assert model.data(model.index(2 * batch + 50, 1)) is None  # never asked for: asks now
    ops.drain()
    assert model.is_loaded(2 * batch + 50)


def test_a_short_result_is_one_step(qtbot, demo_profile: Profile) -> None:
    """Fewer matches than a page: no count, no second query."""
    model = MemberTableModel(UNION, PLAN_YEAR)
    gate = Gate(model)
    member = Member.select().order_by(Member.id.desc()).get()
    first_page_shown(qtbot, model, f=MemberFilter(text=member.name))
    ops.drain()
    assert gate.calls == 0 and model.complete and member.id in model.ids()


def test_the_swap_keeps_selection_scroll_and_painted_rows(qtbot, page: MemberListPage, monkeypatch) -> None:
    monkeypatch.setattr(table_model, "BATCH", 10)
    model, table = page.model, page.table
    gate = Gate(model)
    first_page_shown(qtbot, model, sort_key="name", descending=True)
    everyone = expected_ids(sort_key="name", descending=True)
    assert model.rowCount() == 300 and len(model.ids()) == 10
    assert page.count_label.text() == "共 300 人"
    table.selectionModel().select(model.index(3, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
    table.scrollTo(model.index(150, 0), QAbstractItemView.ScrollHint.PositionAtTop)
    table.viewport().repaint()  # rows 150… painted blank: their ids are not known yet
    scrolled = table.verticalScrollBar().value()
    assert scrolled > 0
    painted = {model.ids()[r]: model.row_at(r) for r in range(10)}
    resets: list[str] = []
    model.modelReset.connect(lambda: resets.append("reset"))
    model.layoutChanged.connect(lambda: resets.append("layout"))
    swapped: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last: swapped.append((first.row(), last.row())))
    gate.opened.set()
    qtbot.waitUntil(lambda: model.complete and model.is_loaded(150), timeout=5000)
    # No reset; the rows the view painted blank (those on screen) loaded, not all 290 repainted.
    assert not resets and swapped and swapped[0] == (150, 159)
    assert all(first >= 150 and last < 200 for first, last in swapped)
    assert list(model.ids()) == everyone
    assert table.verticalScrollBar().value() == scrolled
    assert page.selected_ids() == [everyone[3]]
    assert all(model.row_at(r) is painted[everyone[r]] for r in range(10))  # not loaded again
    ops.drain()
    assert table.verticalScrollBar().value() == scrolled and page.selected_ids() == [everyone[3]]


def test_a_requery_during_step_two_wins(qtbot, demo_profile: Profile) -> None:
    model = MemberTableModel(UNION, PLAN_YEAR)
    gate = Gate(model)
    first_page_shown(qtbot, model, sort_key="birth_date")
    qtbot.waitUntil(lambda: gate.calls == 1, timeout=5000)  # the birth-date order's step two runs (held)
    model.requery(sort_key="birth_date", descending=True)
    seen: list[list[int]] = []
    model.totalChanged.connect(lambda _n: seen.append(list(model.ids())))
    model.dataChanged.connect(lambda *_a: seen.append(list(model.ids())))
    gate.open()
    newest = expected_ids(sort_key="birth_date", descending=True)
    assert model.sort_key == "birth_date" and model.descending and list(model.ids()) == newest
    assert expected_ids(sort_key="birth_date") not in seen  # the older order's ids never shown


def test_a_requery_before_step_two_runs_skips_it_on_the_worker(qtbot, demo_profile: Profile) -> None:
    model = MemberTableModel(UNION, PLAN_YEAR)
    model.reload()
    asked: list[tuple] = []
    fetch = model.fetch_ids
    model.fetch_ids = lambda *args: asked.append(args) or fetch(*args)  # type: ignore[method-assign]
    # The newer query is asked for as soon as the older one's first page is shown, before the
    # worker reaches the older one's step two: that step is skipped there, not only dropped.
    model.totalChanged.connect(lambda _n: model.requery(sort_key="phone") if model.sort_key == "name" else None)
    model.requery(sort_key="name")
    ops.drain()
    assert [a[1] for a in asked] == ["phone"]
    assert model.sort_key == "phone" and list(model.ids()) == expected_ids(sort_key="phone")


@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_and_filter_gives_the_full_query_ids(qtbot, demo_profile: Profile, descending: bool) -> None:
    model = MemberTableModel(UNION, PLAN_YEAR)
    flexible = MemberFilter(category=str(Category.FLEXIBLE))
    fragment = Member.select().where(Member.id_type == "mainland").order_by(Member.id.desc()).get().id_number[-4:]
    for f in (MemberFilter(), flexible, MemberFilter(text=fragment)):
        for key in SORT_COLUMNS:
            model.requery(f, key, descending)
            ops.drain()
            full = member_ids(UNION, f, key, descending)
            assert list(model.ids()) == full and model.rowCount() == len(full) and model.complete, (f, key)
            if not f.text:
                assert full == expected_ids(f, key, descending)
            assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole) == (full[0] if full else None)


def test_members_changed_between_the_steps_are_shown_whole(qtbot, demo_profile: Profile) -> None:
    """Another window deleted a member after the first page was read: the whole list is shown
    again with its true count rather than a swap that would not match the rows."""
    model = MemberTableModel(UNION, PLAN_YEAR)
    gate = Gate(model)
    first_page_shown(qtbot, model)
    assert model.rowCount() == 300
    gone = expected_ids()[-1]
    Member.delete().where(Member.id == gone).execute()
    totals: list[int] = []
    model.totalChanged.connect(totals.append)
    gate.open()
    assert totals == [299] and model.rowCount() == 299 and model.complete
    assert list(model.ids()) == expected_ids()


def test_the_first_page_count_with_two_unions(qtbot, demo_profile: Profile) -> None:
    """The unfiltered count (the table's less the other unions') and a filtered one are the
    union's own, whichever side of it the other unions' ids fall."""
    from app.models import Union
    from app.models.queries import count_members

    below = Union.create(name="上海另一公司工会委员会")
    moved = [m.id for m in Member.select(Member.id).order_by(Member.id).limit(40)]
    Member.update(union=below).where(Member.id.in_(moved)).execute()
    flexible = MemberFilter(category=str(Category.FLEXIBLE))
    for union_id in (UNION, below.id):
        for f in (MemberFilter(), MemberFilter(text="  "), flexible):
            assert count_members(union_id, f) == len(member_ids(union_id, f)), (union_id, f)
    assert count_members(UNION, MemberFilter()) == 260
    assert count_members(below.id + 1, MemberFilter()) == 0
    model = MemberTableModel(UNION, PLAN_YEAR)
    gate = Gate(model)
    first_page_shown(qtbot, model)
    assert model.rowCount() == 260 and not model.complete
    gate.open()
    assert list(model.ids()) == expected_ids()
