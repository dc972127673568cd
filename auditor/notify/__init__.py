"""Notifications: events a run writes into the store's outbox, and the sender that delivers them.

`events` builds the messages (a pure function of the run); `sender` delivers what the
outbox holds through the channels registered in `channels.CHANNELS` (webhook, slack,
teams, email), with retries, backoff and a dead state; `config` is the `notify:` section.
"""
