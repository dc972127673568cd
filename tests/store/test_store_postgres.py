"""What only a server adds: several writers at once, the run lock across processes, a URL with a password, foreign databases.

Against the session's throwaway server (skipped, saying why, where none can start; failing under CI).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from auditor.errors import StoreError, StoreLockedError
from auditor.store import open_store
from auditor.store.pg_connection import placeholders
from auditor_testkit import assert_no_traceback
from team_testkit import team_store


@pytest.fixture
def url(pg_server):
    made = pg_server.create_database()
    yield made
    pg_server.drop_database(made)


def with_password(url: str, password: str = "hunter2") -> str:
    return url.replace("auditor@", f"auditor:{password}@", 1)


def test_placeholders_are_translated_outside_quotes_only():
    assert placeholders("SELECT ? , :name, 'a?b:c%', x::jsonb, \"q?\" % 2") == (
        "SELECT %s , %(name)s, 'a?b:c%%', x::jsonb, \"q?\" %% 2"
    )
    assert placeholders("SELECT 'it''s ?'") == "SELECT 'it''s ?'"


def test_writers_from_several_stores_at_once_keep_the_audit_chain_whole(url):
    team_store(url, 10)
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            with open_store(url) as st:
                for i in range(8):
                    st.add_comment(f"C-00000{i % 10}", name, f"{name} note {i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(url) as st:
        found = st.verify()
        assert found.ok, found.problems
        assert found.events == 1 + 4 * 8  # the trail's start, then one event per comment, none lost
        assert sum(len(st.comments(f"C-00000{i}")) for i in range(10)) == 32


def test_the_run_lock_is_held_across_processes_and_dies_with_its_holder(url):
    open_store(url).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from auditor.store import open_store\n"
            f"st = open_store({url!r})\n"
            "with st.lock():\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with open_store(url) as st:
            with (
                pytest.raises(StoreLockedError, match=f"auditor pid {holder.pid} since"),
                st.lock(),
            ):
                pass
            started = time.monotonic()
            with pytest.raises(StoreLockedError, match="after waiting 0.5 s"), st.lock(timeout=0.5):
                pass
            assert time.monotonic() - started >= 0.5
            holder.kill()  # no clean exit: the server ends the session and its lock
            holder.wait()
            with st.lock(timeout=10):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_a_writer_waiting_past_the_lock_timeout_is_told_to_try_again(url, monkeypatch):
    import psycopg

    import auditor.store.postgres as postgres
    from auditor.store.pg_connection import LOCK_CLASS, WRITE_LOCK

    team_store(url, 3)
    monkeypatch.setattr(postgres, "LOCK_TIMEOUT_MS", 300)
    with psycopg.connect(url) as other:  # another writer's open transaction
        other.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, WRITE_LOCK))
        with (
            open_store(url) as st,
            pytest.raises(StoreLockedError, match="another process is writing the case store"),
        ):
            st.add_comment("C-000000", "solo", "waits")
        other.rollback()
    with open_store(url) as st:
        st.add_comment("C-000000", "solo", "now")  # once the other commits, writing goes on
        assert [c.body for c in st.comments("C-000000")] == ["now"]


def test_a_url_with_a_password_never_shows_it(pg_server, cli):
    missing = with_password(pg_server.url("no_such_db"))
    with pytest.raises(StoreError) as caught:
        open_store(missing)
    text = str(caught.value)
    assert "hunter2" not in text and "REDACTED@" in text and "createdb" in text
    code, out, err = cli("cases", "list", "--store", missing)
    assert code == 2 and "hunter2" not in out + err and "REDACTED@" in err
    assert_no_traceback(err)


def test_a_database_of_another_program_is_refused(url):
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE orders (id int)")
    with pytest.raises(StoreError, match="not an auditor case store .tables: orders."):
        open_store(url)


def test_a_server_that_is_not_there_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="check the store URL's host and port"):
        open_store(f"postgresql://auditor:hunter2@/x?host={tmp_path}&port=1")


def test_an_audit_records_into_postgresql_and_the_next_run_sees_what_changed(
    small_provider, tmp_path, url, cli
):
    from store_testkit import audit_args

    secret = with_password(
        url
    )  # the test server trusts the socket, so the password is only carried
    code, out1, err1 = cli(*audit_args(small_provider, tmp_path / "out1", secret))
    assert code == 10, err1
    code, out, err = cli(
        *audit_args(small_provider, tmp_path / "out2", secret, "--log-format", "json", "-v")
    )
    assert code == 0, err  # the same provider again: nothing new
    written = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    assert "hunter2" not in out1 + err1 + out + err + written
    with open_store(url) as st:
        first, second = st.runs()
        assert len(st.cases_in_run(first.run_id)) == len(st.cases_in_run(second.run_id)) > 0
        assert second.changes and second.changes["counts"].get("new", 0) == 0


def test_a_store_may_live_in_its_own_schema_named_by_the_url_options(url):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA team")
        conn.execute("CREATE TABLE public.orders (id int)")  # another program's table beside it
    in_schema = url + "&options=-csearch_path%3Dteam"
    team_store(in_schema, 3)
    with open_store(in_schema) as st:
        assert len(st.cases_in_run("run-1")) == 3
    with psycopg.connect(url) as conn:
        tables = {
            r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'team'")
        }
    assert {"runs", "case_snapshots", "audit_events"} <= tables
