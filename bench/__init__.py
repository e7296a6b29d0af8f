"""Benchmarks for the dashboard, run as `bench/run` (or `python -m bench` from the checkout's
root): see bench/options.py for what each part measures. It shares nginx, Chromium, htmx and
the free port with the tests, through tests/helpers."""
