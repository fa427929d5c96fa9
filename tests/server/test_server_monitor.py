"""集中参保实时监控 over a real loopback server (SQLite and PostgreSQL): the figures equal what the
unions submitted, what was returned and what the district completed; members per channel against
the eligible; the fee against the expected; per day; the unions behind each figure; and the scope —
a district sees its own subtree only, the center the city, a clerk nothing. The eligible members are
counted once per ELIGIBLE_SECONDS and scope; the batches at every answer."""
from __future__ import annotations

from typing import Any

from server.db import session, write_tx
from server.models import Member
from test_server_review import _approve, _second_district, _submit
from union_server_testkit import G1_CARDED, G1_NO_CARD, G2_CARDED, Server, Session

G1, G2, G3 = "813101010000000041", "81310101000000005X", "813106000000000037"


def _set(numbers: list[str], **fields: Any) -> None:
    with session(), write_tx():
        Member.update(**fields).where(Member.id_number.in_(numbers)).execute()


def _monitor(who: Session) -> dict[str, Any]:
    r = who.get("/monitor")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _behind(who: Session, figure: str, **params: Any) -> dict[str, dict[str, Any]]:
    r = who.get("/monitor/unions", figure=figure, **params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["unions"])
    return {row["org_code"]: row for row in body["unions"]}


def _world(server: Server, clerk: Session, clerk2: Session) -> dict[str, str]:
    """G1: a card batch of 3 and an SS batch of 2 (区局确认中); G2: a card batch returned; one of
    G2's members is 灵活就业 (not the union's to enroll); another district with a union G3."""
    _set(G1_NO_CARD, ss_card_status="normal", employment_status="employed", insurance_status="paid")
    _set(G2_CARDED[1:], category="flexible")
    batches = {"g1_card": _submit(clerk, G1_CARDED[:3]), "g1_ss": _submit(clerk, G1_NO_CARD, channel="ss"),
               "g2": _submit(clerk2, G2_CARDED[:1])}
    secondary = Session(server, "secondary")
    r = secondary.post(f"/review/batches/{batches['g2']}/return", {"reason": "第1行 电话有误"})
    assert r.status_code == 200, r.text
    _second_district(server)
    return batches


def test_figures_equal_what_was_submitted_returned_and_completed(
        server: Server, clerk: Session, clerk2: Session) -> None:
    batches = _world(server, clerk, clerk2)
    district = Session(server, "district")
    seen = _monitor(district)
    assert seen["plan_year"] == server.plan_year and seen["union"]["org_code"] == "813101010000000025"
    assert seen["unions"] == {"total": 2, "completed": 0, "reviewing": 1, "not_accepted": 0, "returned": 1,
                              "not_submitted": 0}
    # Eligible: G1's 6 (4 carded, 2 SS-able), G2's 1 (its other member is 灵活就业).
    assert seen["members"].pop("counted_at")[:10] == seen["server_time"][:10]
    assert seen["members"] == {"eligible": 7, "eligible_card": 5, "eligible_ss": 2, "enrolled_card": 3,
                               "enrolled_ss": 2}
    assert seen["fee"] == {"per_person": "26.00", "expected": "182.00", "submitted": "130.00", "completed": "0.00"}
    assert seen["days"] == [{"day": seen["today"], "unions": 1, "enrolled_card": 3, "enrolled_ss": 2, "fee": "130.00"}]
    deadlines = {d["key"]: d for d in seen["deadlines"]}
    assert set(deadlines) == {"fee_window", "enrollment", "submission_opens", "submission", "voucher", "coverage"}
    assert deadlines["coverage"]["date"] == f"{server.plan_year}-01-01" and deadlines["coverage"]["days_left"] > 0

    # G2 sends its batch again; the district approves both of G1's and G2's and submits them to the center.
    batches["g2_again"] = _submit(clerk2, G2_CARDED[:1])
    assert _approve(district, batches["g1_card"], batches["g1_ss"], batches["g2_again"])["approved"] == 3
    r = district.post("/district/submit", {"handler_name": "王经办", "handler_phone": "13812345678"})
    assert r.status_code == 200, r.text
    seen = _monitor(district)
    assert seen["unions"]["completed"] == 2 and seen["unions"]["returned"] == 0
    assert (seen["members"]["enrolled_card"], seen["fee"]["submitted"], seen["fee"]["completed"]) == (4, "156.00", "156.00")
    assert seen["days"][0]["unions"] == 2


def test_the_unions_behind_each_figure(server: Server, clerk: Session, clerk2: Session) -> None:
    _world(server, clerk, clerk2)
    district = Session(server, "district")
    assert set(_behind(district, "returned")) == {G2}
    assert set(_behind(district, "submitted")) == set(_behind(district, "reviewing")) == {G1}
    assert _behind(district, "not_submitted") == {} and _behind(district, "completed") == {}
    assert set(_behind(district, "enrolled_ss")) == set(_behind(district, "enrolled_card")) == {G1}
    everyone = _behind(district, "all")
    assert set(everyone) == {G1, G2}
    g1 = everyone[G1]
    assert (g1["name"], g1["parent"]) == ("上海示范科技有限公司工会委员会", "上海市黄浦区南京东路街道总工会")
    assert (g1["progress"], g1["progress_label"], g1["eligible"], g1["eligible_card"], g1["eligible_ss"]) == (
        "reviewing", "区局确认中", 6, 4, 2)
    assert (g1["enrolled_card"], g1["enrolled_ss"], g1["fee"], g1["fee_expected"]) == (3, 2, "130.00", "156.00")
    g2 = everyone[G2]
    assert (g2["progress_label"], g2["eligible"], g2["enrolled_card"], g2["fee"], g2["last_submitted_at"]) == (
        "退回", 1, 0, "0.00", None)
    today = _monitor(district)["today"]
    assert set(_behind(district, "day", day=today)) == {G1}
    assert _behind(district, "day", day="2000-01-01") == {}
    # Paged: the total counts every union behind the figure.
    page = district.get("/monitor/unions", figure="all", limit=1).json()
    assert (page["total"], len(page["unions"])) == (2, 1)
    # A day belongs to figure=day only.
    assert district.get("/monitor/unions", figure="all", day=today).status_code == 422


def test_scope_a_district_sees_its_subtree_the_center_the_city(
        server: Server, clerk: Session, clerk2: Session) -> None:
    _world(server, clerk, clerk2)
    other = Session(server, "district2")
    seen = _monitor(other)
    assert seen["unions"] == {"total": 1, "completed": 0, "reviewing": 0, "not_accepted": 0, "returned": 0,
                              "not_submitted": 1}
    assert seen["members"]["enrolled_card"] == 0 and seen["fee"]["submitted"] == "0.00" and seen["days"] == []
    for figure in ("all", "submitted", "returned", "enrolled_card"):
        assert set(_behind(other, figure)) <= {G3}
    assert set(_behind(other, "all")) == {G3}
    # The secondary sees its own two unions; the center the whole city.
    assert _monitor(Session(server, "secondary"))["unions"]["total"] == 2
    center = Session(server, "center")
    city = _monitor(center)
    assert city["unions"]["total"] == 3 and city["unions"]["not_submitted"] == 1
    assert city["members"]["enrolled_card"] == 3 and city["fee"]["submitted"] == "130.00"
    assert set(_behind(center, "all")) == {G1, G2, G3}
    # Clerks and the city's reviewer watch nothing.
    for username in ("grassroots", "grassroots2", "city"):
        someone = Session(server, username)
        for r in (someone.get("/monitor"), someone.get("/monitor/unions", figure="all")):
            assert r.status_code == 403 and r.json()["problem"] == "union_scope"
