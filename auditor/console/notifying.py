"""The console's notifications (issue 20): who hears of an assignment or a decision waiting for review.

Routes pass `announce(request)` to the store call that records the work; the store writes
the messages into the outbox in the same transaction (notify/work_events.py). After the
response has gone, one sender pass delivers what is due (notify/sender.py), so the
analyst never waits on a chat webhook; what fails stays in the outbox for its retries and
`auditor notify drain`. One pass at a time per console process; a pass in another
process (a second replica, `notify drain`) may resend a message, under the same event id.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from auditor.console.common import ConsoleConfig, config_of
from auditor.notify.work_events import announcer
from auditor.store import open_store
from auditor.store.outbox import Announce

log = logging.getLogger("auditor.console")
_ONE_PASS = threading.Lock()


def announce(request: Request) -> Announce | None:
    """The announcer for this request's work (None without channels); marks the request for a sender pass."""
    found = announcer(config_of(request).notify)
    if found is not None:
        request.state.announced = True
    return found


def deliver_after(request: Request, response: Response) -> Response:
    """Schedules one sender pass after `response` when the request announced something."""
    if getattr(request.state, "announced", False):
        response.background = BackgroundTask(drain_now, config_of(request))
    return response


def drain_now(config: ConsoleConfig) -> None:
    """One sender pass over the outbox; failures are the outbox's to retry, never the request's."""
    from auditor.notify.sender import drain

    with _ONE_PASS:
        try:
            st: Any = open_store(config.store)
        except Exception as exc:  # noqa: BLE001 - logged; the messages wait in the outbox
            log.warning("event=notify_pass_failed error=%s", type(exc).__name__)
            return
        try:
            report = drain(st, config.notify)
            log.info(
                "event=notify_pass delivered=%d retrying=%d dead=%d",
                len(report.delivered),
                len(report.retrying),
                len(report.dead),
            )
        except Exception as exc:  # noqa: BLE001
            log.warning("event=notify_pass_failed error=%s", type(exc).__name__)
        finally:
            st.close()
