"""server.batch.keep_parsed_statements raises psycopg's limits on cached statement parses, and a
psycopg without those private names leaves the server starting as before."""

from __future__ import annotations

import pytest

from server.batch import keep_parsed_statements

queries = pytest.importorskip("psycopg._queries")


def test_limits_raised_to_hold_the_batch_statements(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "MAX_CACHED_STATEMENT_LENGTH", 4096)
    monkeypatch.setattr(queries, "MAX_CACHED_STATEMENT_PARAMS", 50)
    keep_parsed_statements()
    assert queries.MAX_CACHED_STATEMENT_LENGTH == 1 << 20
    assert queries.MAX_CACHED_STATEMENT_PARAMS == 1 << 16


def test_a_psycopg_without_the_names_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(queries, "MAX_CACHED_STATEMENT_LENGTH")
    monkeypatch.delattr(queries, "MAX_CACHED_STATEMENT_PARAMS")
    keep_parsed_statements()  # does not raise
    assert not hasattr(queries, "MAX_CACHED_STATEMENT_LENGTH")
