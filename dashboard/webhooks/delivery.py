"""One attempt: the stored body, signed per Standard Webhooks (the standardwebhooks package),
POSTed to the address the guard checked, with timeouts, no redirects, and the answer's body
unread. The answer's status is all that counts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import urllib.parse

import httpx
import standardwebhooks

from dashboard.webhooks import guard

USER_AGENT = "dashboard-webhooks/1"


@dataclasses.dataclass(frozen=True)
class Timeouts:
    connect: float = 3.0
    read: float = 5.0

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(self.read, connect=self.connect)


@dataclasses.dataclass(frozen=True)
class Outcome:
    status_code: int | None  # None: no answer (refused, unreachable, timed out)
    error: str = ""
    refused: bool = False  # the guard would not let it go to that address


def signed_headers(secret: str, message_id: str, at: dt.datetime, body: str) -> dict[str, str]:
    signature = standardwebhooks.Webhook(secret).sign(message_id, at, body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def attempt(
    url: str, secret: str, message_id: str, body: str, at: dt.datetime,
    allow_private: bool, timeouts: Timeouts,
) -> Outcome:  # fmt: skip
    """POST the body once. The name is resolved and checked here, and the connection goes to
    that address (with the name as Host and, for https, as SNI and the certificate's name)."""
    problem = guard.url_problem(url, allow_private)
    if problem:
        return Outcome(None, f"refused: the address {problem}", refused=True)
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        address = guard.resolve(host, port, allow_private)
    except guard.Refused as error:
        return Outcome(None, f"refused: {error}", refused=True)
    target = httpx.URL(url).copy_with(host=address)
    headers = {
        "host": parts.netloc.rpartition("@")[2],
        **signed_headers(secret, message_id, at, body),
    }
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    try:
        with httpx.Client(timeout=timeouts.httpx(), follow_redirects=False, trust_env=False) as c:
            request = c.build_request(
                "POST", target, content=body.encode(), headers=headers, extensions=extensions
            )
            response = c.send(request, stream=True)  # the status is enough: no body is read
            response.close()
    except httpx.TimeoutException:
        return Outcome(None, "timed out")
    except httpx.HTTPError as error:
        return Outcome(None, f"{type(error).__name__}: {error}")
    return Outcome(response.status_code)
