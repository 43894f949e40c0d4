"""A planted test set: what the data-quality audit must find, exactly.

20 test reviews (ids t01..t20), a train split and a corpus file, written by
:func:`write_planted`; :data:`EXPECTED` says what each check must report."""

from __future__ import annotations

import json
import random
from pathlib import Path

#: 19 words; t04 is t03 with its last word changed: 17 word 3-shingles each, 16 shared, Jaccard 16/18.
NEAR_A = "the director builds every scene slowly and the patient camera lets each actor breathe before the quiet final reveal"
NEAR_B = NEAR_A.rsplit(" ", 1)[0] + " twist"
#: t05, copied from the train split (tr03).
COPIED = "a warm and funny story about two sisters who open a bakery in a small town by the sea"
#: the 13 words of t06 that a corpus file also holds (split over two of its lines).
LEAKED = "every frame of this documentary about arctic whales was shot with enormous care"
#: a vocabulary for the filler reviews: random draws share no 3-word shingle or 13-gram
_VOCABULARY = [f"w{index}" for index in range(400)]


def _filler(rng: random.Random) -> str:
    return " ".join(rng.sample(_VOCABULARY, 15))


def _rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rng = random.Random(7)
    test = [
        {"id": "t01", "text": "The film was great fun!", "label": "positive"},
        {"id": "t02", "text": "the film was GREAT fun", "label": "positive"},
        {"id": "t03", "text": NEAR_A, "label": "positive"},
        {"id": "t04", "text": NEAR_B, "label": "positive"},
        {"id": "t05", "text": COPIED, "label": "positive"},
        {"id": "t06", "text": f"honestly {LEAKED} and it shows", "label": "positive"},
        {"id": "t07", "text": "   ", "label": "positive"},
        {"id": "t08", "text": "Positive.", "label": "positive"},
    ]
    test += [{"id": f"t{k:02d}", "text": _filler(rng), "label": "positive"} for k in range(9, 20)]
    test.append({"id": "t20", "text": _filler(rng), "label": "negative"})
    train = [
        {"id": f"tr{k:02d}", "text": _filler(rng), "label": "positive" if k % 2 else "negative"} for k in range(1, 9)
    ]
    train[2] = {"id": "tr03", "text": COPIED, "label": "positive"}
    return test, train


def write_planted(folder: Path) -> dict[str, Path]:
    """test.jsonl, train.jsonl, corpus.txt (the leaked 13-gram across a line break) and
    reviews.jsonl (the test rows but t07, whose text is blank) in ``folder``."""
    test, train = _rows()
    paths = {"test": folder / "test.jsonl", "train": folder / "train.jsonl", "corpus": folder / "corpus.txt",
             "reviews": folder / "reviews.jsonl"}  # fmt: skip
    reviews = [row for row in test if row["text"].strip()]
    for key, rows in (("test", test), ("train", train), ("reviews", reviews)):
        paths[key].write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    first, second = LEAKED.split(" ")[:6], LEAKED.split(" ")[6:]
    paths["corpus"].write_text(
        "An unrelated line about gardening and tomatoes.\n"
        f"Critics wrote that {' '.join(first)}\n{' '.join(second)}; it won prizes.\n"
        "Another unrelated line.\n",
        encoding="utf-8",
    )
    return paths


def suite_text(audit_params: str = "corpus: [train, corpus.txt]") -> str:
    """A suite of two tasks on the planted data, audited: ``planted`` (every row, as
    generation: its references are the label words) and ``reviews`` (sentiment, which
    refuses t07's blank text, so without it), with the majority baseline that answers
    ``reviews`` (always positive)."""
    return (
        "name: planted\n"
        "models:\n"
        "  - {name: always-positive, type: majority, params: {label: positive}}\n"
        "tasks:\n"
        "  - name: planted\n"
        "    type: template\n"
        "    data: {path: test.jsonl, train: train.jsonl}\n"
        "    params: {input: '{{text}}', id: '{{id}}', output: generate, target: '{{label}}'}\n"
        "  - name: reviews\n"
        "    type: sentiment\n"
        "    data: {path: reviews.jsonl, train: train.jsonl, text: text, label: label, id: id, "
        "labels: [negative, positive]}\n"
        "audits:\n"
        f"  - {{type: data-quality, params: {{{audit_params}}}}}\n"
        "reporters: [json]\n"
    )  # fmt: skip


#: (check, measure, group) → (value, n, example ids)
EXPECTED: dict[tuple[str, str, str | None], tuple[float, int, list[str]]] = {
    ("exact-duplicates", "share", None): (1 / 20, 20, ["t01", "t02"]),
    ("near-duplicates", "share", None): (2 / 20, 20, ["t03", "t04"]),
    ("train-test-overlap", "exact", None): (1 / 20, 20, ["t05"]),
    ("train-test-overlap", "near", None): (0.0, 20, []),
    # checked: the 16 reviews of 13 words or more (t01, t02, t07 and t08 are shorter)
    ("contamination", "share", "train"): (1 / 16, 16, ["t05"]),
    ("contamination", "share", "corpus.txt"): (1 / 16, 16, ["t06"]),
    ("contamination", "share", "all"): (2 / 16, 16, ["t05", "t06"]),
    ("empty-fields", "input", None): (1 / 20, 20, ["t07"]),
    ("empty-fields", "references", None): (0.0, 20, []),
    ("reference-equals-input", "share", None): (1 / 20, 20, ["t08"]),
}

#: (label) → share; the majority-class accuracy is the larger
LABEL_SHARES = {"negative": 0.05, "positive": 0.95}
