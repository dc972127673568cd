"""`auditor notify test --channel NAME`: a ping now, exit 0 / 3, and a located mistake for an unknown name."""

from __future__ import annotations

from notify_receivers import SECRET

from auditor_testkit import assert_no_traceback


def config(tmp_path, url):
    path = tmp_path / "audit.yaml"
    path.write_text(
        "notify:\n"
        "  - name: soc\n    kind: webhook\n"
        f"    url: {url}/hook\n    secret_env: AUDITOR_WEBHOOK_SECRET\n"
        "  - name: chat\n    kind: slack\n    url_env: AUDITOR_SLACK_URL\n"
    )
    return path


def test_a_ping_reaches_the_channel(tmp_path, receiver, cli, monkeypatch):
    monkeypatch.setenv("AUDITOR_WEBHOOK_SECRET", SECRET)
    code, out, err = cli(
        "notify", "test", "--config", config(tmp_path, receiver.url), "--channel", "soc"
    )
    assert code == 0, out + err
    assert "delivered to channel soc (webhook)" in out
    (got,) = receiver.deliveries
    assert got.verified and got.json()["type"] == "auditor.ping"


def test_an_unknown_channel_is_named_with_the_configured_ones(tmp_path, cli):
    code, out, err = cli(
        "notify", "test", "--config", config(tmp_path, "http://127.0.0.1:9"), "--channel", "sco"
    )
    assert code == 2 and "no channel named 'sco'" in err and "did you mean 'soc'" in err
    assert "configured: chat, soc" in err


def test_a_channel_that_fails_exits_3_saying_why_without_its_secret(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("AUDITOR_SLACK_URL", "http://127.0.0.1:9/services/T/B/very-secret-token")
    code, out, err = cli(
        "notify", "test", "--config", config(tmp_path, "http://127.0.0.1:9"), "--channel", "chat"
    )
    assert code == 3 and "channel chat (slack)" in err
    assert "very-secret-token" not in out + err
    assert "<urlopen error" not in err  # the network's reason, not urllib's wrapper text
    assert_no_traceback(err)
    monkeypatch.delenv("AUDITOR_WEBHOOK_SECRET", raising=False)
    code, out, err = cli(
        "notify", "test", "--config", config(tmp_path, "http://127.0.0.1:9"), "--channel", "soc"
    )
    assert code == 3 and "AUDITOR_WEBHOOK_SECRET is not set" in err
