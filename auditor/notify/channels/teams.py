"""Microsoft Teams Workflows webhooks: a `message` whose attachment is an Adaptive Card (schema 1.4).

A TextBlock's text is Markdown (a CommonMark subset: bold, italic, lists, links) and is
also scanned for `{{DATE(...)}}` / `{{TIME(...)}}` functions, so tenant-supplied text in a
`full` channel is escaped here: a name cannot become a link, a list, emphasis or a date.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from auditor.notify.config import TeamsChannel
from auditor.notify.http import post_json
from auditor.notify.secrets import channel_url
from auditor.notify.text import message_text
from auditor.store.outbox import OutboxMessage

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# Characters with a Markdown meaning anywhere in a line (emphasis, code, links, autolinks and
# HTML, entities, tables, strikethrough) or that open an Adaptive Card function (`{{`).
INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>{}~|&!])")
# What a line may start with to become a block: a list item or a break, a quote, a heading
# (`#` then a space: the digest's `#1 C-...` lines are not headings), an ordered list item.
BLOCK_START = re.compile(r"^(?:([-+>]|#{1,6}(?=[ \t]|$))|(\d+)([.)]))")
LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def card_text(text: str) -> str:
    """Plain text as Adaptive Card Markdown that shows exactly that text, on one line.

    CommonMark backslash escapes: every inline marker anywhere, and a block marker at the
    start; line breaks become spaces, since a new line could start a list of its own, and
    leading spaces go, since four of them would start a code block.
    """
    escaped = INLINE_SPECIAL.sub(r"\\\1", LINE_BREAKS.sub(" ", text).lstrip())
    return BLOCK_START.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else f"{m.group(2)}\\{m.group(3)}",
        escaped,
        count=1,
    )


def teams_body(message: OutboxMessage) -> dict[str, Any]:
    text = message_text(message.kind, message.payload)
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": card_text(text.title),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    # Adaptive Card text renders a Markdown subset: each line its own block, escaped, says what it says.
    body += [
        {"type": "TextBlock", "text": card_text(line), "wrap": True, "spacing": "Small"}
        for line in text.lines
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
