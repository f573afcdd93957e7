"""The transport interface every channel kind implements, and the HTTP base class.

A transport is built for one delivery: ``Transport(channel, at)``, where ``at`` is the instant
of sending (webhooks sign it). It has two methods: ``clean_config(config)`` (a classmethod:
the normalised config, or InvalidInput naming the ``config.<key>``) and ``notify(notification)``
(returns the HTTP status when there is one; raises TransportError on failure).
"""

import json
from datetime import datetime
from urllib.parse import urlsplit

from accord.lib import http
from accord.lib.errors import InvalidInput

DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 30.0  # must stay well below the worker's lease (ACCORD_DELIVERY_LEASE)


class TransportError(Exception):
    """A failed delivery. ``permanent`` errors are not retried (the request itself is wrong)."""

    def __init__(self, message: str, *, permanent: bool = False, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status_code = status_code


class Transport:
    secret_keys: tuple[str, ...] = ()

    def __init__(self, channel, at: datetime):
        self.channel = channel
        self.config = channel.config
        self.at = at

    @classmethod
    def clean_config(cls, config: dict) -> dict:
        raise NotImplementedError

    @classmethod
    def redact(cls, config: dict) -> dict:
        """The config as the API shows it: secrets replaced by whether they are set."""
        return {k: ("set" if k in cls.secret_keys and v else v) for k, v in config.items()}

    def notify(self, notification) -> int | None:
        raise NotImplementedError


def require_keys(config, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(config, dict):
        raise InvalidInput("config must be a JSON object", field="config")
    unknown, missing = sorted(set(config) - allowed), sorted(required - set(config))
    if unknown:
        raise InvalidInput(f"unknown key {unknown[0]!r}", field=f"config.{unknown[0]}")
    if missing:
        raise InvalidInput(f"{missing[0]} is required", field=f"config.{missing[0]}")
    return dict(config)


def clean_url(config: dict, key: str = "url") -> str:
    url = config.get(key)
    try:
        return http.check_url(url if isinstance(url, str) else "")
    except ValueError:
        raise InvalidInput(f"{key} must be an http(s) URL, got {url!r}", field=f"config.{key}")


def clean_timeout(config: dict) -> float:
    value = config.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput("timeout must be a number of seconds", field="config.timeout")
    if not 0.1 <= value <= MAX_TIMEOUT:
        raise InvalidInput(
            f"timeout must lie between 0.1 and {MAX_TIMEOUT:g} seconds", field="config.timeout"
        )
    return float(value)


def url_origin(url: str) -> str:
    """Enough of a URL to recognise it, without the token that chat webhooks carry in the path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"


class HttpTransport(Transport):
    """POSTs JSON. 2xx = delivered; 408, 429, 5xx and network errors are retried; other
    answers (4xx, unfollowed 3xx) are permanent: the request itself is wrong."""

    def post_json(self, url: str, data: dict, headers: dict | None = None) -> int:
        body = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        return self.post(url, body, headers or {})

    def post(self, url: str, body: bytes, headers: dict) -> int:
        headers = {"Content-Type": "application/json", **headers}
        timeout = self.config.get("timeout", DEFAULT_TIMEOUT)
        try:
            response = http.post(url, body, headers, timeout=timeout)
        except http.HttpError as exc:
            raise TransportError(exc.message) from exc
        if response.ok:
            return response.status
        permanent = response.status < 500 and response.status not in (408, 429)
        detail = response.text().strip()
        message = f"HTTP {response.status}" + (f": {detail}" if detail else "")
        raise TransportError(message, permanent=permanent, status_code=response.status)
