"""What the tests share, and what bench/ uses of it: servers on 127.0.0.1, Chromium, the
pinned htmx, nginx, signing in, feeds and the reference capture."""
