"""Outbound HTTP with a timeout, on the standard library (no requests dependency).

``post`` returns every HTTP answer, 2xx or not, as a ``Response``; it raises ``HttpError``
only when no answer came (refused, unreachable, timed out). Redirects are not followed, and
only http(s) URLs are accepted.
"""

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

USER_AGENT = "Accord (+https://github.com/accord-slm)"
MAX_BODY = 64 * 1024  # read at most this much of an answer


class HttpError(Exception):
    """No HTTP answer: connection refused, DNS failure, timeout."""

    def __init__(self, message: str, *, timeout: bool = False):
        super().__init__(message)
        self.message = message
        self.timeout = timeout


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def text(self, limit: int = 200) -> str:
        return self.body[:limit].decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx answer is returned to the caller as it is


_opener = urllib.request.build_opener(_NoRedirect)


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host; ValueError otherwise."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST ``body`` to ``url``; wait at most ``timeout`` seconds for each network step."""
    check_url(url)
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("User-Agent", USER_AGENT)
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with _opener.open(request, timeout=timeout) as answer:
            return Response(answer.status, answer.read(MAX_BODY))
    except urllib.error.HTTPError as exc:
        with exc:
            return Response(exc.code, exc.read(MAX_BODY) if exc.fp else b"")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise HttpError(f"timed out after {timeout:g} s", timeout=True) from exc
        raise HttpError(f"connection failed: {exc.reason}") from exc
    except TimeoutError as exc:
        raise HttpError(f"timed out after {timeout:g} s", timeout=True) from exc
    except (OSError, http.client.HTTPException) as exc:  # reset by peer, bad answer, ...
        raise HttpError(f"connection failed: {exc}") from exc
