"""A small JSON-over-HTTP client for desk APIs: timeouts, basic or bearer auth, and rate
limits (a 429's Retry-After is waited out, a bounded number of times, each wait bounded)."""

import base64
import json
import time
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urljoin

from accord.lib.http import USER_AGENT

MAX_RETRIES = 5  # 429 answers in a row before giving up
MAX_WAIT = 120.0  # seconds: a longer Retry-After is cut to this


class SyncError(Exception):
    """The desk did not answer as expected (the cursor keeps what was stored before)."""


def auth_header(credentials: dict, kind: str = "") -> dict[str, str]:
    """Basic auth from username/password or email/api_token (Zendesk: email + "/token");
    a bearer token from ``token`` (Zammad's access tokens: ``Token token=...``); GLPI's
    ``user_token`` (``Authorization: user_token ...``) and ``app_token`` (``App-Token``)."""
    extra = {"App-Token": credentials["app_token"]} if credentials.get("app_token") else {}
    if credentials.get("user_token"):
        return {"Authorization": f"user_token {credentials['user_token']}", **extra}
    if credentials.get("token"):
        if kind == "zammad":
            return {"Authorization": f"Token token={credentials['token']}"}
        return {"Authorization": f"Bearer {credentials['token']}"}
    user = credentials.get("username") or credentials.get("email")
    secret = credentials.get("password") or credentials.get("api_token")
    if user and secret:
        raw = f"{user}:{secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode(), **extra}
    return extra


def retry_after(value: str | None, now: float) -> float:
    if not value:
        return 1.0
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError):
            return 1.0


class Client:
    def __init__(self, base_url: str, credentials: dict | None = None, *, kind: str = "",
                 timeout=30.0, sleep=time.sleep, max_retries=MAX_RETRIES, max_wait=MAX_WAIT):
        if not base_url:
            raise SyncError("the connector has no base_url: set the desk's address first")
        self.base_url = base_url.rstrip("/") + "/"
        self.headers = {"Accept": "application/json", "User-Agent": USER_AGENT,
                        **auth_header(credentials or {}, kind)}
        self.timeout, self.sleep = timeout, sleep
        self.max_retries, self.max_wait = max_retries, max_wait
        self.waited: list[float] = []
        self.last_headers: dict[str, str] = {}  # of the last answer (GLPI's Content-Range)

    def url(self, path: str, params: dict | None = None) -> str:
        url = path if path.startswith(("http://", "https://")) else urljoin(self.base_url,
                                                                             path.lstrip("/"))
        return f"{url}?{urlencode(params)}" if params else url

    def get(self, path: str, params: dict | None = None) -> dict:
        url = self.url(path, params)
        for _ in range(self.max_retries + 1):
            request = urllib.request.Request(url, headers=self.headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    body = answer.read()
                    self.last_headers = dict(answer.headers.items())
            except urllib.error.HTTPError as exc:
                with exc:
                    if exc.code == 429:
                        wait = min(retry_after(exc.headers.get("Retry-After"), time.time()),
                                   self.max_wait)
                        self.waited.append(wait)
                        self.sleep(wait)
                        continue
                    detail = exc.read(300).decode("utf-8", "replace") if exc.fp else ""
                    raise SyncError(f"GET {url}: HTTP {exc.code} {detail}".strip()) from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise SyncError(f"GET {url}: {getattr(exc, 'reason', exc)}") from None
            try:
                return json.loads(body)
            except ValueError:
                raise SyncError(f"GET {url}: the answer is not JSON") from None
        raise SyncError(f"GET {url}: still rate limited after {self.max_retries} waits")
