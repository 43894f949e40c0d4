"""ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum, as Google's rouge-score computes them.

Statistics are one row per example, ``[precision, recall, fmeasure]`` of the summary
against its best reference (the one with the highest F-measure, as rouge-score's
``score_multi`` picks it); the score is the mean of the chosen measure over the
examples, so any subset of rows (a bootstrap resample) is re-scored by a mean.
The tokens are rouge-score's own and the counting is rouge-score's, with a faster
LCS (:mod:`nlpbench_metrics.rouge_scoring`); the tests check every value against
rouge-score's ``RougeScorer``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from pydantic import Field, field_validator

from nlpbench import MetricError, MetricExample, Options, StatsArray, parse_options

from .sentences import SPLITTERS, split_for_rouge

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: The columns of a statistics row, in order, named as rouge-score names them.
MEASURES = ("precision", "recall", "fmeasure")

#: Every ROUGE metric's worked example (its card shows the same): a summary that needs
#: stemming to match ("cats"/"cat", "mats"/"mat"), and one of two sentences with two
#: references, of which the second scores higher.
PREDICTIONS = (
    "The cats were sitting on the mats.",
    "Police arrested two men. They were charged on Monday.",
)
REFERENCES = (
    ("The cat sat on the mat.",),
    ("Two men face charges after an arrest.", "Police arrested two men on Monday. Both were charged."),
)
#: ROUGE-Lsum's: the same texts, one sentence per line, as rouge-score reads sentences.
LSUM_PREDICTIONS = tuple(text.replace(". ", ".\n") for text in PREDICTIONS)
LSUM_REFERENCES = tuple(tuple(text.replace(". ", ".\n") for text in refs) for refs in REFERENCES)


class RougeOptions(Options):
    """rouge-score's options, and which of its three measures is the score."""

    stemming: bool = Field(True, description="Porter-stem words before matching (rouge-score's use_stemmer)")
    measure: Literal["precision", "recall", "fmeasure"] = Field(
        "fmeasure", description="which of rouge-score's measures is the score"
    )


class RougeLsumOptions(RougeOptions):
    """ROUGE-Lsum's options: rouge-score's, and where its sentences come from."""

    split_sentences: Literal["newline", "nltk", "regex"] = Field(
        "newline",
        description="newline: a sentence per line of the text as given, as rouge-score reads it; nltk: split by "
        "nltk's sent_tokenize first, as Hugging Face's summarization examples do before evaluate's rouge (needs "
        "nltk's punkt_tab data); regex: a text without newlines split by nlpbench's rule-based splitter; the "
        "old true and false still mean regex and newline",
    )

    @field_validator("split_sentences", mode="before")
    @classmethod
    def _old_flag(cls, value: Any) -> Any:
        """The option was a flag before it named a splitter: a run recorded with it (or a
        suite written for it) keeps the meaning it had, so rescoring it still works."""
        return {True: "regex", False: "newline"}[value] if isinstance(value, bool) else value


