from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ClassifyRequest, ConfigError, Model, ModelError, ModelSpec
from nlpbench_baselines import WordlistModel

LABELS = ("negative", "positive")


def model(params: dict[str, Any] | None = None, base: Path = Path(".")) -> WordlistModel:
    return WordlistModel(ModelSpec(name="w", type="wordlist", params=params or {}, base_dir=base))


def predict(wordlist: WordlistModel, texts: list[str], labels: tuple[str, ...] = LABELS) -> list[str]:
    answers = wordlist.classify([ClassifyRequest(text, labels) for text in texts])
    return [max(labels, key=answer.__getitem__) for answer in answers]  # ties: the first label


def test_follows_the_protocol() -> None:
    wordlist = model()
    assert isinstance(wordlist, Model) and wordlist.capabilities == frozenset({"classify"})
    assert wordlist.describe() == {"lexicon": "built-in", "positive_words": 180, "negative_words": 211}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("A wonderful, moving film with a brilliant cast.", "positive"),
        ("Boring, predictable and far too long.", "negative"),
        ("The plot is not good.", "negative"),
        ("This isn't a bad movie at all.", "positive"),
        ("it is n't funny .", "negative"),  # SST-2's tokenization
        ("Never boring, never dull.", "positive"),
        ("Not very good, but the music is lovely and the cast is charming.", "positive"),
        ("The phone was cheap and flimsy, and I was disappointed.", "negative"),
        ("The film lacks charm.", "negative"),
    ],
)
def test_handwritten_sentences(text: str, label: str) -> None:
    assert predict(model(), [text]) == [label]


def test_probabilities() -> None:
    (answer,) = model().classify([ClassifyRequest("good", LABELS)])
    assert answer["positive"] == pytest.approx(0.7310585786)
    assert answer["positive"] + answer["negative"] == pytest.approx(1.0)
    (neutral,) = model().classify([ClassifyRequest("A film about a dog.", LABELS)])
    assert neutral == {"negative": 0.5, "positive": 0.5}


def test_labels_in_any_case_and_order() -> None:
    (answer,) = model().classify([ClassifyRequest("great fun", ("Positive", "NEGATIVE"))])
    assert list(answer) == ["Positive", "NEGATIVE"] and answer["Positive"] > 0.5


@pytest.mark.parametrize("labels", [("neg", "pos"), ("negative", "neutral", "positive"), ("positive",)])
def test_other_labels_are_refused(labels: tuple[str, ...]) -> None:
    with pytest.raises(ModelError, match="can only choose between 'positive' and 'negative'"):
        model().classify([ClassifyRequest("good", labels)])
    # and before a run, by validate: the same words, as a config error
    with pytest.raises(ConfigError, match=r"can only choose between 'positive' and 'negative'.*data.label_names"):
        WordlistModel.check_labels(ModelSpec(name="w", type="wordlist"), labels)


def test_check_labels_takes_positive_and_negative_in_any_case() -> None:
    WordlistModel.check_labels(ModelSpec(name="w", type="wordlist"), ("Positive", "NEGATIVE"))


def test_own_lexicon(write: Callable[[str, str], Path]) -> None:
    path = write("words.json", json.dumps({"positive": ["Purr"], "negative": ["hiss"]}))
    wordlist = model({"lexicon": "words.json"}, base=path.parent)
    assert predict(wordlist, ["purr purr hiss", "good good hiss"]) == ["positive", "negative"]
    assert wordlist.describe() == {"lexicon": str(path), "positive_words": 1, "negative_words": 1}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "expected an object with 'positive' and 'negative' lists"),
        ('{"positive": ["a"]}', "'negative' must be a non-empty list of words"),
        ('{"positive": ["a"], "negative": ["a"]}', "'a' is both positive and negative"),
        ('{"positive": ["a"], "negative": ["b"], "neutral": ["c"]}', "unknown key 'neutral'"),
        ('{"positive": ["a"],\n "negative": }', ":2: invalid JSON"),
    ],
)
def test_bad_lexicon(write: Callable[[str, str], Path], content: str, message: str) -> None:
    path = write("words.json", content)
    with pytest.raises(ConfigError) as raised:
        model({"lexicon": str(path)})
    assert f"params.lexicon: {path}" in str(raised.value) and message in str(raised.value)


def test_missing_lexicon(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        model({"lexicon": str(tmp_path / "none.json")})


def test_bad_params() -> None:
    with pytest.raises(ConfigError, match=r"params\.lexicons: unknown option \(did you mean 'lexicon'\?\)"):
        model({"lexicons": "x.json"})
    with pytest.raises(ConfigError, match="loads no weights: remove config"):
        WordlistModel.check_spec(ModelSpec(name="w", type="wordlist", config={"n_layer": 2}))


def test_accuracy_on_real_sst2_dev(sst2_dev: Path) -> None:
    with sst2_dev.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    gold = ["positive" if row["label"] == "1" else "negative" for row in rows]
    predictions = predict(model(), [row["sentence"] for row in rows])
    accuracy = sum(p == g for p, g in zip(predictions, gold, strict=True)) / len(gold)
    assert len(gold) == 872
    assert accuracy > 0.6, accuracy
