from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlpbench_baselines.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
        (
            "It grew 3.5 per cent. Sales hit $1.2bn. Amazon.com fell.",
            ["It grew 3.5 per cent.", "Sales hit $1.2bn.", "Amazon.com fell."],
        ),
        # initialisms and ambiguous abbreviations split only before a function word
        ("He moved to the U.S. The move was hard.", ["He moved to the U.S.", "The move was hard."]),
        ("The U.S. Army and the U.K. Navy met.", ["The U.S. Army and the U.K. Navy met."]),
        ("J. K. Rowling wrote it. John F. Kennedy read it.", ["J. K. Rowling wrote it.", "John F. Kennedy read it."]),
        ("They met at 9 p.m. Friday. It rained.", ["They met at 9 p.m. Friday.", "It rained."]),
        ("They met at 9 p.m. The rain stopped.", ["They met at 9 p.m.", "The rain stopped."]),
        (
            "He joined Apple Inc. The firm grew. Apple Inc. Chief Tim Cook spoke.",
            ["He joined Apple Inc.", "The firm grew.", "Apple Inc. Chief Tim Cook spoke."],
        ),
        ("Cats, dogs, etc. We saw all.", ["Cats, dogs, etc.", "We saw all."]),
        # abbreviations before numbers hold only before a number
        (
            "He lives at No. 10 Downing Street. He said no. Then he left.",
            ["He lives at No. 10 Downing Street.", "He said no.", "Then he left."],
        ),
        ("It opened on Jan. 5 in St. Louis. Crowds came.", ["It opened on Jan. 5 in St. Louis.", "Crowds came."]),
        ("See e.g. Smith, and cf. Jones. Done.", ["See e.g. Smith, and cf. Jones.", "Done."]),
        # quotes
        ('"Stop!" he said. "Why?" She left.', ['"Stop!" he said.', '"Why?"', "She left."]),
        ("She said: 'Go home.' Then she went.", ["She said: 'Go home.'", "Then she went."]),
        ("He explained. 'Which is odd,' he added.", ["He explained.", "'Which is odd,' he added."]),
        ("“It works.” “Really?” (Yes.) Good.", ["“It works.”", "“Really?”", "(Yes.)", "Good."]),
        # runs of punctuation, digits, lower case, paragraphs, whitespace
        ("Wait... What?! Yes.", ["Wait...", "What?!", "Yes."]),
        ("It was 1990. 2000 people came.", ["It was 1990.", "2000 people came."]),
        ("It fell. iPhone sales rose.", ["It fell. iPhone sales rose."]),  # a documented limit
        ("A headline\n\nThe story\nwent on.  And on.", ["A headline", "The story went on.", "And on."]),
        ("Tabs\tand\u00a0spaces. Collapse.", ["Tabs and spaces.", "Collapse."]),
        ("", []),
        ("   \n\n  ", []),
        ("no punctuation at all", ["no punctuation at all"]),
    ],
)
def test_split(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_nothing_is_lost() -> None:
    text = 'Mr. A said "no." The U.S. Navy... left! Really? Yes: 3.5 m. "Go," she said. Bye'
    assert " ".join(split_sentences(text)) == text


def test_long_texts_are_quick() -> None:
    text = "The cat sat on the mat. " * 20_000  # 480,000 characters, 20,000 sentences
    assert len(split_sentences(text)) == 20_000


def test_real_cnndm_articles(cnndm: Path) -> None:
    articles = [json.loads(line)["article"] for line in cnndm.read_text(encoding="utf-8").splitlines()]
    assert len(articles) == 250
    for article in articles:
        sentences = split_sentences(article)
        assert len(sentences) >= 3
        # every sentence is the article's own text, in order, with whitespace collapsed
        assert " ".join(sentences) == " ".join(article.split())