class RougeMetric:
    """Base of the ROUGE metrics: subclasses name the rouge-score type they compute."""

    #: The metric's registered name.
    name: ClassVar[str] = "rouge"
    #: rouge-score's name for the score (``rouge1``, ``rougeLsum``).
    rouge_type: ClassVar[str] = ""
    #: What the suite may give it (checked before anything runs).
    options: ClassVar[type[Options]] = RougeOptions
    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)  # rouge-score's scale
    example: ClassVar[MetricExample]

    def __init__(self, **options: Any) -> None:
        self.settings = cast(RougeOptions, parse_options(self.options, options))
        self.stemming: bool = self.settings.stemming
        self.measure: str = self.settings.measure
        self.column = MEASURES.index(self.measure)

    # -- the Metric protocol ----------------------------------------------------

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        """``[precision, recall, fmeasure]`` per example against its best reference; a
        prediction of None (no answer) scores 0 on all three."""
        import numpy as np

        from .rouge_scoring import score_multi
        from .rouge_tokens import shared_tokenizer

        if len(predictions) != len(references):
            raise MetricError(f"{len(predictions)} predictions but {len(references)} references")
        tokenizer = shared_tokenizer(self.stemming)
        rows = np.zeros((len(predictions), len(MEASURES)), dtype=np.float64)
        for position, (prediction, refs) in enumerate(zip(predictions, references, strict=True)):
            targets = [self.prepare(ref) for ref in _texts(position, refs)]
            if prediction is None:
                continue
            if not isinstance(prediction, str):
                raise MetricError(f"example {position}: the prediction must be text, got {type(prediction).__name__}")
            rows[position] = score_multi(self.rouge_type, tokenizer, targets, self.prepare(prediction))
        return rows

    def aggregate(self, stats: StatsArray) -> float:
        """The mean of the chosen measure over the examples (NaN when there are none)."""
        if len(stats) == 0:
            return float("nan")
        return float(stats[:, self.column].mean())

    # -- optional parts of the protocol -----------------------------------------

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        """The mean of the chosen measure over each resample (a row of example indices)."""
        import numpy as np

        indices = np.asarray(indices)
        if indices.ndim != 2:
            raise MetricError(f"resample indices must be 2-dimensional, not shape {indices.shape}")
        if len(stats) == 0 or indices.shape[1] == 0:
            return np.full(indices.shape[0], np.nan)
        return np.asarray(stats[:, self.column][indices].mean(axis=1), dtype=np.float64)

    def example_score(self, row: StatsArray) -> float:
        """The example's own value of the chosen measure."""
        return float(row[self.column])

    def describe(self) -> dict[str, Any]:
        """The settings that change the score, recorded beside it in results."""
        from importlib.metadata import version

        return {
            "stemming": self.stemming,
            "measure": self.measure,
            "implementation": f"rouge-score {version('rouge-score')}",
            "tokenizer": "rouge-score default (lowercased; runs of characters other than a-z and 0-9 split words)",
        }

    # -- helpers ----------------------------------------------------------------

    def prepare(self, text: str) -> str:
        """The text as rouge-score is given it (ROUGE-Lsum may split sentences)."""
        return text


class Rouge1Metric(RougeMetric):
    """ROUGE-1: unigram overlap F-measure with the best reference (rouge-score, 0-1)."""

    name: ClassVar[str] = "rouge-1"
    rouge_type: ClassVar[str] = "rouge1"
    example: ClassVar[MetricExample] = MetricExample(PREDICTIONS, REFERENCES, value=0.829059829059829)


class Rouge2Metric(RougeMetric):
    """ROUGE-2: bigram overlap F-measure with the best reference (rouge-score, 0-1)."""

    name: ClassVar[str] = "rouge-2"
    rouge_type: ClassVar[str] = "rouge2"
    example: ClassVar[MetricExample] = MetricExample(PREDICTIONS, REFERENCES, value=0.5852272727272727)


class RougeLMetric(RougeMetric):
    """ROUGE-L: longest-common-subsequence F-measure with the best reference (rouge-score, 0-1)."""

    name: ClassVar[str] = "rouge-l"
    rouge_type: ClassVar[str] = "rougeL"
    example: ClassVar[MetricExample] = MetricExample(PREDICTIONS, REFERENCES, value=0.7179487179487178)


class RougeLsumMetric(RougeMetric):
    """ROUGE-Lsum: summary-level LCS F-measure, sentence by sentence (rouge-score, 0-1).

    rouge-score reads one sentence per line; ``split_sentences`` says where the
    sentences come from: the lines of the text as given (the default, rouge-score's own
    reading), nltk's ``sent_tokenize`` (Hugging Face's convention), or nlpbench's regex
    splitter.
    """

    name: ClassVar[str] = "rouge-lsum"
    rouge_type: ClassVar[str] = "rougeLsum"
    options: ClassVar[type[Options]] = RougeLsumOptions
    example: ClassVar[MetricExample] = MetricExample(LSUM_PREDICTIONS, LSUM_REFERENCES, value=0.829059829059829)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.split_sentences: str = cast(RougeLsumOptions, self.settings).split_sentences
        self.prepare_text = split_for_rouge(self.split_sentences)  # MetricError now when nltk lacks its data

    def prepare(self, text: str) -> str:
        return self.prepare_text(text)

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "split_sentences": self.split_sentences,
            "sentences": SPLITTERS[self.split_sentences],
        }


def _texts(position: int, refs: Any) -> list[str]:
    """The example's references, checked: a non-empty list of texts."""
    if isinstance(refs, (str, bytes)) or not isinstance(refs, Sequence) or not refs:
        raise MetricError(f"example {position}: references must be a non-empty list of texts, got {refs!r}")
    for ref in refs:
        if not isinstance(ref, str):
            raise MetricError(f"example {position}: a reference must be text, got {type(ref).__name__}")
    return list(refs)
