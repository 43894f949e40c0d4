"""How long to wait before asking a server again: exponential backoff with full jitter,
unless the server said when (``Retry-After``)."""

from __future__ import annotations

import email.utils
import random
import time
from datetime import datetime, timezone

#: The first retry waits up to this many seconds; each next one up to twice as long.
BACKOFF_BASE = 0.5
#: No backoff waits longer than this (a server's Retry-After may).
BACKOFF_CAP = 30.0
#: The longest Retry-After honoured: a server asking for more is waited on this long.
RETRY_AFTER_CAP = 600.0

#: HTTP statuses worth asking again: rate limited, or the server's own failure.
RETRYABLE_STATUSES = frozenset({429}) | frozenset(range(500, 600))

_jitter = random.Random()


def backoff(attempt: int) -> float:
    """Seconds before retry number ``attempt`` (0 for the first): uniform between 0 and
    ``BACKOFF_BASE * 2**attempt`` (capped), so that many clients turned away at once
    do not come back at once (AWS's "full jitter")."""
    return _jitter.uniform(0.0, min(BACKOFF_CAP, BACKOFF_BASE * 2.0**attempt))


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """The seconds a ``Retry-After`` header asks for (a number of seconds or an HTTP
    date), at most :data:`RETRY_AFTER_CAP`; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        current = datetime.fromtimestamp(time.time() if now is None else now, timezone.utc)
        seconds = (when - current).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)
