"""Microsoft Teams: an Adaptive Card posted to a Teams workflow ("Post to a channel when a
webhook request is received"). Config: ``url``, ``timeout``."""

from .base import HttpTransport, clean_timeout, clean_url, require_keys, url_origin

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def teams_message(notification) -> dict:
    body = [
        {"type": "TextBlock", "text": notification.subject, "weight": "Bolder",
         "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": notification.body, "wrap": True},
    ]
    level = notification.payload.get("level")
    if level:
        body.append({"type": "FactSet", "facts": [{"title": "Level", "value": level}]})
    card = {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": "1.4", "body": body}
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


class TeamsTransport(HttpTransport):
    @classmethod
    def clean_config(cls, config):
        config = require_keys(config, {"url", "timeout"}, {"url"})
        return {"url": clean_url(config), "timeout": clean_timeout(config)}

    @classmethod
    def redact(cls, config):
        return {**config, "url": url_origin(config.get("url", ""))}

    def notify(self, notification):
        return self.post_json(self.config["url"], teams_message(notification))
