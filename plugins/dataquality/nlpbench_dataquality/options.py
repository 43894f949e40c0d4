"""What the ``data-quality`` audit takes from a suite's ``params:``, as an option schema
(``nlpbench validate`` checks it; ``nlpbench list audits --json`` prints it)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nlpbench import Options

CheckName = Literal[
    "exact-duplicates",
    "near-duplicates",
    "train-test-overlap",
    "contamination",
    "empty-fields",
    "reference-equals-input",
    "label-balance",
    "length",
]

#: Every check, in the order entries come.
CHECKS: tuple[CheckName, ...] = (
    "exact-duplicates",
    "near-duplicates",
    "train-test-overlap",
    "contamination",
    "empty-fields",
    "reference-equals-input",
    "label-balance",
    "length",
)

#: The corpus name that stands for the task's own train split.
TRAIN = "train"


class DataQualityOptions(Options):
    """``data-quality``: which checks, and their thresholds."""

    checks: tuple[CheckName, ...] = Field(CHECKS, min_length=1, description="the checks to run (default: all)")
    threshold: float = Field(
        0.8, gt=0, le=1, description="near duplicates: the Jaccard similarity of word shingles at or above which "
        "two examples are near duplicates"
    )  # fmt: skip
    shingle_size: int = Field(3, ge=1, le=50, description="near duplicates: words per shingle")
    num_perm: int = Field(
        128, ge=16, le=1024, description="near duplicates: MinHash permutations (more: fewer pairs missed, more memory)"
    )
    ngram: int = Field(
        13, ge=1, le=100, description="contamination: words per n-gram (13, as lm-evaluation-harness decontaminates)"
    )
    corpus: tuple[str, ...] = Field(
        (TRAIN,),
        description="contamination: training corpora, each a text or JSONL file (optionally .gz) relative to the "
        "suite, or `train` for the task's train split",
    )
    corpus_field: str = Field(
        "text", min_length=1, description="contamination: the field of a JSONL corpus record that holds its text"
    )
    max_ids: int = Field(20, ge=0, le=1000, description="how many example ids an entry lists at most")
    tokenizers: bool = Field(
        True, description="length: count tokens with the tokenizer beside each suite model's local weights"
    )
