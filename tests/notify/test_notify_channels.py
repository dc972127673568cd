"""Each channel against a real receiver on loopback: signatures checked by `standardwebhooks`, Slack
and Teams bodies as their services expect them, e-mail over STARTTLS with a plain and an HTML part."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timezone

import pytest
from notify_receivers import OLD_SECRET, SECRET, HttpReceiver
from standardwebhooks.webhooks import Webhook

from auditor.notify.channels.email import deliver_email
from auditor.notify.channels.slack import deliver_slack
from auditor.notify.channels.teams import deliver_teams
from auditor.notify.channels.webhook import deliver_webhook
from auditor.notify.config import EmailChannel, SlackChannel, TeamsChannel, WebhookChannel
from auditor.notify.secrets import DeliveryError
from auditor.store.outbox import OutboxMessage

NOW = datetime.now(timezone.utc)


def now() -> datetime:
    """The attempt's time: a signature older than 5 minutes fails verification, so never the import time."""
    return datetime.now(timezone.utc)


DIGEST = {
    "run_id": "20261201T000000Z-abc123",
    "as_of": "2026-12-01T00:00:00+00:00",
    "complete": True,
    "coverage_gaps": 0,
    "counts": {"new": 2, "escalated": 0, "resolved": 1, "suppressed": 0},
    "min_priority": "high",
    "cases": [
        {
            "case_id": "C-1",
            "status": "new",
            "priority": "critical",
            "score": 91.0,
            "rank": 1,
            "link": "https://console.example/cases/C-1",
        },
        {
            "case_id": "C-2",
            "status": "new",
            "priority": "high",
            "score": 70.5,
            "rank": 2,
            "names": ["<!channel> Acme & Co <script>"],
        },
    ],
    "cases_total": 2,
    "dead": [],
    "detail": "full",
}


def message(kind="run-digest", payload=DIGEST, event_id="run-digest.20261201T000000Z-abc123"):
    return OutboxMessage(event_id, "soc", kind, payload, created_at=NOW)


def webhook(url, **extra):
    return WebhookChannel(
        name="soc", kind="webhook", url=url, secret_env="AUDITOR_TEST_SECRET", **extra
    )


# ---- webhook ----------------------------------------------------------------------------------
def test_a_webhook_is_signed_as_standard_webhooks_verify_it(receiver, monkeypatch):
    monkeypatch.setenv("AUDITOR_TEST_SECRET", SECRET)
    deliver_webhook(webhook(receiver.url + "/hook"), message(), now())
    assert not receiver.rejected and len(receiver.deliveries) == 1
    got = receiver.deliveries[0]
    assert got.verified and got.headers["webhook-id"] == "run-digest.20261201T000000Z-abc123.soc"
    assert got.json()["type"] == "auditor.run-digest" and got.json()["data"] == DIGEST
    assert abs(int(got.headers["webhook-timestamp"]) - now().timestamp()) < 2


@pytest.mark.parametrize("receiver_secret", [SECRET, OLD_SECRET])
def test_while_a_key_rotates_both_keys_sign_and_either_receiver_accepts(
    receiver_secret, monkeypatch
):
    monkeypatch.setenv("AUDITOR_TEST_SECRET", f"{OLD_SECRET} {SECRET}")
    r = HttpReceiver(secret=receiver_secret).start()
    try:
        deliver_webhook(webhook(r.url), message(), now())
    finally:
        r.stop()
    assert len(r.deliveries) == 1 and not r.rejected
    signatures = r.deliveries[0].headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)


def test_a_wrong_key_or_a_changed_body_fails_verification(receiver, monkeypatch):
    monkeypatch.setenv("AUDITOR_TEST_SECRET", OLD_SECRET)  # the receiver knows only SECRET
    with pytest.raises(DeliveryError) as caught:
        deliver_webhook(webhook(receiver.url), message(), now())
    assert caught.value.permanent and "HTTP 401" in str(caught.value)
    bad = receiver.rejected[0]
    # The library itself, on a body with one byte changed, signed with the right key: refused.
    monkeypatch.setenv("AUDITOR_TEST_SECRET", SECRET)
    deliver_webhook(webhook(receiver.url), message(), now())
    good = receiver.deliveries[0]
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(SECRET).verify(good.body.replace(b"C-1", b"C-9"), good.headers)
    assert bad.body == good.body  # same body; only the key differed


