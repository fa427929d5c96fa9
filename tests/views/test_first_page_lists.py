"""The card lists and a batch's members share the member list's two-step first page
(table_model.FirstPageIdModel, tests/views/test_first_page.py): the first ids, their rows and the
count shown before every id is in, then the whole id list swapped in without a reset; a short
list in one step; a newer query wins; rows changed between the steps shown whole."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.models import Member
from app.models.queries import CardMemberFilter, QueueFilter
from app.models.tables import Batch, BatchMember, CardBatch, CardBatchMember, CardQueue
from app.paths import Profile
from app.rules.codes import Category, LifeStatus
from app.services import cards
from app.views import ops, table_model
from app.views.card_table import CardBatchMemberModel, CardInfoModel, CardQueueModel
from app.views.enrollment_tables import BatchMemberModel
from app.views.table_model import FirstPageIdModel
from tests.views.test_first_page import Gate, first_page_shown

UNION = 1
TODAY = date.today()
#: A first page of ten rows, so each list below is several pages long.
FIRST = 10


@dataclass
class Case:
    """A list: its model, the query to show, its ids in order as plain SQL gives them, another
    order, and how a row of it goes away (another window deletes it)."""

    make: Callable[[], FirstPageIdModel]
    query: dict[str, Any]
    expected: Callable[[], list[int]]
    other: dict[str, Any]
    other_expected: Callable[[], list[int]]
    table: Any


def _card_info() -> Case:
    def expected(descending: bool = False) -> list[int]:
        query = Member.select(Member.id).where((Member.union == UNION) & (Member.category == Category.LINKED_ENTERPRISE)
                                               & (Member.life_status == LifeStatus.IN_SERVICE))
        order = [Member.member_no.desc(), Member.id.desc()] if descending else [Member.member_no, Member.id]
        return [m.id for m in query.order_by(*order)]
    return Case(lambda: CardInfoModel(UNION), {"f": CardMemberFilter()}, expected,
                {"f": CardMemberFilter(), "sort_key": "member_no", "descending": True}, lambda: expected(True), Member)


def _queue() -> Case:
    members = [m.id for m in Member.select(Member.id).order_by(Member.id)]  # those who may ask for a card join
    cards.add_to_queue(UNION, members, actor="clerk", today=TODAY)

    def expected() -> list[int]:
        return [q.id for q in CardQueue.select(CardQueue.id).order_by(CardQueue.queued_at.desc(), CardQueue.id.desc())]
    return Case(lambda: CardQueueModel(UNION), {"f": QueueFilter()}, expected,
                {"f": QueueFilter(), "sort_key": "queued_at", "descending": False}, lambda: expected()[::-1], CardQueue)


def _card_batch() -> Case:
    """Two card batches (a batch's members are in submission order; the other query is the other batch)."""
    batches = []
    for n, size in enumerate((45, 25)):
        batch = CardBatch.create(union=UNION, batch_no=f"BK-FIRST-PAGE-{n}", member_count=size)
        for m in Member.select().order_by(Member.id).offset(50 * n).limit(size):
            CardBatchMember.create(batch=batch, member=m, id_number=m.id_number, name=m.name)
        batches.append(batch.id)

    def expected(batch: int = batches[0]) -> list[int]:
        return [r.id for r in CardBatchMember.select(CardBatchMember.id).where(CardBatchMember.batch == batch)
                .order_by(CardBatchMember.id)]
    return Case(CardBatchMemberModel, {"f": batches[0]}, expected, {"f": batches[1]}, lambda: expected(batches[1]),
                CardBatchMember)


def _batch() -> Case:
    """Two submitted batches (批次详情), as for the card batches."""
    batches = []
    for n, size in enumerate((45, 25)):
        batch = Batch.create(union=UNION, batch_no=f"JZ-FIRST-PAGE-{n}", kind="central", channel="card",
                             plan_year=TODAY.year + 1, plan_type="A", member_count=size, totals="{}")
        for m in Member.select().order_by(Member.id).offset(50 * n).limit(size):
            BatchMember.create(batch=batch, member=m, id_number=m.id_number, name=m.name,
                               coverage_start=date(TODAY.year + 1, 1, 1), coverage_end=date(TODAY.year + 1, 12, 31))
        batches.append(batch.id)

    def expected(batch: int = batches[0]) -> list[int]:
        return [r.id for r in BatchMember.select(BatchMember.id).where(BatchMember.batch == batch).order_by(BatchMember.id)]
    return Case(BatchMemberModel, {"f": batches[0]}, expected, {"f": batches[1]}, lambda: expected(batches[1]),
                BatchMember)


CASES = {"card_info": _card_info, "card_queue": _queue, "card_batch_members": _card_batch, "batch_members": _batch}


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest, demo_profile: Profile, monkeypatch: pytest.MonkeyPatch) -> Case:
    monkeypatch.setattr(table_model, "BATCH", FIRST)
    return CASES[request.param]()


def test_first_page_is_shown_before_every_id_is_in(qtbot, case: Case) -> None:
    model = case.make()
    gate = Gate(model)  # type: ignore[arg-type]
    first_page_shown(qtbot, model, **case.query)  # type: ignore[arg-type]
    everyone = case.expected()
    assert len(everyone) > 2 * FIRST
    qtbot.waitUntil(lambda: gate.calls == 1, timeout=5000)  # step two held on the worker
    assert not model.complete and model.rowCount() == len(everyone)
    assert list(model.ids()) == everyone[:FIRST] and all(model.is_loaded(r) for r in range(FIRST))
    assert model.data(model.index(0, 0)) not in (None, "")
    beyond = model.index(FIRST + 3, 0)
    assert model.data(beyond) is None and model.data(beyond, Qt.ItemDataRole.UserRole) is None
    resets: list[str] = []
    model.modelReset.connect(lambda: resets.append("reset"))
    gate.open()
    assert model.complete and list(model.ids()) == everyone and not resets  # swapped in, no reset
    ops.drain()
    assert model.is_loaded(FIRST + 3) and model.data(beyond) not in (None, "")  # painted blank: loaded


def test_a_short_list_is_one_step(qtbot, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_model, "BATCH", 1000)
    model = case.make()
    gate = Gate(model)  # type: ignore[arg-type]
    first_page_shown(qtbot, model, **case.query)  # type: ignore[arg-type]
    ops.drain()
    assert gate.calls == 0 and model.complete and list(model.ids()) == case.expected()


def test_a_requery_during_step_two_wins(qtbot, case: Case) -> None:
    model = case.make()
    gate = Gate(model)  # type: ignore[arg-type]
    first_page_shown(qtbot, model, **case.query)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: gate.calls == 1, timeout=5000)
    older = list(case.expected())
    model.requery(**case.other)
    seen: list[list[int]] = []
    model.dataChanged.connect(lambda *_a: seen.append(list(model.ids())))
    gate.open()
    ops.drain()
    newest = case.other_expected()
    assert model.filter == case.other["f"] and model.complete and list(model.ids()) == newest
    assert newest != older and older not in seen  # the older query's whole ids never shown


def test_rows_changed_between_the_steps_are_shown_whole(qtbot, case: Case) -> None:
    model = case.make()
    gate = Gate(model)  # type: ignore[arg-type]
    first_page_shown(qtbot, model, **case.query)  # type: ignore[arg-type]
    everyone = case.expected()
    case.table.delete().where(case.table.id == everyone[-1]).execute()
    totals: list[int] = []
    model.totalChanged.connect(totals.append)
    gate.open()
    assert totals == [len(everyone) - 1] and model.complete and list(model.ids()) == case.expected()
