"""English function words, written for this package: what carries no content in a question
("what", "the", "did") and what, capitalized, typically starts a sentence ("The", "He")."""

from __future__ import annotations

# one string, so the list reads like prose
_LISTED = """
a an the this that these those
i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
one ones someone something anyone anything everyone everything
what which who whom whose when where why how whatever whichever
is are was were be been being am do does did done doing has have had having
can could will would shall should may might must
not no nor
and or but if then than so as because while although though yet
of in on at by for with without from to into onto out over under up down off about above below
after before during since until through between among against across along around near per via
upon within toward towards
there here also too very just only even still
all any both each few more most other some such same own
"""

STOPWORDS: frozenset[str] = frozenset(_LISTED.split())


def is_stopword(word: str) -> bool:
    """Whether ``word`` (any case) is a function word of :data:`STOPWORDS`."""
    return word.lower() in STOPWORDS
