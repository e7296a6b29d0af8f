"""Webhooks out: events written to an outbox in their cause's transaction (outbox.py), each
statement announced once (announcements.py), and delivered by the scheduler, signed per
Standard Webhooks, with retries (delivery.py, dashboard/worker/webhooks.py)."""
