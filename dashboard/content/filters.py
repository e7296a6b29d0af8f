"""What a reader narrows the archive to: the statements' language, a year or a month of it,
and a topic. The plain archive and a search take the same filters, so the two always agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from dashboard.content import models


@dataclasses.dataclass(frozen=True)
class StatementFilters:
    language: str | None = None
    year: int | None = None
    month: int | None = None  # only with a year
    topic: str | None = None  # a topic's slug

    def published_range(self, zone_name: str) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The UTC instants [start, end) of the year or month, as dates in the site's zone
        show it (a statement dated 1 January in Moscow is January's, even at 23:00 UTC)."""
        if self.year is None:
            return None, None
        zone = ZoneInfo(zone_name)
        first_month, last_month = (self.month, self.month) if self.month else (1, 12)
        start = dt.datetime(self.year, first_month, 1, tzinfo=zone)
        year, month = (self.year + 1, 1) if last_month == 12 else (self.year, last_month + 1)
        end = dt.datetime(year, month, 1, tzinfo=zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def conditions(self, zone_name: str) -> list:
        statement = models.Statement
        found = []
        if self.language:
            found.append(statement.language == self.language)
        start, end = self.published_range(zone_name)
        if start is not None:
            found += [statement.published >= start, statement.published < end]
        if self.topic:  # the plain archive reads a topic in its own way (store.with_topic)
            links, topic = models.statement_topics.c, models.Topic
            mine = sa.select(links.statement_id).join(topic, topic.id == links.topic_id)
            found.append(statement.id.in_(mine.where(topic.slug == self.topic)))
        return found

    def is_empty(self) -> bool:
        return self == StatementFilters()


NONE = StatementFilters()
