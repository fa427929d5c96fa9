"""The campaign's `union_categories` (RULES.md "Who the union enrolls") over a real server: the
center widens them, the clerk's PC caches them with the campaign at its next sync and enrolls the
widened category, the server accepts that batch by the same value — and refuses it once the
center narrows them again, even from a PC whose cached copy is still the wider one."""
from __future__ import annotations

from typing import Any

from app.models import Batch, Member, Outbox
from app.paths import Profile
from app.services import campaign, confirmations, enrollment
from app.sync import account
from server.embedded import DEMO_CLERK
from server.settings import ServerContext
from tests.sync.test_enrollment_e2e import signed  # noqa: F401 (the signed-in demo clerk, a fixture)

WIDE = ["linked_enterprise", "flexible"]


def _center_sets(categories: list[str] | None) -> None:
    """What `union-server campaign create` stores and publishes, on the running campaign."""
    from server.campaigns import publish_campaign
    from server.db import session
    from server.models import Campaign

    with session():
        current = Campaign.select().order_by(Campaign.plan_year.desc()).first()
        Campaign.update(union_categories=categories, version=current.version + 1).where(
            Campaign.id == current.id).execute()
        publish_campaign(ServerContext(), Campaign.get_by_id(current.id))


def _flexible_ready(engine: Any, year: int) -> list[int]:
    """The 灵活就业类 members the card channel would enroll (the pending confirmed, flags settled)."""
    confirmations.confirm(engine.union_id, None, actor=DEMO_CLERK)
    for c in enrollment.members_for_count(engine.union_id, year, "card", "flagged"):
        enrollment.settle_retirement(c.id, "working", plan_year=year, actor=DEMO_CLERK)
    flexible = {m.id for m in Member.select(Member.id).where(Member.category == "flexible")}
    return [c.id for c in enrollment.members_for_count(engine.union_id, year, "card", "eligible") if c.id in flexible]


def _submit(engine: Any, profile: Profile, year: int, ids: list[int]) -> str:
    d = enrollment.draft(engine.union_id, year, "A", channel="card", member_ids=ids)
    assert not d.blocking, d.blocking
    sent = enrollment.submit(d, actor=DEMO_CLERK, documents=profile.documents, fingerprint=engine.device_fingerprint)
    return str(sent.batch_no)


def test_widened_categories_reach_the_pc_and_the_server_checks_the_same(signed: account.SignedIn,  # noqa: F811
                                                                        profile: Profile) -> None:
    engine = signed.engine
    year = enrollment.require_campaign().plan_year
    assert campaign.union_categories() == ("linked_enterprise",)
    before = enrollment.count(engine.union_id, year, "card").individual
    assert _flexible_ready(engine, year) == []  # 申工社's, not the union's

    _center_sets(WIDE)
    engine.sync()
    assert campaign.union_categories() == tuple(WIDE)  # cached with the campaign: offline too
    assert enrollment.count(engine.union_id, year, "card").individual < before
    flexible = _flexible_ready(engine, year)
    assert len(flexible) >= 2, "the demo union has carded 灵活就业类 members"
    accepted = _submit(engine, profile, year, flexible[:1])
    assert engine.sync().refused == 0
    assert Batch.get(Batch.batch_no == accepted).status == "under_review"

    # The center narrows them again; a PC still holding the wider copy is refused by the server.
    _center_sets(None)
    refused = _submit(engine, profile, year, flexible[1:2])
    report = engine.sync()  # the push goes before the pull: the server judges by its own value
    assert report.refused == 1
    batch = Batch.get(Batch.batch_no == refused)
    assert batch.status == "refused" and Outbox.get_by_id(batch.outbox_id).problem == "ineligible"
    assert campaign.union_categories() == ("linked_enterprise",)  # and the pull brought the narrower copy
