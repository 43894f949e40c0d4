from __future__ import annotations

import re

from nlpbench_baselines.stopwords import STOPWORDS, is_stopword


def test_the_list() -> None:
    assert 150 <= len(STOPWORDS) <= 250
    assert all(re.fullmatch(r"[a-z]+", word) for word in STOPWORDS)
    assert {"what", "who", "when", "the", "of", "did"} <= STOPWORDS
    # content words a question asks about are not stopwords
    assert not {"year", "city", "name", "people", "first", "many"} & STOPWORDS


def test_any_case() -> None:
    assert is_stopword("The") and is_stopword("WHAT") and not is_stopword("Paris")
