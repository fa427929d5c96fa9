"""bench/server_load.py's PostgreSQL databases go however a run ends (issue #10): with a session
still open, on a `kill`, and — when a run died before it could drop them — at the next run, which
leaves a live run's databases alone; a drop that keeps failing is said, not raised."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("UNION_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="needs UNION_TEST_PG_URL")


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import server_load
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return server_load


@pytest.fixture
def prefix(bench: ModuleType) -> Iterator[str]:
    """A prefix of this test's own (a real run's leftovers are not this test's to drop)."""
    mine = f"union_bench_t{secrets.token_hex(3)}_"
    yield mine
    for name in _databases(mine):
        bench.drop(_admin(), name)


def _admin() -> str:
    return urlunparse(urlparse(PG_URL)._replace(scheme="postgresql"))


def _databases(prefix: str) -> list[str]:
    import psycopg

    with psycopg.connect(_admin(), autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s) ORDER BY 1", (prefix,))
        return [name for (name,) in rows]


def _create(name: str, comment: str | None) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_admin(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if comment:
            conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(comment)))


def _url(name: str) -> str:
    return urlunparse(urlparse(_admin())._replace(path=f"/{name}"))


def test_the_database_goes_with_a_session_still_open(bench: ModuleType, prefix: str) -> None:
    import psycopg

    with bench.postgres_database(PG_URL, prefix) as url:
        assert _databases(prefix) == [urlparse(url).path[1:]]
        left_open = psycopg.connect(url)  # a session the run forgot (a server killed mid-run holds some)
        left_open.execute("SELECT 1")
    assert _databases(prefix) == []
    with pytest.raises(psycopg.OperationalError):  # ended by the drop
        left_open.execute("SELECT 1")
    left_open.close()


def test_leftovers_of_dead_runs_are_dropped_and_a_live_runs_are_kept(bench: ModuleType, prefix: str) -> None:
    import psycopg

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    made_by = bench.MADE_BY.format
    host = os.uname().nodename
    _create(f"{prefix}dead", made_by(host=host, pid=int(gone.stdout)))
    _create(f"{prefix}live", made_by(host=host, pid=os.getpid()))
    _create(f"{prefix}other_host", made_by(host=f"not-{host}", pid=int(gone.stdout)))
    _create(f"{prefix}unmarked_idle", None)
    _create(f"{prefix}unmarked_busy", None)
    with psycopg.connect(_url(f"{prefix}unmarked_busy")):
        assert sorted(bench.drop_leftovers(_admin(), prefix)) == [f"{prefix}dead", f"{prefix}unmarked_idle"]
    assert _databases(prefix) == [f"{prefix}live", f"{prefix}other_host", f"{prefix}unmarked_busy"]


def test_a_drop_that_keeps_failing_is_said_not_raised(bench: ModuleType, prefix: str, capsys) -> None:
    name = f"{prefix}held"
    _create(name, None)
    # Asked over a connection to the database itself, PostgreSQL refuses every time.
    assert bench.drop(_url(name), name, attempts=2) is False
    assert f"could not drop database {name} after 2 attempts" in capsys.readouterr().err
    assert bench.drop(_admin(), name) is True
    assert _databases(prefix) == []


def test_a_killed_run_drops_its_database(prefix: str) -> None:
    script = ("import sys, time; sys.path.insert(0, 'bench'); import server_load\n"
              f"with server_load.postgres_database({PG_URL!r}, {prefix!r}):\n"
              "    print('made', flush=True); time.sleep(60)\n")
    run = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert run.stdout is not None and run.stdout.readline().strip() == "made"
        assert len(_databases(prefix)) == 1
        run.send_signal(signal.SIGTERM)
        assert run.wait(30) == 128 + signal.SIGTERM
    finally:
        if run.poll() is None:
            run.kill()
    deadline = time.monotonic() + 10
    while _databases(prefix) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _databases(prefix) == []
