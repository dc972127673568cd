"""Fixtures for the notification tests: loopback receivers, started and stopped per test."""

from __future__ import annotations

import pytest
from notify_receivers import HttpReceiver, SmtpReceiver


@pytest.fixture
def receiver():
    r = HttpReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def plain_receiver():
    """No signature check: Slack and Teams webhooks are not signed."""
    r = HttpReceiver(secret=None).start()
    yield r
    r.stop()


@pytest.fixture
def smtp(tmp_path):
    r = SmtpReceiver(tmp_path).start()
    yield r
    r.stop()