def test_a_missing_secret_is_a_permanent_failure_that_names_the_variable_not_a_value(
    receiver, monkeypatch
):
    monkeypatch.delenv("AUDITOR_TEST_SECRET", raising=False)
    with pytest.raises(DeliveryError) as caught:
        deliver_webhook(webhook(receiver.url), message(), now())
    assert caught.value.permanent and "AUDITOR_TEST_SECRET is not set" in str(caught.value)
    assert not receiver.deliveries and not receiver.rejected  # nothing unsigned was sent


def test_a_server_error_is_retryable_and_the_error_hides_the_url_path(monkeypatch):
    monkeypatch.setenv("AUDITOR_TEST_SECRET", SECRET)
    r = HttpReceiver(fail=[503]).start()
    try:
        with pytest.raises(DeliveryError) as caught:
            deliver_webhook(webhook(r.url + "/T000/B000/secret-token"), message(), now())
    finally:
        r.stop()
    assert not caught.value.permanent and "HTTP 503" in str(caught.value)
    assert "secret-token" not in str(caught.value)


def test_a_secret_file_is_read_at_send_time(receiver, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    channel = WebhookChannel(name="soc", kind="webhook", url=receiver.url, secret_file=secret)
    deliver_webhook(channel, message(), now())
    assert receiver.deliveries[0].verified


# ---- slack and teams --------------------------------------------------------------------------
def test_slack_gets_text_and_blocks_with_tenant_text_escaped(plain_receiver, monkeypatch):
    monkeypatch.setenv("AUDITOR_SLACK_URL", plain_receiver.url + "/services/T/B/x")
    deliver_slack(
        SlackChannel(name="chat", kind="slack", url_env="AUDITOR_SLACK_URL"), message(), NOW
    )
    body = plain_receiver.deliveries[0].json()
    assert plain_receiver.deliveries[0].path == "/services/T/B/x"
    assert body["text"].startswith("auditor run 20261201T000000Z-abc123: 2 new or escalated")
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds == ["header", "section", "context"]
    section = body["blocks"][1]["text"]["text"]
    assert "C-1" in section and "&lt;!channel&gt; Acme &amp; Co &lt;script&gt;" in section
    assert "<!channel>" not in section  # no mention smuggled in through a tenant's name
    assert "<https://console.example/cases/C-1|C-1>" in body["blocks"][2]["elements"][0]["text"]


def test_teams_gets_a_message_with_an_adaptive_card(plain_receiver):
    deliver_teams(
        TeamsChannel(name="teams", kind="teams", url=plain_receiver.url), message(), now()
    )
    body = plain_receiver.deliveries[0].json()
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [b["text"] for b in card["body"]]
    assert texts[0].startswith("auditor run") and any("C-2" in t for t in texts)
    # a long line wraps in the card instead of being cut off at its edge
    assert all(b["wrap"] is True for b in card["body"])
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "C-1", "url": "https://console.example/cases/C-1"}
    ]


HOSTILE_NAME = (
    "**Acme** _Ltd_ [click me](https://evil.example) <b>x</b> &lt;script&gt; `code` "
    "{{DATE(2017-02-14T06:00:00Z, SHORT)}} ~~gone~~ a|b \\* back\n- item\r\n1. numbered\u2028# heading"
)


def rendered_text(markdown: str) -> tuple[str, str]:
    """(HTML, the text a reader sees) of card Markdown, by an independent CommonMark renderer."""
    import html
    import re

    from markdown_it import MarkdownIt

    out = MarkdownIt("commonmark").render(markdown)
    return out, html.unescape(re.sub(r"<[^>]+>", "", out)).strip()


@pytest.mark.parametrize(
    "hostile",
    [
        HOSTILE_NAME,
        "- starts a list",
        "1) starts a list",
        "## starts a heading",
        "    four spaces",
        "> quote",
    ],
)
def test_teams_full_detail_shows_a_hostile_tenant_name_as_the_text_it_is(plain_receiver, hostile):
    payload = {**DIGEST, "cases": [{**DIGEST["cases"][1], "names": [hostile]}], "cases_total": 1}
    deliver_teams(
        TeamsChannel(name="teams", kind="teams", url=plain_receiver.url, detail="full"),
        message(payload=payload),
        now(),
    )
    card = plain_receiver.deliveries[0].json()["attachments"][0]["content"]
    (line,) = [b["text"] for b in card["body"] if "C-2" in b["text"]]
    out, shown = rendered_text(line)
    # One paragraph of plain text: no emphasis, link, list, heading, code, quote or raw HTML.
    assert re.fullmatch(r"<p>[^<]*</p>\n", out), out
    flat = " ".join(hostile.replace("\r\n", " ").replace("\n", " ").replace("\u2028", " ").split())
    assert " ".join(shown.split()).endswith(flat.strip()), (shown, flat)
    assert "{{" not in line  # no Adaptive Card date function either


