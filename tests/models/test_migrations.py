"""Schema steps that move data: v2 keeps each retirement answer for the plan year it was given in."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.models import Member, RetirementAnswer, close_database, db, open_database, schema_version
from app.models import migrations
from app.paths import Profile


def _open_at(version: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    """A new profile whose database is open at schema `version` (the later steps not run)."""
    prof = Profile(tmp_path / f"p{version}").create()
    with monkeypatch.context() as m:
        m.setattr(migrations, "STEPS", migrations.STEPS[:version])
        m.setattr(migrations, "LATEST", version)
        open_database(prof.database, backup_dir=prof.backups)
    assert schema_version() == version
    return prof


def _v1_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    prof = _open_at(1, tmp_path, monkeypatch)
    db.execute_sql("INSERT INTO \"union\" (id, name, org_code, union_type, level, parent_name) "
                   "VALUES (1, '测试工会', '', '工会委员会', 'grassroots', '')")
    for n, (answer, life, life_date, updated) in enumerate([
        ("working", "in_service", None, "2024-10-15 10:00:00"),
        ("retired", "retired", "2024-11-30", "2025-09-20 09:00:00"),
        (None, "in_service", None, "2024-10-15 10:00:00"),
        ("working", "in_service", None, "2024-03-01 08:00:00"),  # no audit entry: its last change
    ]):
        db.execute_sql(
            'INSERT INTO "member" (id, union_id, member_no, name, id_type, id_number, work_address, label, category,'
            ' life_status, life_status_date, post_type, card_status, insurance_status, retirement_confirmation,'
            ' created_at, updated_at, sync_state, dirty_fields, field_versions) VALUES '
            "(?, 1, ?, ?, 'mainland', ?, '', '', 'linked_enterprise', ?, ?, 'unknown', 'none', 'paid', ?, ?, ?,"
            " 'sent', '[]', '{}')",
            (n + 1, f"{n}", f"会员{n}", f"ID{n}", life, life_date, answer, updated, updated))
    for member_id, at in ((1, "2024-10-15 10:00:00"), (2, "2025-09-20 09:00:00"), (2, "2024-10-02 09:00:00")):
        db.execute_sql('INSERT INTO "audit_entry" (at, actor, action, member_id, field, note) '
                       "VALUES (?, 'clerk', 'retirement.settle', ?, 'retirement_confirmation', '')", (at, member_id))
    close_database()
    return prof


def test_v2_keeps_each_retirement_answer_for_the_plan_year_it_was_given_in(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 3: one answer per member for ever becomes one per member and plan year."""
    prof = _v1_database(tmp_path, monkeypatch)
    open_database(prof.database, backup_dir=prof.backups)
    try:
        assert schema_version() == migrations.LATEST
        answers = {(a.member_id, a.plan_year): (a.answer, a.retired_on)
                   for a in RetirementAnswer.select().order_by(RetirementAnswer.member)}
        # Oct 2024 worked on plan year 2025; Sep 2025 (the latest answer) on 2026; Mar 2024 on 2024.
        assert answers == {(1, 2025): ("working", None), (2, 2026): ("retired", date(2024, 11, 30)),
                           (4, 2024): ("working", None)}
        assert Member.select().where(Member.retirement_confirmation.is_null(False)).count() == 0
        assert list(prof.backups.glob("backup-*-migrate-v1.sqlite3"))
    finally:
        close_database()


def test_v5_adds_the_review_mark_to_an_old_batch_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A v4 profile (its batch table without review_mark) upgrades in place; its batches keep their rows."""
    from app.models import Batch

    prof = _open_at(4, tmp_path, monkeypatch)
    db.execute_sql('ALTER TABLE "batch" DROP COLUMN "review_mark"')  # as v4 made it
    db.execute_sql("INSERT INTO \"union\" (id, name, org_code, union_type, level, parent_name) "
                   "VALUES (1, '测试工会', '', '工会委员会', 'grassroots', '')")
    db.execute_sql('INSERT INTO "batch" (union_id, batch_no, kind, channel, plan_year, plan_type, member_count, totals,'
                   " status, submitted_at, updated_at, actor) VALUES (1, 'JZ1', 'central', 'card', 2025, 'A', 2, '{}',"
                   " 'under_review', '2024-10-28 10:00:00', '2024-10-28 10:00:00', 'clerk')")
    assert "review_mark" not in {c.name for c in db.get_columns("batch")}
    close_database()
    open_database(prof.database, backup_dir=prof.backups)
    try:
        assert schema_version() == migrations.LATEST
        batch = Batch.get(Batch.batch_no == "JZ1")
        assert (batch.status, batch.review_mark) == ("under_review", None)
        Batch.update(review_mark="secondary").where(Batch.id == batch.id).execute()
        assert Batch.get_by_id(batch.id).review_mark == "secondary"
        assert list(prof.backups.glob("backup-*-migrate-v4.sqlite3"))
    finally:
        close_database()


def test_v7_keeps_a_v6_profiles_card_batches_and_adds_the_withdrawal_state(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A v6 profile (card_batch without the withdrawal columns) with batches and members upgrades in
    place: the rows stay, nothing is asked for withdrawal, no notice raised; the feed's state fits."""
    from app.models.queries import note_withdrawal
    from app.models.tables import CardBatch, CardBatchMember
    from app.services import batch_watch

    prof = _open_at(6, tmp_path, monkeypatch)
    for column in ("withdrawal_status", "withdrawal_reason", "withdrawal_answer", "withdrawal_seen"):
        db.execute_sql(f'ALTER TABLE "card_batch" DROP COLUMN "{column}"')  # as v6 made it
    db.execute_sql("INSERT INTO \"union\" (id, name, org_code, union_type, level, parent_name) "
                   "VALUES (1, '测试工会', '', '工会委员会', 'grassroots', '')")
    for n, status in enumerate(("issuing", "done")):
        db.execute_sql('INSERT INTO "card_batch" (id, union_id, batch_no, member_count, issued_count, refused_count,'
                       " status, submitted_at, updated_at, actor) VALUES (?, 1, ?, 1, ?, 0, ?, '2025-11-02 10:00:00',"
                       " '2025-11-02 10:00:00', 'clerk')", (n + 1, f"BK{n}", n, status))
        db.execute_sql('INSERT INTO "card_batch_member" (batch_id, member_id, id_number, name, outcome, reason)'
                       " VALUES (?, NULL, ?, '会员', 'pending', '')", (n + 1, f"ID{n}"))
    assert "withdrawal_status" not in {c.name for c in db.get_columns("card_batch")}
    close_database()
    open_database(prof.database, backup_dir=prof.backups)
    try:
        assert schema_version() == migrations.LATEST
        rows = {b.batch_no: (b.status, b.withdrawal_status, b.withdrawal_seen) for b in CardBatch.select()}
        assert rows == {"BK0": ("issuing", None, True), "BK1": ("done", None, True)}
        assert CardBatchMember.select().count() == 2
        assert batch_watch.unseen_withdrawal_refusals(1) == []
        batch = CardBatch.get(CardBatch.batch_no == "BK0")
        note_withdrawal(batch, {"status": "refused", "reason": "填错", "decision_reason": "已制卡"})
        batch.save()
        assert batch_watch.unseen_withdrawal_refusals(1) == [("BK0", "已制卡")]
        assert list(prof.backups.glob("backup-*-migrate-v6.sqlite3"))
    finally:
        close_database()
