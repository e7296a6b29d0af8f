"""What the tests share, and what bench/ uses of it: servers on 127.0.0.1, Chromium, the
pinned htmx, nginx, signing in, feeds and the reference capture."""


class SetupError(RuntimeError):
    """Something a test or the benchmark needs is missing (nginx, Chromium, npm): it fails the
    run with a message saying what to install, and never skips."""
