"""Feeds in: RSS 2.0, RSS 1.0 and Atom 1.0 polled into statements.

The download is ours (httpx, streamed): a conditional GET with the last ETag and Last-Modified,
connect and read timeouts plus a cap on the whole download, and a size cap counted as the
bytes arrive. feedparser is only handed the bytes, never a URL, so it fetches nothing itself.
A document that declares its own entities (a DTD internal subset: the "billion laughs") is
refused before parsing; expat's own amplification limit is the second line.

Items are de-duplicated by guid, then by link, with unique constraints on (feed, guid) and
(feed, link), so two pollers at once still store an item once. Each item keeps its link as the
statement's source URL and its date as the publication date (the fetch time when it has none).
A feed that fails records why; it never stops the other feeds or the scheduler.
"""
