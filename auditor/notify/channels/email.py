"""E-mail over SMTP: STARTTLS before any login or content, and a plain-text and an HTML part.

The Message-ID is derived from the event id, so a redelivered message is recognisably the
same one to a mail system or a reader that deduplicates on it.
"""

from __future__ import annotations

import hashlib
import html
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from auditor.notify.config import EmailChannel
from auditor.notify.secrets import DeliveryError, read_secret
from auditor.notify.text import message_text
from auditor.store.outbox import OutboxMessage


def email_message(channel: EmailChannel, message: OutboxMessage, at: datetime) -> EmailMessage:
    text = message_text(message.kind, message.payload)
    mail = EmailMessage()
    mail["Subject"] = text.title
    mail["From"] = channel.mail_from
    mail["To"] = ", ".join(channel.mail_to)
    mail["Date"] = format_datetime(at)
    domain = channel.mail_from.rpartition("@")[2] or "auditor.invalid"
    mail["Message-ID"] = f"<{hashlib.sha256(message.event_id.encode()).hexdigest()[:32]}@{domain}>"
    mail["X-Auditor-Event-Id"] = message.event_id
    links = [f"{label}: {url}" for label, url in text.links]
    mail.set_content("\n".join([*text.lines, *links]) + "\n")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in text.lines)
    anchors = "".join(
        f'<li><a href="{html.escape(url, quote=True)}">{html.escape(label)}</a></li>'
        for label, url in text.links
    )
    mail.add_alternative(
        f"<!doctype html><html><body><h2>{html.escape(text.title)}</h2><ul>{items}</ul>"
        + (f"<ul>{anchors}</ul>" if anchors else "")
        + "</body></html>",
        subtype="html",
    )
    return mail


def deliver_email(channel: EmailChannel, message: OutboxMessage, at: datetime) -> None:
    mail = email_message(channel, message, at)
    password = (
        read_secret(channel.password_env, channel.password_file, "SMTP password")
        if channel.password_env or channel.password_file
        else None
    )
    try:
        with smtplib.SMTP(
            channel.smtp_host, channel.smtp_port, timeout=channel.timeout_seconds
        ) as smtp:
            smtp.ehlo()
            if channel.starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        f"SMTP {channel.smtp_host}:{channel.smtp_port} does not offer STARTTLS"
                    )
                context = ssl.create_default_context(
                    cafile=str(channel.tls_ca_file) if channel.tls_ca_file else None
                )
                smtp.starttls(context=context)
                smtp.ehlo()
            if channel.username and password is not None:
                smtp.login(channel.username, password)
            smtp.send_message(mail)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP login refused ({exc.smtp_code})", permanent=True) from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError("SMTP server refused every recipient", permanent=True) from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise DeliveryError(
            f"SMTP {channel.smtp_host}:{channel.smtp_port}: {type(exc).__name__}: {exc}"
        ) from None
