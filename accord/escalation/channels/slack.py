"""Slack incoming webhook. Config: ``url`` (the webhook URL Slack gave), ``timeout``."""

from .base import HttpTransport, clean_timeout, clean_url, require_keys, url_origin

MAX_SECTION = 2900  # Slack refuses section texts over 3000 characters


def slack_message(notification) -> dict:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": notification.subject[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": notification.body[:MAX_SECTION]}},
    ]
    level = notification.payload.get("level")
    if level:
        context = f"Escalation {level} · {notification.idempotency_key}"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    # "text" is the fallback shown in notifications and by clients without blocks.
    return {"text": f"{notification.subject}\n{notification.body}", "blocks": blocks}


class SlackTransport(HttpTransport):
    @classmethod
    def clean_config(cls, config):
        config = require_keys(config, {"url", "timeout"}, {"url"})
        return {"url": clean_url(config), "timeout": clean_timeout(config)}

    @classmethod
    def redact(cls, config):
        return {**config, "url": url_origin(config.get("url", ""))}

    def notify(self, notification):
        return self.post_json(self.config["url"], slack_message(notification))
