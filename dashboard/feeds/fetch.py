"""Downloading a feed: a conditional GET with the last ETag and Last-Modified, connect and read
timeouts plus a cap on the whole download, and a size cap counted as the bytes arrive."""

from __future__ import annotations

import dataclasses
import time

import httpx

from dashboard.core.numbers import whole_number
from dashboard.version import DISTRIBUTION, HOMEPAGE, VERSION

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
USER_AGENT = f"{DISTRIBUTION}/{VERSION} (polling its feeds; +{HOMEPAGE})"


class FeedError(Exception):
    """Why a feed could not be read this time; shown in the admin as its last error."""


@dataclasses.dataclass
class Download:
    status: int
    body: bytes = b""
    content_type: str = ""
    url: str = ""
    etag: str | None = None
    last_modified: str | None = None


def download(url: str, etag: str | None, last_modified: str | None, config) -> Download:
    headers = {"Accept": ACCEPT, "User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(
        connect=config["FEED_CONNECT_TIMEOUT"],
        read=config["FEED_READ_TIMEOUT"],
        write=config["FEED_READ_TIMEOUT"],
        pool=config["FEED_CONNECT_TIMEOUT"],
    )
    cap = int(config["FEED_MAX_BYTES"])
    started = time.monotonic()
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code == 304:
                return Download(status=304, url=str(response.url))
            if response.status_code != 200:
                phrase = response.reason_phrase or ""
                raise FeedError(f"the server answered HTTP {response.status_code} {phrase}".strip())
            declared = whole_number(response.headers.get("content-length", ""))
            if declared is not None and declared > cap:
                raise FeedError(f"the feed is {declared:,} bytes; the limit is {cap:,}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise FeedError(f"the feed is larger than the limit of {cap:,} bytes")
                if time.monotonic() - started > config["FEED_TOTAL_TIMEOUT"]:
                    raise FeedError(
                        f"the download took longer than {config['FEED_TOTAL_TIMEOUT']:g} s"
                    )
                chunks.append(chunk)
            return Download(
                status=200,
                body=b"".join(chunks),
                content_type=response.headers.get("content-type", ""),
                url=str(response.url),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
    except httpx.TimeoutException as error:
        kind = "connecting" if isinstance(error, httpx.ConnectTimeout) else "waiting for data"
        raise FeedError(f"timed out {kind}") from None
    except httpx.ConnectError as error:
        raise FeedError(f"cannot connect: {error}") from None
    except httpx.TooManyRedirects:
        raise FeedError("too many redirects") from None
    except httpx.HTTPError as error:
        raise FeedError(f"{type(error).__name__}: {error}") from None
