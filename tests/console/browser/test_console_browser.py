"""The console in Debian's headless Chromium, driven by Playwright (no browser download).

Log in, filter, take the next case, comment, dismiss; a second user approves and the case
leaves the queue; no CSP violation is reported on the browser console; a screenshot of each
page is taken and checked for its content. Skips, saying so, without chromium or Playwright.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium; .ci/run does this)",
)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (the dev extra has it)"
)

from auditor.console.app import create_app  # noqa: E402
from auditor.console.common import ConsoleConfig  # noqa: E402
from auditor.store import open_store  # noqa: E402
from console_testkit import PASSWORD  # noqa: E402

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(store_path):
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        create_app(ConsoleConfig(store=str(store_path))),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    # localhost is a secure context to Chromium, so the Secure __Host- cookie is kept over plain HTTP.
    yield f"http://localhost:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def shot(page, tmp_path, name: str, must_show: list[str]) -> None:
    """A screenshot checked for its content; CONSOLE_SCREENSHOTS=DIR keeps a copy (docs/console/ is made so)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000, name
    text = page.inner_text("body")
    for expected in must_show:
        assert expected in text, (name, expected)
    keep = os.environ.get("CONSOLE_SCREENSHOTS")
    if keep:
        shutil.copy(path, Path(keep) / path.name)


def test_login_filter_next_comment_dismiss_approve_and_the_case_leaves_the_queue(
    server, store_path, tmp_path
):
    messages: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for name in ("ana", "rita"):
                context = browser.new_context(viewport={"width": 1300, "height": 900})
                page = context.new_page()
                page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
                page.goto(server + "/")
                assert page.url.endswith("/login")
                shot(page, tmp_path, f"login-{name}", ["Sign in"])
                page.fill("input[name=username]", name)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(server + "/")
                if name == "ana":
                    page.select_option("select[name=priority]", "critical")
                    page.click("text=Filter")
                    page.wait_for_url("**priority=critical**")
                    shot(page, tmp_path, "queue-critical", ["C-000000", "critical"])
                    assert "C-000002" not in page.inner_text("tbody")
                    colour = page.locator(".badge.p-critical").first.evaluate(
                        "e => getComputedStyle(e).backgroundColor"
                    )
                    assert colour == "rgb(176, 0, 32)"  # the stylesheet loaded under the CSP
                    page.click("#next-case")
                    page.wait_for_load_state()
                    assert "/cases/C-000000" in page.url, (page.url, page.inner_text("body")[:300])
                    page.fill("textarea[name=body]", "called the account team")
                    page.click("#comment")
                    page.wait_for_url("**notice=comment**")
                    page.select_option("select[name=status]", "dismissed")
                    page.select_option("select[name=reason_code]", "known research lab")
                    page.click("#decide")
                    page.wait_for_url("**notice=decision**")
                    shot(
                        page,
                        tmp_path,
                        "case-pending",
                        ["waits for a reviewer", "called the account team", "Pending review"],
                    )
                    # The text search, through the index, from the queue's form.
                    page.goto(server + "/")
                    page.fill("input[name=q]", "tenant 5 ")
                    page.click("text=Filter")
                    page.wait_for_url("**q=tenant**")
                    assert "C-000005" in page.inner_text("tbody")
                    assert "C-000006" not in page.inner_text("tbody")
                    # An allowlist entry proposed from a case, and its sign-in countries chart.
                    page.goto(server + "/cases/C-000005")
                    assert page.locator("#signin-chart svg rect").count() >= 1
                    page.fill("#allowlist-reason", "reseller vetted in SEC-42")
                    page.click("#propose-allowlist")
                    page.wait_for_url("**notice=allowlist**")
                    shot(
                        page,
                        tmp_path,
                        "case-allowlist",
                        ["waits for a reviewer", "Sign-in countries", "console:1 (pending)"],
                    )
                else:
                    assert "C-000000" in page.inner_text("tbody")  # pending: still in the queue
                    page.goto(server + "/cases/C-000000")
                    page.click("#approve")
                    page.wait_for_url("**notice=review**")
                    shot(page, tmp_path, "case-approved", ["approved by rita"])
                    page.goto(server + "/")
                    shot(page, tmp_path, "queue-after", ["C-000001"])
                    assert "C-000000" not in page.inner_text("tbody")
                    page.goto(server + "/allowlist")
                    page.click("#approve-entry-1")
                    page.wait_for_url("**notice=allowlist**")
                    shot(page, tmp_path, "allowlist", ["console:1", "in force", "rita"])
                context.close()
        finally:
            browser.close()
    assert not [m for m in messages if "Content Security Policy" in m or "Refused to" in m], (
        messages
    )
    with open_store(store_path) as st:
        (decision,) = st.decisions("C-000000")
        assert (decision.by, decision.approved_by) == ("ana", "rita")
        (entry,) = st.allowlist_proposals()
        assert (entry.proposed_by, entry.reviewed_by, entry.state) == ("ana", "rita", "approved")
        assert st.verify().ok
