"""Slack incoming webhooks: a `text` fallback (notifications, screen readers) and Block Kit `blocks`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from auditor.notify.config import SlackChannel
from auditor.notify.http import post_json
from auditor.notify.secrets import channel_url
from auditor.notify.text import message_text
from auditor.store.outbox import OutboxMessage

MAX_SECTION = 2900  # Slack refuses a section text over 3,000 characters


def mrkdwn(text: str) -> str:
    """Slack's three control characters escaped, so no tenant text becomes a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(message: OutboxMessage) -> dict[str, Any]:
    text = message_text(message.kind, message.payload)
    body = "\n".join(mrkdwn(line) for line in text.lines)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": text.title[:150]}},
    ]
    if body:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:MAX_SECTION]}})
    if text.links:
        links = " ".join(f"<{url}|{mrkdwn(label)}>" for label, url in text.links)
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": links[:MAX_SECTION]}]}
        )
    return {"text": text.title, "blocks": blocks}


def deliver_slack(channel: SlackChannel, message: OutboxMessage, at: datetime) -> None:
    body = json.dumps(slack_body(message), ensure_ascii=False).encode("utf-8")
    post_json(channel_url(channel), body, {}, channel.timeout_seconds)
