"""Background work, in its own process: the one scheduler (scheduler.py) and its lock."""