@pytest.mark.parametrize(
    "text, escaped",
    [
        ("- starts a list", "\\- starts a list"),
        ("+ starts a list", "\\+ starts a list"),
        ("## starts a heading", "\\## starts a heading"),
        ("12. starts a list", "12\\. starts a list"),
        ("3) starts a list", "3\\) starts a list"),
    ],
)
def test_teams_a_line_starting_like_a_block_is_escaped_at_its_marker(text, escaped):
    """A list, heading or numbered item marker at the start gets its backslash where
    CommonMark needs it (before a bullet or heading, after an item's number), and the card
    shows the text itself as one paragraph."""
    from auditor.notify.channels.teams import card_text

    assert card_text(text) == escaped
    out, shown = rendered_text(card_text(text))
    assert re.fullmatch(r"<p>[^<]*</p>\n", out) and shown == text, out


def test_teams_escaping_leaves_our_own_lines_readable():
    from auditor.notify.channels.teams import card_text

    assert card_text("#1 C-2 new critical 91.0") == "#1 C-2 new critical 91.0"
    assert rendered_text(card_text("#1 C-2 new critical 91.0"))[1] == "#1 C-2 new critical 91.0"


# ---- e-mail -----------------------------------------------------------------------------------
def mail_channel(smtp, **extra):
    return EmailChannel.model_validate(
        {
            "name": "mail",
            "kind": "email",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "tls_ca_file": str(smtp.cert),
            "from": "auditor@provider.example",
            "to": ["soc@provider.example", "lead@provider.example"],
            **extra,
        }
    )


def test_email_goes_over_starttls_with_a_plain_and_an_html_part(smtp):
    deliver_email(mail_channel(smtp), message(), now())
    (got,) = smtp.messages
    assert got["tls"] and got["to"] == ["soc@provider.example", "lead@provider.example"]
    parsed = email.message_from_bytes(got["data"], policy=email.policy.default)
    assert parsed["Subject"].startswith("auditor run 20261201T000000Z-abc123")
    assert parsed["X-Auditor-Event-Id"] == "run-digest.20261201T000000Z-abc123"
    plain = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "C-1" in plain and "https://console.example/cases/C-1" in plain
    assert "&lt;script&gt;" in html and "<script>" not in html
    again = email_id = parsed["Message-ID"]
    deliver_email(mail_channel(smtp), message(), now())
    again = email.message_from_bytes(smtp.messages[1]["data"], policy=email.policy.default)[
        "Message-ID"
    ]
    assert again == email_id  # a redelivery is recognisably the same message


def test_email_refuses_a_server_whose_certificate_it_cannot_check(smtp):
    channel = mail_channel(smtp).model_copy(update={"tls_ca_file": None})
    with pytest.raises(DeliveryError, match="SSL"):
        deliver_email(channel, message(), now())
    assert not smtp.messages


def test_email_without_starttls_is_refused_for_a_remote_server():
    with pytest.raises(ValueError, match="starttls: false is allowed only for a loopback"):
        EmailChannel.model_validate(
            {
                "name": "m",
                "kind": "email",
                "smtp_host": "mail.example.com",
                "starttls": False,
                "from": "a@b",
                "to": ["c@d"],
            }
        )


@pytest.mark.parametrize(
    "extra, refused",
    [
        ({"password_env": "SMTP_PASSWORD"}, "a password needs a username"),
        ({"password_file": "/run/secrets/smtp"}, "a password needs a username"),
        ({"username": "auditor", "password_env": "SMTP_PASSWORD"}, None),
        ({"username": "auditor", "password_file": "/run/secrets/smtp"}, None),
        ({"username": "auditor"}, None),  # a server that takes the user alone
        ({}, None),  # no login at all
        (
            {"username": "a", "password_env": "P", "password_file": "/run/secrets/smtp"},
            "at most one of password_env, password_file",
        ),
    ],
)
def test_an_email_password_needs_a_username_and_one_source(extra, refused):
    """A password with no user to log in as is a config mistake caught at load, not at the
    first SMTP AUTH after a run; a user with a password, or alone, or neither, loads."""
    spec = {"name": "m", "kind": "email", "smtp_host": "mail.example.com", "from": "a@b"}
    spec |= {"to": ["c@d"], **extra}
    if refused is None:
        assert EmailChannel.model_validate(spec).username == extra.get("username")
    else:
        with pytest.raises(ValueError, match=refused):
            EmailChannel.model_validate(spec)
