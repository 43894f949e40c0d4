"""What BLEU, chrF and TER share: sacrebleu's per-segment statistics, resampled without re-tokenizing.

sacrebleu scores a corpus by summing one row of sufficient statistics per segment
(n-gram matches and totals, edits and reference lengths) and applying its formula to
the sums. ``stats`` keeps those rows exactly as sacrebleu computes them
(``Metric._extract_corpus_statistics``); ``aggregate`` sums any subset of rows and
hands the sums to sacrebleu's own formula (``Metric._compute_score_from_stats``), so
a bootstrap resample is scored as sacrebleu would score the resampled sentences, and
no sentence is tokenized twice. ``aggregate_resamples`` sums every resample at once
with one matrix product and applies the same formula in numpy (each subclass's
``score_sums``); tests check it against ``aggregate`` resample by resample.

Those two sacrebleu methods are private, but they are the ones its own
``corpus_score`` and paired significance tests run on; :func:`sacrebleu_metric`
checks they are there, so a sacrebleu that renamed them fails with one clear line.

References are handed to sacrebleu's constructor (its public ``references=``
argument), which tokenizes them once and caches them: the runner scores every model
of a task with one metric instance against the same references.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from nlpbench import MetricError, MetricExample, Options, StatsArray, parse_options

from .options import NoOptions

# numpy and sacrebleu are imported where a metric is built or scores, not here:
# plugin.py imports these classes whenever nlpbench lists plugins
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Index values per block when counting resamples: bounds memory on big tasks.
BLOCK_ELEMENTS = 4_000_000

#: The sacrebleu methods the statistics and the formula come from.
SACREBLEU_METHODS = ("_extract_corpus_statistics", "_compute_score_from_stats", "get_signature")


class SacrebleuMetric:
    """Base of the sacrebleu corpus metrics: statistics per segment, the score of their sums."""

    #: The metric's registered name.
    name: ClassVar[str] = "sacrebleu"
    #: What the suite may give it, as sacrebleu's metric takes them (checked before anything runs).
    options: ClassVar[type[Options]] = NoOptions
    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 100.0)  # sacrebleu's scale
    example: ClassVar[MetricExample]

    def __init__(self, **options: Any) -> None:
        #: Every option with its value, defaults filled in (recorded by ``describe``).
        self.settings: dict[str, Any] = self.resolve(parse_options(self.options, options))
        self.scorer: Any = sacrebleu_metric(self.build, self.settings)
        # the reference streams the scorer has cached: one metric scores every model of a
        # task against the same references, which are then tokenized once, not per model
        self.streams: list[list[str | None]] | None = None

    # -- the Metric protocol ----------------------------------------------------

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        """sacrebleu's statistics of each segment against its references, one row each.

        A prediction of None is scored as the empty hypothesis "".
        """
        import numpy as np

        if len(predictions) != len(references):
            raise MetricError(f"{len(predictions)} predictions but {len(references)} references")
        hypotheses = hypotheses_of(predictions)
        streams = reference_streams(references)
        if not hypotheses:
            return np.zeros((0, self.width), dtype=np.float64)
        if streams != self.streams:
            self.scorer = sacrebleu_metric(self.build, self.settings, streams)
            self.streams = streams
        rows = self.scorer._extract_corpus_statistics(hypotheses, None)  # None: the cached references
        stats = np.asarray(rows, dtype=np.float64)
        if stats.shape != (len(hypotheses), self.width):
            raise MetricError(
                f"sacrebleu gave statistics of shape {stats.shape}, expected ({len(hypotheses)}, {self.width}); "
                "is this sacrebleu version supported?"
            )
        return stats

    def aggregate(self, stats: StatsArray) -> float:
        """The corpus score of these segments: sacrebleu's formula on their summed statistics (NaN when none)."""
        self.check_width(stats)
        if len(stats) == 0:
            return float("nan")
        return self.score_totals(stats.sum(axis=0))

    # -- optional parts of the protocol -----------------------------------------

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        """The corpus score of each resample (a row of segment indices), all at once."""
        import numpy as np

        self.check_width(stats)
        indices = np.asarray(indices)
        if indices.ndim != 2:
            raise MetricError(f"resample indices must be 2-dimensional, not shape {indices.shape}")
        if len(stats) == 0 or indices.shape[1] == 0:
            return np.full(indices.shape[0], np.nan)
        return self.score_sums(resampled_sums(stats, indices))

    def example_score(self, row: StatsArray) -> float:
        """The segment's own, sentence-level score from its row (not its share of the corpus score)."""
        return self.score_totals(row)

    def describe(self) -> dict[str, Any]:
        """sacrebleu's signature (None until ``stats`` has seen references) and every option."""
        signature = None if self.streams is None else str(self.scorer.get_signature())
        return {"signature": signature, "options": dict(self.settings)}

    # -- what subclasses provide ------------------------------------------------

    @property
    def width(self) -> int:
        """How many statistics sacrebleu keeps per segment with these options."""
        raise NotImplementedError

    @classmethod
    def resolve(cls, options: Options) -> dict[str, Any]:
        """The keyword arguments of sacrebleu's metric for these options."""
        return options.model_dump()

    @staticmethod
    def build(settings: Mapping[str, Any], references: Sequence[Sequence[str | None]] | None) -> Any:
        """The sacrebleu metric object for these settings, with ``references`` cached when given."""
        raise NotImplementedError

    def score_totals(self, totals: StatsArray) -> float:
        """sacrebleu's score of one vector of summed statistics."""
        return float(self.scorer._compute_score_from_stats(totals.tolist()).score)

    def score_sums(self, sums: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """sacrebleu's formula applied to each row of summed statistics, in numpy."""
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------

    def check_width(self, stats: StatsArray) -> None:
        if stats.ndim != 2 or stats.shape[1] != self.width:
            raise MetricError(f"expected statistics of shape (n, {self.width}), got {stats.shape}")


def sacrebleu_metric(
    build: Any, settings: Mapping[str, Any], references: Sequence[Sequence[str | None]] | None = None
) -> Any:
    """``build(settings, references)``, as MetricError when sacrebleu refuses them or lacks a method used here."""
    try:
        metric = build(settings, references)
    except MetricError:
        raise
    except Exception as error:  # a tokenizer that needs a missing package, say
        message = " ".join(str(error).split()) or type(error).__name__
        raise MetricError(f"sacrebleu cannot be set up with these options: {message}") from error
    missing = [method for method in SACREBLEU_METHODS if not callable(getattr(metric, method, None))]
    if missing:
        import sacrebleu

        raise MetricError(
            f"sacrebleu {sacrebleu.__version__} lacks {', '.join(missing)}; nlpbench needs sacrebleu>=2.4"
        )
    return metric


def hypotheses_of(predictions: Sequence[Any]) -> list[str]:
    """The predictions as sacrebleu hypotheses: None (no answer) becomes ""; a declarative
    task's generated prediction (``{"text", "answer"}``) gives its filtered answer."""
    hypotheses = []
    for position, prediction in enumerate(predictions):
        if isinstance(prediction, Mapping) and "answer" in prediction:
            prediction = prediction["answer"]
        if prediction is None:
            prediction = ""
        if not isinstance(prediction, str):
            raise MetricError(
                f"example {position}: a translation must be a string or None, not {type(prediction).__name__}"
            )
        hypotheses.append(prediction)
    return hypotheses


def reference_streams(references: Sequence[Sequence[Any]]) -> list[list[str | None]]:
    """sacrebleu's reference streams: stream ``j`` holds every segment's ``j``-th reference.

    Segments with fewer references than the most are padded with None, which
    sacrebleu drops per segment (its signature then says ``nrefs:var``). A None
    reference is dropped the same way; a segment must keep at least one.
    """
    per_segment: list[list[str]] = []
    for position, refs in enumerate(references):
        if isinstance(refs, (str, bytes)) or not isinstance(refs, Sequence):
            raise MetricError(f"example {position}: references must be a list of strings, got {refs!r}")
        kept = [ref for ref in refs if ref is not None]
        if not kept:
            raise MetricError(f"example {position}: no reference to score against")
        for number, ref in enumerate(kept):
            if not isinstance(ref, str):
                raise MetricError(f"example {position}: reference {number} is a {type(ref).__name__}, not a string")
            if not ref.strip():
                raise MetricError(f"example {position}: reference {number} is empty")
        per_segment.append(kept)
    most = max((len(refs) for refs in per_segment), default=0)
    return [[refs[j] if j < len(refs) else None for refs in per_segment] for j in range(most)]


def resampled_sums(stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
    """The column sums of ``stats[row]`` for each row of ``indices``: shape ``(resamples, k)``.

    Each resample becomes a count of how often it drew each segment, and one matrix
    product sums them all; counts are whole numbers, so integer statistics sum exactly.
    """
    import numpy as np

    resamples, n = indices.shape
    segments = len(stats)
    sums = np.empty((resamples, stats.shape[1]), dtype=np.float64)
    block = max(1, BLOCK_ELEMENTS // max(n, segments, 1))
    for start in range(0, resamples, block):
        rows = np.asarray(indices[start : start + block], dtype=np.int64)
        offsets = np.arange(len(rows), dtype=np.int64)[:, None] * segments
        counts = np.bincount((offsets + rows).ravel(), minlength=len(rows) * segments)
        sums[start : start + len(rows)] = counts.reshape(len(rows), segments).astype(np.float64) @ stats
    return sums
