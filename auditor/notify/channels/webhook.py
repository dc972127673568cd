"""The generic webhook: the event as JSON (`type`, `timestamp`, `data`), signed as Standard Webhooks are.

The `webhook-id` is the outbox event id and the channel's name (`run-digest.RUN.soc`), the
same on every retry, so a receiver that deduplicates on it processes each event once however
often it is redelivered, and two channels pointed at one receiver are still two messages.
The body's `event_id` is the bare event id, for receivers that correlate across channels.
"""

from __future__ import annotations

import json
from datetime import datetime

from auditor.notify.config import WebhookChannel
from auditor.notify.http import post_json
from auditor.notify.secrets import channel_url, read_secret, signing_keys
from auditor.notify.signing import webhook_headers
from auditor.store.outbox import OutboxMessage


def webhook_id(message: OutboxMessage) -> str:
    return f"{message.event_id}.{message.channel}"


def webhook_body(message: OutboxMessage) -> bytes:
    created = message.created_at.isoformat() if message.created_at else None
    return json.dumps(
        {
            "type": f"auditor.{message.kind}",
            "timestamp": created,
            "event_id": message.event_id,
            "data": message.payload,
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")


def deliver_webhook(channel: WebhookChannel, message: OutboxMessage, at: datetime) -> None:
    url = channel_url(channel)
    keys = signing_keys(read_secret(channel.secret_env, channel.secret_file, "signing secret"))
    body = webhook_body(message)
    post_json(
        url,
        body,
        webhook_headers(keys, webhook_id(message), int(at.timestamp()), body),
        channel.timeout_seconds,
    )
