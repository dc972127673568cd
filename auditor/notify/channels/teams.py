"""Microsoft Teams Workflows webhooks: a `message` whose attachment is an Adaptive Card (schema 1.4)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from auditor.notify.config import TeamsChannel
from auditor.notify.http import post_json
from auditor.notify.secrets import channel_url
from auditor.notify.text import message_text
from auditor.store.outbox import OutboxMessage

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def teams_body(message: OutboxMessage) -> dict[str, Any]:
    text = message_text(message.kind, message.payload)
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": text.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    # Adaptive Card text renders a Markdown subset: plain lines, each its own block, say what they say.
    body += [
        {"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"} for line in text.lines
    ]
    card: dict[str, Any] = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if text.links:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": label, "url": url} for label, url in text.links[:5]
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def deliver_teams(channel: TeamsChannel, message: OutboxMessage, at: datetime) -> None:
    body = json.dumps(teams_body(message), ensure_ascii=False).encode("utf-8")
    post_json(channel_url(channel), body, {}, channel.timeout_seconds)
