"""The channel registry: each `kind:` of the `notify:` config maps to the function that delivers to it.

One module per channel, like report/'s renderers. A delivery function takes the channel's
config, the outbox message and the attempt's time, and returns or raises DeliveryError.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from auditor.notify.channels.email import deliver_email
from auditor.notify.channels.slack import deliver_slack
from auditor.notify.channels.teams import deliver_teams
from auditor.notify.channels.webhook import deliver_webhook
from auditor.store.outbox import OutboxMessage

Deliver = Callable[[Any, OutboxMessage, datetime], None]

CHANNELS: dict[str, Deliver] = {
    "webhook": deliver_webhook,
    "slack": deliver_slack,
    "teams": deliver_teams,
    "email": deliver_email,
}
