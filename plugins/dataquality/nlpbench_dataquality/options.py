"""What the ``data-quality`` audit takes from a suite's ``params:``, as an option schema
(``nlpbench validate`` checks it; ``nlpbench list audits --json`` prints it)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

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

    @model_validator(mode="after")
    def _bands_fit(self) -> DataQualityOptions:
        """MinHash LSH splits the permutations into bands of rows; near 1 the threshold
        needs more bands than ``num_perm`` allows: said here, not as a failed audit."""
        if "near-duplicates" in self.checks or "train-test-overlap" in self.checks:
            from datasketch import MinHashLSH  # type: ignore[import-untyped]

            try:
                MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
            except ValueError as error:
                raise ValueError(
                    f"threshold {self.threshold} is too high for num_perm {self.num_perm} ({error}): "
                    "lower the threshold or raise num_perm"
                ) from None
        return self
