"""Notices (帮助 → 查看通知): published by the center to every union, or by a union to its subtree;
each clerk reads the ones above them, newest first, until they expire; `union-server notice`."""
from __future__ import annotations

from datetime import timedelta

from server import cli as server_cli
from server import notices
from server.db import session, write_tx
from server.models import Union
from union_server_testkit import Server, Session


def titles(session_: Session) -> list[str]:
    response = session_.get("/notices")
    assert response.status_code == 200, response.text
    return [n["title"] for n in response.json()["notices"]]


def test_each_union_reads_the_notices_above_it(server: Server, clerk: Session) -> None:
    demo = titles(clerk)
    assert len(demo) == 2 and "技术支持电话" in demo  # the demo's own, from the center
    with session():
        secondary = Union.get(Union.org_code == "813101010000000033")
        other = Union.get(Union.org_code == "81310101000000005X")
        with write_tx():
            notices.publish(server.ctx, "街道通知", "请各基层工会按时提交。", union=secondary)
            server.clock.offset += timedelta(seconds=5)
            notices.publish(server.ctx, "联合工会内部通知", "仅本会。", union=other)
            server.clock.offset += timedelta(seconds=5)
            notices.publish(server.ctx, "已过期的通知", "过期。", expires=server.ctx.now_naive())
    assert titles(clerk)[0] == "街道通知" and "联合工会内部通知" not in titles(clerk)
    assert "已过期的通知" not in titles(clerk)
    assert titles(Session(server, "grassroots2"))[:2] == ["联合工会内部通知", "街道通知"]
    assert "街道通知" not in titles(Session(server, "district"))  # below the district, not above it


def test_publish_refuses_an_empty_title(server: Server) -> None:
    import pytest

    from server.problems import ProblemError

    with session(), pytest.raises(ProblemError):
        notices.publish(server.ctx, " ", "内容")


def test_union_server_notice_command(server: Server, clerk: Session) -> None:
    assert server_cli.main(["notice", "--db", server.db_url, "--title", "系统维护通知",
                            "--body", "12月5日晚停机维护。", "--union", "813101010000000041"]) == 0
    assert titles(clerk)[0] == "系统维护通知"
    assert server_cli.main(["notice", "--db", server.db_url, "--title", "x", "--body", "y",
                            "--union", "000"]) == 1
