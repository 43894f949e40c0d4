"""The worked example every classification metric documents and tests itself on.

Six sentiment predictions, four right; "positive" is the majority reference label.
Each metric's README entry and ``example`` attribute give its value on these.
"""

from __future__ import annotations

PREDICTIONS = ("positive", "negative", "positive", "positive", "negative", "positive")
REFERENCES = (
    ("positive",),
    ("negative",),
    ("negative",),
    ("positive",),
    ("positive",),
    ("positive",),
)
