"""Console speed at 100,000 cases: the queue page and the API list, beside the server's floor.

    python bench/console_bench.py [--cases 100000] [--repeat 20]

Builds a store with one run of N synthetic cases (tests/team_testkit.py), a team and some
work on cases (claims, decisions, a snooze), starts the console with uvicorn on loopback and
times whole HTTP requests from an httpx client: the floor (the stylesheet, served without
touching the store) and each queue request, median and 95th percentile. The target is
200 ms for the queue page and the API list. Prints the load average beside the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from team_testkit import team_store  # noqa: E402

from auditor.console.app import create_app  # noqa: E402
from auditor.console.common import ConsoleConfig  # noqa: E402
from auditor.console.passwords import hash_password  # noqa: E402
from auditor.store import open_store  # noqa: E402

PASSWORD = "bench password 123"


def serve(store: Path | str) -> tuple[uvicorn.Server, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(ConsoleConfig(store=str(store), secure_cookies=False))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def timed(client: httpx.Client, url: str, repeat: int, **kw: object) -> tuple[float, float]:
    client.get(url, **kw).raise_for_status()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        r = client.get(url, **kw)
        times.append((time.perf_counter() - started) * 1000)
        r.raise_for_status()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--store", default=None, help="an empty store to build in (e.g. a postgresql:// URL)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="console-bench-"))
    started = time.perf_counter()
    store = team_store(args.store or work / "cases.db", args.cases)
    with open_store(store) as st:
        hashed = hash_password(PASSWORD)
        for name, role in (("ana", "analyst"), ("rita", "reviewer")):
            st.add_user(name, role, hashed, "bench")
        for _ in range(20):
            st.claim_next("ana", "run-1")
        key, _ = st.create_api_key("ana", "bench", timedelta(days=1), "bench")
    print(f"store of {args.cases:,} cases built in {time.perf_counter() - started:.1f} s")
    server, base = serve(store)
    try:
        with httpx.Client(base_url=base, follow_redirects=False) as c:
            c.post("/login", data={"username": "ana", "password": PASSWORD})
            token = re.search(r'name="csrf" value="([^"]+)"', c.get("/").text)
            assert token, "not signed in"
            api = {"authorization": f"Bearer {key}"}
            deep = args.cases // 2
            rows = [
                ("floor: GET /static/console.css", "/static/console.css", {}),
                ("queue page (open)", "/", {}),
                ("queue page, deep (after rank N/2)", f"/?after={deep}", {}),
                ("queue page, priority=critical", "/?priority=critical", {}),
                ("queue page, view=mine", "/?view=mine", {}),
                ("queue page, rule filter", "/?rule=shared-payment-card", {}),
                ("queue page, q= one case", f"/?q=tenant+{args.cases - 1}+", {}),
                ("queue page, q= a prefix", f"/?q=tenant+{args.cases // 10}", {}),
                ("queue page, q= every case", "/?q=compute+ltd", {}),
                ("queue page, q= no case", "/?q=zzzz", {}),
                ("case page", "/cases/C-000123", {}),
                ("API list", "/api/v1/cases", {"headers": api}),
                ("API list, deep cursor", f"/api/v1/cases?after={deep}", {"headers": api}),
            ]
            print(
                f"load average {os.getloadavg()[0]:.2f}; {args.repeat} requests each, milliseconds"
            )
            print(f"{'request':<40} {'median':>8} {'p95':>8}")
            for label, url, kw in rows:
                median, p95 = timed(c, url, args.repeat, **kw)
                print(f"{label:<40} {median:8.1f} {p95:8.1f}")
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
