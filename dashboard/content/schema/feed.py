"""A feed's settings, from /admin/feeds. Feeds are configuration, not content: they are in no
site file and no export, and their messages are meant for the form alone."""

from __future__ import annotations

from dashboard import config
from dashboard.content.schema.base import Entity, Field
from dashboard.content.schema.forms import Form
from dashboard.content.schema.kinds import HTTP_ADDRESS, Boolean, Text, Whole, is_language_code

MAX_URL = 2000  # the column's length


def feed_address(url: str) -> str | None:
    if not HTTP_ADDRESS.fullmatch(url) or len(url) > MAX_URL:
        return "must be an http:// or https:// address"
    return None


def language_code(code: str) -> str | None:
    return None if is_language_code(code) else f"{code!r} is not a known language code"


LOWEST, HIGHEST = config.FEED_MIN_INTERVAL_MINUTES, config.FEED_MAX_INTERVAL_MINUTES

FEED = Entity(
    name="feed",
    key="url",
    fields=(
        Field(
            "url",
            Text(strip=True),
            checks=(feed_address,),
            form=Form("Feed address", input="url", required=True, help="http:// or https://"),
        ),
        Field(
            "interval_minutes",
            Whole(LOWEST, HIGHEST, f"must be a whole number of minutes from {LOWEST} to {HIGHEST}"),
            default=30,
            form=Form("Poll every (minutes)", input="number", initial=30),
        ),
        Field(
            "language",
            Text(strip=True),
            default="en",
            checks=(language_code,),
            form=Form(
                "Language of its items",
                help="A language code such as en or ru.",
                initial=lambda context: context.locale,
            ),
        ),
        Field(
            "publish",
            Boolean(),
            default=False,
            form=Form(
                "Publish new items at once (otherwise they arrive as drafts)",
                input="checkbox",
                initial=True,
            ),
        ),
    ),
)
