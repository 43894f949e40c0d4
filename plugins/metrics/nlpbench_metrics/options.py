"""Checking the options a suite gives a metric (``{name: precision, average: binary}``)."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from typing import Any

from nlpbench import MetricError

AVERAGES = ("macro", "micro", "weighted", "binary")


def check_known(options: Mapping[str, Any], known: Collection[str]) -> None:
    """MetricError naming the first option not in ``known``, with a suggestion.

    Messages leave the metric's name out: the runner puts it in front.
    """
    for option in options:
        if option in known:
            continue
        close = difflib.get_close_matches(option, sorted(known), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        takes = f"it takes: {', '.join(sorted(known))}" if known else "it takes none"
        raise MetricError(f"no option '{option}'{hint}; {takes}")


def check_average(average: Any, positive: Any) -> str:
    """The averaging mode; MetricError when it is unknown or ``positive`` doesn't fit it."""
    if average not in AVERAGES:
        raise MetricError(f"average must be one of {', '.join(AVERAGES)}, not {average!r}")
    if average == "binary" and positive is None:
        raise MetricError("average 'binary' needs the positive label: set positive")
    if average != "binary" and positive is not None:
        raise MetricError(f"positive only applies with average 'binary' (average is '{average}')")
    return str(average)
