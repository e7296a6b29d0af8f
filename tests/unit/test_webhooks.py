"""Webhooks: signed per Standard Webhooks, sent by the scheduler's own threads, retried with
back-off, never to a private address unless allowed, and statement.published once each."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time

import pytest
import sqlalchemy as sa
import standardwebhooks
import time_machine

from dashboard.content import editing, models
from dashboard.content.schema.webhook import new_secret
from dashboard.content.store import EXTENSION as STORE
from dashboard.webhooks import announcements, delivery, guard, outbox
from dashboard.webhooks.models import DELIVERED, FAILED, PENDING, Announcement, Delivery, Webhook
from dashboard.worker import scheduler
from dashboard.worker.lock import SchedulerLock
from dashboard.worker.webhooks import Sender
from tests.helpers.receiver import Receiver

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class NotHeld(SchedulerLock):
    def still_held(self) -> bool:
        return False


def add_webhook(app, url: str, events=("statement.published",)) -> Webhook:
    with app.extensions[STORE].session() as db, db.begin():
        hook = Webhook(url=url, secret=new_secret(), events=list(events), enabled=True)
        db.add(hook)
    return hook


def enqueue(app, data=None, at=START) -> list[Delivery]:
    with app.extensions[STORE].session() as db, db.begin():
        return outbox.enqueue(db, "counter.reset", data or {"slug": "salisbury"}, at)


def deliveries(app) -> list[Delivery]:
    with app.extensions[STORE].session() as db:
        return list(db.scalars(sa.select(Delivery).order_by(Delivery.id)))


def test_a_failed_attempt_is_retried_under_the_same_id_and_the_receiver_verifies_it(app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # the receiver is on 127.0.0.1
    with Receiver(statuses=(500, 200)) as receiver, time_machine.travel(START) as clock:
        hook = add_webhook(app, receiver.url, events=("counter.reset",))
        add_webhook(app, receiver.url + "/other", events=("statement.published",))
        (made,) = enqueue(app)  # only the webhook subscribed to the event
        sender = Sender(app)
        scheduler.send_webhooks(NotHeld(), threading.Event(), sender)  # only the lock holder
        assert deliveries(app)[0].attempts == 0 and receiver.requests == []
        assert sender.pump() == 1
        sender.wait(10)
        (first,) = deliveries(app)
        assert (first.status, first.attempts, first.last_status_code) == (PENDING, 1, 500)
        waited = (first.next_attempt_at - first.last_attempt_at).total_seconds()
        assert waited == 5  # the first back-off
        assert first.last_error == "answered HTTP 500"
        assert sender.pump() == 0  # not due yet
        clock.shift(6)
        assert sender.pump() == 1
        sender.wait(10)
        sender.close()
        (second,) = deliveries(app)
        assert (second.status, second.attempts, second.last_status_code) == (DELIVERED, 2, 200)
        assert len(receiver.requests) == 2
        (headers_1, body_1), (headers_2, body_2) = receiver.requests
        assert headers_1["webhook-id"] == headers_2["webhook-id"] == made.message_id
        assert body_1 == body_2
        signed_at = int(headers_2["webhook-timestamp"]) - int(START.timestamp())
        assert 6 <= signed_at <= 8  # signed when sent, not when the event happened
        sent = standardwebhooks.Webhook(hook.secret).verify(body_2, headers_2)
        assert sent == {
            "type": "counter.reset",
            "timestamp": START.isoformat(),
            "data": {"slug": "salisbury"},
        }
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            standardwebhooks.Webhook(new_secret()).verify(body_2, headers_2)


def test_retries_back_off_for_a_day_then_fail_and_410_turns_the_webhook_off(app):
    hook = add_webhook(app, "https://hooks.example/in", events=("counter.reset",))
    (made,) = enqueue(app)
    the_store = app.extensions[STORE]
    now, waits = START, []
    while True:
        with the_store.session() as db, db.begin():
            ((delivery_id, claim),) = outbox.claim_due(db, now, 5, 60)
            assert outbox.claim_due(db, now, 5, 60) == []  # claimed: no one else takes it
            status = outbox.settle(db, delivery_id, claim, None, "timed out", now)
            row = db.get(Delivery, delivery_id)
            if status == FAILED:
                break
            waits.append((row.next_attempt_at - now).total_seconds())
            now = row.next_attempt_at
    assert waits == [5, 300, 1800, 7200, 18000, 36000]  # the next 10 h would pass the day
    assert (row.attempts, row.last_error, row.next_attempt_at) == (7, "timed out", None)
    # A resend is one more attempt now, same message; 410 Gone fails it and the webhook.
    with the_store.session() as db, db.begin():
        outbox.resend(db, made.id, now)
        ((delivery_id, claim),) = outbox.claim_due(db, now, 5, 60)
        assert outbox.settle(db, delivery_id, claim, 410, "", now) == FAILED
    with the_store.session() as db:
        turned_off = db.get(Webhook, hook.id)
        assert not turned_off.enabled and "410 Gone" in turned_off.disabled_reason
        assert db.get(Delivery, made.id).message_id == made.message_id
    assert enqueue(app) == []  # a disabled webhook is sent nothing


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://224.0.0.1/hook",
        "http://100.64.0.1/hook",
    ],
)
def test_literal_private_addresses_are_refused_unless_allowed(url):
    assert "not a public address" in guard.url_problem(url, allow_private=False)
    assert guard.url_problem(url, allow_private=True) is None


def test_addresses_are_checked_after_resolving_and_the_checked_one_is_used(app, monkeypatch):
    assert guard.url_problem("ftp://hooks.example/", False) == (
        "must be an http:// or https:// address"
    )
    assert "user name" in guard.url_problem("https://u:p@hooks.example/", False)
    assert guard.url_problem("https://93.184.215.14/in", False) is None
    timeouts = delivery.Timeouts(1, 1)
    with Receiver() as receiver:
        # localhost resolves to loopback: refused at the attempt, nothing is sent.
        url = f"http://localhost:{receiver.port}/hook"
        refused = delivery.attempt(url, new_secret(), "msg_1", "{}", START, False, timeouts)
        assert refused.refused and "not a public address" in refused.error
        assert receiver.requests == []
        # A name resolved once: the connection goes to that address, under the name.
        real, asked = socket.getaddrinfo, []

        def resolver(host, *args, **kwargs):
            asked.append(host)
            return real("127.0.0.1" if host == "hooks.example" else host, *args, **kwargs)

        monkeypatch.setattr(guard.socket, "getaddrinfo", resolver)
        with time_machine.travel(START):
            url = f"http://hooks.example:{receiver.port}/hook"
            blocked = delivery.attempt(url, new_secret(), "msg_2", "{}", START, False, timeouts)
            assert blocked.refused and "127.0.0.1" in blocked.error
            allowed = delivery.attempt(url, new_secret(), "msg_3", "{}", START, True, timeouts)
        assert allowed.status_code == 200
        # The name was resolved once per attempt, by the guard; the connection used the address.
        assert asked.count("hooks.example") == 2
        ((headers, _body),) = receiver.requests
        assert headers["host"] == f"hooks.example:{receiver.port}"
        assert headers["webhook-id"] == "msg_3"


def test_a_webhook_on_loopback_is_not_sent_to_without_the_setting(app):
    with Receiver() as receiver, time_machine.travel(START):
        add_webhook(app, receiver.url, events=("counter.reset",))  # stored before any check
        enqueue(app)
        sender = Sender(app)
        assert sender.pump() == 1
        sender.wait(10)
        sender.close()
    (row,) = deliveries(app)
    assert row.status == PENDING and row.attempts == 1
    assert row.last_error.startswith("refused:") and "127.0.0.1" in row.last_error
    assert receiver.requests == []


@pytest.mark.system  # a tick's warming and a held thread: over a second on a busy machine
def test_a_hanging_receiver_holds_neither_the_tick_nor_the_sender(app):
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_READ_TIMEOUT=30, WEBHOOK_CONCURRENCY=1)
    with Receiver(hang=True) as receiver:
        add_webhook(app, receiver.url, events=("counter.reset",))
        enqueue(app, at=dt.datetime.now(dt.UTC))
        enqueue(app, at=dt.datetime.now(dt.UTC))
        sender = Sender(app)
        started = time.monotonic()
        assert sender.pump() == 1  # one thread: one attempt in flight, the other waits
        assert receiver.arrived.wait(5)
        assert sender.pump() == 0
        lock, lost = SchedulerLock(), threading.Event()
        scheduler.tick(app, lock, lost)  # the minute tick, while the receiver hangs
        assert time.monotonic() - started < 5
        assert not lost.is_set()
        with app.extensions[STORE].session() as db:
            assert db.get(models.SchedulerState, "scheduler") is not None  # it beat
        receiver.release.set()
        sender.wait(10)
        sender.close()
    assert [row.status for row in deliveries(app)] == [DELIVERED, PENDING]


@pytest.mark.system  # six threads contending for SQLite's one writer: over a second
def test_two_senders_never_send_one_attempt_twice(app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    with Receiver() as receiver, time_machine.travel(START):
        add_webhook(app, receiver.url, events=("counter.reset",))
        for number in range(6):
            enqueue(app, {"number": number})
        senders = [Sender(app), Sender(app)]
        pumps = [threading.Thread(target=s.pump) for s in senders for _ in range(3)]
        for pump in pumps:
            pump.start()
        for pump in pumps:
            pump.join()
        for sender in senders:
            sender.wait(10)
            sender.pump()
            sender.wait(10)
            sender.close()
    ids = [headers["webhook-id"] for headers, _body in receiver.requests]
    assert len(ids) == len(set(ids)) == 6
    assert {row.status for row in deliveries(app)} == {DELIVERED}


def scheduled(slug: str, at: dt.datetime, draft: bool = False) -> dict:
    return {
        "slug": slug,
        "title": f"Statement {slug}",
        "published": at,
        "summary": "Summary.",
        "body": "Body.",
        "draft": draft,
    }


def test_statement_published_once_for_a_scheduled_statement_with_two_schedulers(app):
    hook = add_webhook(app, "https://hooks.example/in")
    the_store = app.extensions[STORE]
    with app.test_request_context(), time_machine.travel(START, tick=False) as clock:
        # Stored as any writer stores them (the save path is tested below, on "now").
        with the_store.session() as db, db.begin():
            for slug, at, is_draft in (("later", START + dt.timedelta(seconds=30), False),
                                       ("draft", START, True)):  # fmt: skip
                db.add(models.Statement(**scheduled(slug, at, is_draft), body_html=""))
        with the_store.session() as db:
            draft = editing.find_statement(db, "draft")
        assert scheduler.announce(app, START) == 0  # neither is public yet
        now = editing.save_statement(scheduled("now", START))  # published at once: announced
        assert [d.event for d in deliveries(app)] == ["statement.published"]
        clock.shift(30)  # the scheduled statement's instant: two schedulers wake at once
        at = START + dt.timedelta(seconds=30)
        counts = []
        wakers = [threading.Thread(target=lambda: counts.append(scheduler.announce(app, at)))]
        wakers.append(threading.Thread(target=lambda: counts.append(scheduler.announce(app, at))))
        for waker in wakers:
            waker.start()
        for waker in wakers:
            waker.join()
        assert sorted(counts) == [0, 1]
        scheduler.announce(app, at)  # a restarted scheduler's first tick: nothing more
        published = [json.loads(d.payload) for d in deliveries(app)]
        assert [p["data"]["slug"] for p in published] == ["now", "later"]
        assert published[1]["type"] == "statement.published"
        assert published[1]["data"]["path"] == "/statements/later"
        assert published[1]["data"]["published"] == at.isoformat()
        # An edit of a published one says nothing; a draft published later is announced then.
        editing.save_statement({**scheduled("now", START), "title": "Edited"}, now.id)
        editing.save_statement(scheduled("draft", START), draft.id)
        slugs = [json.loads(d.payload)["data"]["slug"] for d in deliveries(app)]
        assert slugs == ["now", "later", "draft"]
        assert {d.webhook_id for d in deliveries(app)} == {hook.id}
    with the_store.session() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Announcement)) == 3
        # A statement older than the announcement window is filed without an event.
        old = models.Statement(
            slug="archive", title="Old", published=START - dt.timedelta(days=3), body_html=""
        )
        db.add(old)
        db.flush()
        assert announcements.announce(db, old, START) is True
        assert len(db.scalars(sa.select(Delivery)).all()) == 3
        # A feed's item is announced only when someone publishes it in the admin or the API.
        feed = models.Feed(url="https://feeds.example/rss")
        item = models.Statement(slug="from-feed", title="Item", published=START, body_html="")
        db.add_all([feed, item])
        db.flush()
        db.add(models.FeedItem(feed_id=feed.id, statement_id=item.id, guid="1", fetched_at=START))
        db.flush()
        assert announcements.announce_due(db, START + dt.timedelta(seconds=1)) == 0


@pytest.mark.system  # the real scheduler's threads, for a few seconds
def test_the_running_scheduler_ticks_on_time_while_a_receiver_hangs(app):
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_READ_TIMEOUT=30)
    with Receiver(hang=True) as receiver:
        add_webhook(app, receiver.url, events=("counter.reset",))
        for number in range(8):  # more than the sender's threads: every one of them hangs
            enqueue(app, {"number": number}, at=dt.datetime.now(dt.UTC))
        lock, lost = SchedulerLock(), threading.Event()
        progress = scheduler.TickProgress()
        running = scheduler.build(app, lock, lost, progress)
        running.start()
        try:
            assert receiver.arrived.wait(10)  # the webhook job ran and its attempts hang
            time.sleep(0.5)
            before = progress.finished
            asked = time.monotonic()
            running.modify_job("minute", next_run_time=dt.datetime.now(dt.UTC))  # tick now
            while progress.finished == before and time.monotonic() - asked < 10:
                time.sleep(0.05)
            assert progress.finished != before, "the tick did not run while receivers hung"
            assert time.monotonic() - asked < 5
            assert len(receiver.requests) == 4  # the concurrency cap: four in flight at most
        finally:
            receiver.release.set()
            running.shutdown(wait=False)
            running.webhook_sender.wait(10)
            running.webhook_sender.close()
