"""批量转移 end to end (issue #16's acceptance): two PCs of two unions against a real server.

The releasing union's clerk runs `union-clerk-cli transfer out` (JSON per line; exit 0 / 2 with
error and action / 3 offline); its PC no longer has the member; the receiving union's PC gets the
member with its card and history on its next sync. A PC that adds another union's member has the
record refused with advice to ask for a transfer.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli
from app.models import AuditEntry, Member, close_database, open_database
from app.paths import Profile
from app.sync import account
from app.models.audit import TRANSFER_OUT
from app.services.transfers import history_of
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server

G1 = "813101010000000041"
G2 = "81310101000000005X"


@pytest.fixture
def world(tmp_path: Path, file_keyring: Path) -> Iterator[tuple[str, callable]]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=20)
    yield url, stop
    stop()
    close_database()


def _pc(tmp_path: Path, name: str, url: str, username: str) -> tuple[Profile, account.SignedIn]:
    """A PC of `username`'s union: its own profile database, signed in and synced."""
    close_database()
    profile = Profile(tmp_path / name).create()
    open_database(profile.database, backup_dir=profile.backups)
    signed = account.sign_in(url, username, DEMO_PASSWORD, profile_root=profile.root)
    signed.engine.sync()
    return profile, signed


def _cli(capsys: pytest.CaptureFixture[str], profile: Profile, *args: str) -> tuple[int, list[dict]]:
    code = cli.main(["--profile", str(profile.root), *args])
    return code, [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]


def test_a_transfer_moves_the_member_between_pcs(world, tmp_path: Path, capsys) -> None:
    url, stop = world
    pc1, signed1 = _pc(tmp_path, "pc1", url, DEMO_CLERK)
    carded = list(Member.select().where((Member.union == signed1.engine.union_id) & Member.card_no.is_null(False))
                  .order_by(Member.id).limit(2))
    moving, other = carded[0], carded[1]
    number, card_no, name = moving.id_number, moving.card_no, moving.name

    code, lines = _cli(capsys, pc1, "transfer", "out", "--to", G2, "--reason", "调动", number, "--json")
    assert code == 0, lines
    assert lines == [{"id_number": number, "status": "transferred", "from_union": G1, "to_union": G2, "pulled": True}]
    # The releasing PC no longer has the member; the removal is in its audit trail (masked).
    assert Member.get_or_none((Member.union == signed1.engine.union_id) & (Member.id_number == number)) is None
    [left] = AuditEntry.select().where(AuditEntry.action == TRANSFER_OUT)
    assert left.new_value == G2 and name in left.old_value and number not in left.old_value

    # Refused: no longer its member (2, with what to do), an unknown union (2).
    code, [refused] = _cli(capsys, pc1, "transfer", "out", "--to", G2, "--reason", "调动", number, "--json")
    assert code == 2 and refused["problem"] == "not_found" and refused["error"] and refused["action"]
    code, [refused] = _cli(capsys, pc1, "transfer", "out", "--to", "813101010000009999", "--reason", "调动",
                           other.id_number, "--json")
    assert code == 2 and refused["problem"] == "transfer_target" and "组织代码" in refused["action"]
    other_number, other_name = other.id_number, other.name

    # The receiving PC gets the member with the card and the history on its next sync.
    pc2, signed2 = _pc(tmp_path, "pc2", url, "grassroots2")
    arrived = Member.get((Member.union == signed2.engine.union_id) & (Member.id_number == number))
    assert (arrived.name, arrived.card_no, arrived.sync_state) == (name, card_no, "sent")
    [history] = history_of(arrived.id)
    assert (history["from"], history["reason"]) == (G1, "调动")
    assert isinstance(history["enrollments"], list) and isinstance(history["cards"], list)

    # This PC adds the other union's member as its own: the server refuses the record, saying what to do.
    local = Member.create(union=signed2.engine.union_id, name=other_name, id_type="mainland", id_number=other_number,
                          phone="13698765432", work_address="上海市黄浦区南京东路1号")
    report = signed2.engine.sync()
    local = Member.get_by_id(local.id)
    assert local.sync_state == "error" and "其他工会的会员" in local.sync_error and "转移" in local.sync_error
    assert report.refused == 1

    # A common superior (the street union over both) moves the member back with --from.
    pc3, _ = _pc(tmp_path, "pc3", url, "secondary")
    code, lines = _cli(capsys, pc3, "transfer", "out", "--from", G2, "--to", G1, "--reason", "调回", number, "--json")
    assert code == 0 and [(r["from_union"], r["to_union"]) for r in lines] == [(G2, G1)], lines
    # Each PC follows on its next sync: the second union's loses the member, the first has them back.
    _pc(tmp_path, "pc2", url, "grassroots2")
    assert not Member.select().where(Member.id_number == number).exists()
    _, signed1 = _pc(tmp_path, "pc1", url, DEMO_CLERK)
    back = Member.get((Member.union == signed1.engine.union_id) & (Member.id_number == number))
    assert back.card_no == card_no and [h["from"] for h in history_of(back.id)] == [G2]

    # Offline: exit 3.
    stop()
    code, [offline] = _cli(capsys, pc3, "transfer", "out", "--from", G1, "--to", G2, "--reason", "调动", number,
                           "--json")
    assert code == 3 and offline["error"]
