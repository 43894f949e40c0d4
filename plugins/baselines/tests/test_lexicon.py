from __future__ import annotations

import re

from nlpbench_baselines.lexicon import built_in, parse
from nlpbench_baselines.scoring import NEGATORS


def test_built_in() -> None:
    lexicon = built_in()
    assert lexicon.source == "built-in"
    assert len(lexicon.positive) >= 150 and len(lexicon.negative) >= 150
    assert not lexicon.positive & lexicon.negative
    # every word is one lowercase token, and no negator is also a sentiment word
    assert all(re.fullmatch(r"[a-z]+", word) for word in lexicon.positive | lexicon.negative)
    assert not (lexicon.positive | lexicon.negative) & NEGATORS


def test_polarity() -> None:
    lexicon = parse({"positive": ["Good "], "negative": ["bad"]}, "test")
    assert (lexicon.polarity("good"), lexicon.polarity("bad"), lexicon.polarity("film")) == (1, -1, 0)
