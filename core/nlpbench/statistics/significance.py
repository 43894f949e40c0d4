"""Is the difference between two models real? Paired tests, family-wise corrections, tie groups.

Two models scored on the same examples are compared example by example (paired):

- the **paired bootstrap** (Koehn 2004; Efron & Tibshirani 1993) resamples examples with
  the same index rows for both models, giving the difference's interval and a p-value;
- **approximate randomization** (Noreen 1989; Riezler & Maxwell 2005) swaps each
  example's two outputs with probability 1/2 and asks how often the difference is as
  large as the one observed;
- the **exact McNemar test** (McNemar 1947, binomial form) for accuracy-like metrics
  counts the examples only one of the two models gets right.

p-values are corrected within a family of comparisons (Holm 1979 by default, Benjamini &
Hochberg 1995 as an option): by default one task and one metric, all pairs of models on
it (:func:`family_name`). docs/comparing.md explains it all in plain words. Everything
here is pure: arrays in, numbers out, seeded.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from nlpbench.contracts.components import Metric, StatsArray
from nlpbench.contracts.errors import ConfigError, DataError, MetricError
from nlpbench.contracts.seeds import derived_seed
from nlpbench.plugins.suggest import did_you_mean
from nlpbench.results.documents import COMPARISON_KEYS
from nlpbench.statistics.bootstrap import BLOCK_ELEMENTS, block_rows, percentile_interval, resample_blocks

__all__ = [
    "ALPHA",
    "CORRECTIONS",
    "ENTRY_KEYS",
    "FAMILIES",
    "TEST_MCNEMAR",
    "TEST_RANDOMIZATION",
    "McNemarResult",
    "PairedResult",
    "adjust",
    "adjust_family",
    "approximate_randomization",
    "benjamini_hochberg",
    "binomial_tail",
    "compare_models",
    "comparisons_csv",
    "comparisons_markdown",
    "comparisons_table",
    "disagreement",
    "family_kind",
    "family_name",
    "format_p",
    "holm",
    "mcnemar_exact",
    "paired_bootstrap",
    "randomization_trials",
    "short_test",
    "significance_from",
    "tie_groups",
]

#: The significance level behind ``better`` and tie groups.
ALPHA = 0.05
#: The corrections ``adjust`` knows: Holm (default), Benjamini-Hochberg, or none.
CORRECTIONS = ("holm", "bh", "none")
#: What a family of comparisons (the p-values corrected together) spans: one task and
#: one metric (the default: "which models differ on this benchmark"), one task (all its
#: metrics), or the whole run.
FAMILIES = ("metric", "task", "run")
#: The names written in each entry's ``test`` field.
TEST_MCNEMAR = "paired-bootstrap+mcnemar-exact"
TEST_RANDOMIZATION = "paired-bootstrap+approximate-randomization"
#: The keys of a comparison entry, in the order tables and CSV show them.
ENTRY_KEYS = COMPARISON_KEYS

# a resample counts as "at least as extreme" within this relative tolerance, so that
# the same value computed two ways (vectorized, or not) never falls on the wrong side
_TIE_TOLERANCE = 1e-9
# below this many discordant pairs the binomial tail is summed in exact integers
_EXACT_LIMIT = 20_000

Aggregate = Callable[[StatsArray], float]
AggregateResamples = Callable[[StatsArray, npt.NDArray[np.int64]], Any]


# -- the paired bootstrap ---------------------------------------------------------


@dataclass(frozen=True)
class PairedResult:
    """The difference ``a - b``, its percentile interval and a two-sided bootstrap p-value.

    ``resamples`` is how many resamples gave a finite difference (those the interval
    and p-value rest on). Fields are None when they can't be computed (no examples;
    one example or no resamples for the interval and p-value).
    """

    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    n: int
    resamples: int


def _finite(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _paired_arrays(stats_a: StatsArray, stats_b: StatsArray) -> tuple[StatsArray, StatsArray]:
    a = np.asarray(stats_a, dtype=np.float64)
    b = np.asarray(stats_b, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if b.ndim == 1:
        b = b[:, None]
    if a.ndim != 2 or a.shape != b.shape:
        raise MetricError(f"paired statistics must have the same 2-dimensional shape, got {a.shape} and {b.shape}")
    return a, b


def _score_rows(
    stats: StatsArray,
    rows: npt.NDArray[np.int64],
    aggregate: Aggregate,
    aggregate_resamples: AggregateResamples | None,
) -> npt.NDArray[np.float64]:
    """The aggregate of ``stats[row]`` for every row of indices."""
    if aggregate_resamples is not None:
        scores = np.asarray(aggregate_resamples(stats, rows), dtype=np.float64).reshape(-1)
        if scores.shape != (len(rows),):
            raise MetricError(f"aggregate_resamples returned {scores.size} scores for {len(rows)} resamples")
        return scores
    return np.array([aggregate(stats[row]) for row in rows], dtype=np.float64)


def _difference(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    with np.errstate(invalid="ignore"):  # inf - inf: a resample the metric can't score, dropped later
        return x - y


def _at_least(values: npt.NDArray[np.float64], threshold: float) -> int:
    """How many ``values`` are >= ``threshold``, ties within rounding included."""
    return int(np.count_nonzero(values >= threshold - _TIE_TOLERANCE * max(1.0, abs(threshold))))


def paired_bootstrap(
    stats_a: StatsArray,
    stats_b: StatsArray,
    aggregate: Aggregate,
    *,
    resamples: int,
    seed: int,
    confidence: float = 0.95,
    aggregate_resamples: AggregateResamples | None = None,
    block_elements: int = BLOCK_ELEMENTS,
) -> PairedResult:
    """The paired bootstrap of ``aggregate(a) - aggregate(b)`` (Koehn 2004).

    Row ``i`` of ``stats_a`` and of ``stats_b`` belong to the same example. Each resample
    draws example indices with replacement (``nlpbench.statistics.bootstrap.resample_indices(n,
    resamples, seed)``: the runner's own resamples when given its seed) and scores the
    *same* rows for both models, so corpus-level metrics resample sufficient statistics.
    The interval is the percentile interval of the resampled differences ``d*``; the
    two-sided p-value is the shifted bootstrap test of "no difference"::

        p = (1 + #{ |d*_i - delta| >= |delta| }) / (R + 1)

    over the ``R`` resamples with a finite difference (non-finite ones are dropped). The
    resamples are drawn and scored about ``block_elements`` indices at a time, which
    bounds the memory and changes nothing else.
    """
    a, b = _paired_arrays(stats_a, stats_b)
    n = len(a)
    if n == 0:
        return PairedResult(None, None, None, None, 0, 0)
    delta = _finite(aggregate(a) - aggregate(b))
    if resamples <= 0 or n == 1:
        return PairedResult(delta, None, None, None, n, 0)
    # drawn and scored a block of rows at a time (the same rows as one draw), so the
    # working set stays the same whatever the number of examples
    differences = np.concatenate(
        [
            _difference(
                _score_rows(a, rows, aggregate, aggregate_resamples),
                _score_rows(b, rows, aggregate, aggregate_resamples),
            )
            for rows in resample_blocks(n, resamples, seed, block_elements=block_elements)
        ]
    )
    differences = differences[np.isfinite(differences)]
    if differences.size == 0:
        return PairedResult(delta, None, None, None, n, 0)
    low, high = percentile_interval(differences, confidence)
    p_value = None
    if delta is not None:
        extreme = _at_least(np.abs(differences - delta), abs(delta))
        p_value = (1 + extreme) / (differences.size + 1)
    return PairedResult(delta, low, high, p_value, n, int(differences.size))


# -- approximate randomization ----------------------------------------------------


def _swap_masks(n: int, trials: int, seed: int, block_elements: int) -> Iterator[npt.NDArray[np.bool_]]:
    """Blocks of per-example coins (True: swap the two models' rows), one row per trial.

    ``random`` draws one double per coin whatever the block size, so the coins are the
    same however they are blocked.
    """
    rng = np.random.default_rng(seed)
    block = block_rows(n, block_elements)
    for start in range(0, trials, block):
        yield rng.random((min(block, trials - start), n)) < 0.5


def approximate_randomization(
    stats_a: StatsArray,
    stats_b: StatsArray,
    aggregate: Aggregate,
    *,
    trials: int,
    seed: int,
    aggregate_resamples: AggregateResamples | None = None,
    block_elements: int = BLOCK_ELEMENTS,
    stop_above: float | None = None,
    least: int = 1000,
) -> float | None:
    """The two-sided approximate randomization p-value of ``aggregate(a) - aggregate(b)``.

    Each trial swaps every example's rows between ``a`` and ``b`` on a fair coin and
    rescores both (Noreen 1989; Riezler & Maxwell 2005)::

        p = (1 + #{ |aggregate(a') - aggregate(b')| >= |aggregate(a) - aggregate(b)| }) / (T + 1)

    over the ``T`` trials with a finite difference. A swapped pair is an index row into
    ``a`` and ``b`` stacked (row ``i`` or ``n + i``), so ``aggregate_resamples`` scores
    many trials at once when given (about ``block_elements`` coins at a time). None with
    no examples, no trials or a non-finite observed difference.

    With ``stop_above`` (the level the family is tested at), the trials stop early once
    the p-value is surely above it: checked after ``least`` trials and at each doubling,
    when even the 99.9% lower bound of the exceedance rate (Clopper-Pearson) is above
    ``stop_above``, ``p`` is given over the trials made. The many trials a large family
    needs (:func:`randomization_trials`) only decide p-values near its corrected level;
    a comparison far from significance would spend them for nothing (a run of 20 models
    × 30 tasks compared as one family asks for over a million trials per comparison).
    The checkpoints depend on trial counts alone, never on how trials are blocked.
    """
    from nlpbench.statistics.bootstrap import clopper_pearson

    a, b = _paired_arrays(stats_a, stats_b)
    n = len(a)
    if n == 0 or trials <= 0:
        return None
    observed = _finite(aggregate(a) - aggregate(b))
    if observed is None:
        return None
    stacked = np.concatenate([a, b])
    own = np.arange(n, dtype=np.int64)
    checkpoints = []
    if stop_above is not None:
        point = least
        while point < trials:
            checkpoints.append(point)
            point *= 2
    chunks = []
    made = 0
    for swap in _swap_masks(n, trials, seed, block_elements):
        rows_a = np.where(swap, own + n, own)
        rows_b = np.where(swap, own, own + n)
        chunks.append(
            _difference(
                _score_rows(stacked, rows_a, aggregate, aggregate_resamples),
                _score_rows(stacked, rows_b, aggregate, aggregate_resamples),
            )
        )
        made += len(swap)
        while checkpoints and made >= checkpoints[0] and stop_above is not None:
            first = np.concatenate(chunks)[: checkpoints.pop(0)]
            first = first[np.isfinite(first)]
            exceeded = _at_least(np.abs(first), abs(observed))
            if first.size and clopper_pearson(exceeded, int(first.size), 0.998)[0] > stop_above:
                return (1 + exceeded) / (first.size + 1)
    differences = np.concatenate(chunks)
    differences = differences[np.isfinite(differences)]
    return (1 + _at_least(np.abs(differences), abs(observed))) / (differences.size + 1)


def randomization_trials(comparisons: int, *, alpha: float = ALPHA, least: int = 1000) -> int:
    """Enough randomization trials for a family of ``comparisons`` tests: at least ``least``,
    and enough that the smallest possible p-value, ``1 / (T + 1)``, stays significant after
    Holm multiplies it by the family size, with a tenfold margin (``comparisons / (T + 1)
    <= alpha / 10``). With fewer, no randomization test of a large run can be significant."""
    return max(least, math.ceil(10 * max(comparisons, 1) / alpha) - 1)


# -- the exact McNemar test -------------------------------------------------------


@dataclass(frozen=True)
class McNemarResult:
    """The discordant pairs of two models' per-example correctness and the exact p-value.

    ``a_only``: examples ``a`` gets right and ``b`` wrong; ``b_only``: the reverse.
    """

    a_only: int
    b_only: int
    n: int
    p_value: float


def binomial_tail(k: int, m: int) -> float:
    """``P(X <= k)`` for ``X ~ Binomial(m, 1/2)``: exact integers, or log space for large ``m``."""
    if m < 0:
        raise ValueError(f"m must be >= 0, got {m}")
    if k < 0:
        return 0.0
    if k >= m:
        return 1.0
    if m <= _EXACT_LIMIT:
        total, term = 0, 1  # term = C(m, j), updated in exact integers
        for j in range(k + 1):
            total += term
            term = term * (m - j) // (j + 1)
        return total / (1 << m)  # int / int is correctly rounded, however large
    logs = [math.lgamma(m + 1) - math.lgamma(j + 1) - math.lgamma(m - j + 1) for j in range(k + 1)]
    top = max(logs)
    return math.exp(top + math.log(math.fsum(math.exp(x - top) for x in logs)) - m * math.log(2.0))


def binomial_test(k: int, m: int, p: float = 0.5) -> float:
    """The exact two-sided binomial test of ``k`` successes in ``m`` trials against the
    proportion ``p``: twice the smaller tail, capped at 1 (the same convention as the
    exact McNemar test). 1.0 with no trials."""
    if m <= 0:
        return 1.0
    if not 0 <= k <= m:
        raise ValueError(f"need 0 <= k <= m, not k={k}, m={m}")
    if p == 0.5:
        lower, upper = binomial_tail(k, m), binomial_tail(m - k, m)  # P(X >= k) = P(X <= m - k) by symmetry
    else:
        from nlpbench.statistics.bootstrap import binomial_cdf

        lower, upper = binomial_cdf(k, m, p), 1.0 - binomial_cdf(k - 1, m, p)
    return min(1.0, 2.0 * min(lower, upper))


def mcnemar_exact(
    correct_a: Sequence[bool] | npt.NDArray[Any], correct_b: Sequence[bool] | npt.NDArray[Any]
) -> McNemarResult:
    """McNemar's test in its exact binomial form, two-sided.

    Under "no difference", each discordant example is as likely to favour ``a`` as
    ``b``: with ``m = a_only + b_only``, ``p = min(1, 2 P(X <= min(a_only, b_only)))``
    for ``X ~ Binomial(m, 1/2)``; 1 when no example is discordant.
    """
    a = np.asarray(correct_a, dtype=bool).reshape(-1)
    b = np.asarray(correct_b, dtype=bool).reshape(-1)
    if a.shape != b.shape:
        raise MetricError(f"paired correctness must have the same length, got {a.size} and {b.size}")
    a_only = int(np.count_nonzero(a & ~b))
    b_only = int(np.count_nonzero(~a & b))
    discordant = a_only + b_only
    p_value = 1.0 if discordant == 0 else min(1.0, 2.0 * binomial_tail(min(a_only, b_only), discordant))
    return McNemarResult(a_only, b_only, int(a.size), p_value)


# -- corrections for many comparisons ---------------------------------------------


def _present(pvalues: Sequence[float | None]) -> tuple[list[int], npt.NDArray[np.float64]]:
    where = [i for i, p in enumerate(pvalues) if p is not None]
    values = np.array([pvalues[i] for i in where], dtype=np.float64)
    if np.any(~np.isfinite(values)) or np.any(values < 0) or np.any(values > 1):
        raise ValueError("p-values must lie in [0, 1]")
    return where, values


def _placed(pvalues: Sequence[float | None], where: list[int], adjusted: npt.NDArray[np.float64]) -> list[float | None]:
    out: list[float | None] = [None] * len(pvalues)
    for i, value in zip(where, adjusted, strict=True):
        out[i] = float(value)
    return out


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm's (1979) step-down adjusted p-values, in the input order (None stays None).

    Sorted ascending, ``p_(i)`` becomes ``max_{j <= i} min(1, (m - j + 1) p_(j))`` with
    ``m`` the number of p-values present. Controls the family-wise error rate.
    """
    where, values = _present(pvalues)
    m = len(values)
    if m == 0:
        return [None] * len(pvalues)
    order = np.argsort(values, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * values[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return _placed(pvalues, where, adjusted)


def benjamini_hochberg(pvalues: Sequence[float | None]) -> list[float | None]:
    """Benjamini & Hochberg's (1995) step-up adjusted p-values, in the input order.

    Sorted ascending, ``p_(i)`` becomes ``min_{j >= i} min(1, m p_(j) / j)``. Controls
    the false discovery rate (under independence or positive dependence).
    """
    where, values = _present(pvalues)
    m = len(values)
    if m == 0:
        return [None] * len(pvalues)
    order = np.argsort(values, kind="stable")
    scaled = np.minimum(1.0, m * values[order] / np.arange(1, m + 1))
    adjusted = np.empty(m)
    adjusted[order] = np.minimum.accumulate(scaled[::-1])[::-1]
    # m p / m may round below p; an adjusted p-value is never smaller than the raw one
    return _placed(pvalues, where, np.maximum(adjusted, values))


def adjust(pvalues: Sequence[float | None], method: str) -> list[float | None]:
    """``pvalues`` adjusted by ``method``: ``holm``, ``bh`` (Benjamini-Hochberg) or ``none``."""
    if method == "holm":
        return holm(pvalues)
    if method == "bh":
        return benjamini_hochberg(pvalues)
    _check_correction(method)
    _present(pvalues)
    return list(pvalues)


def _check_correction(method: str) -> None:
    if method not in CORRECTIONS:
        raise ConfigError(f"unknown correction '{method}'{did_you_mean(method, CORRECTIONS)} (one of: holm, bh, none)")


def _better(entry: Mapping[str, Any], alpha: float) -> str | None:
    p, delta = entry.get("p_adjusted"), entry.get("delta")
    if p is None or delta is None or delta == 0 or p >= alpha:
        return None
    return "a" if (delta > 0) == bool(entry.get("higher_is_better", True)) else "b"


def family_name(family: str, task: str, metric: str) -> str:
    """The name of the family a comparison on ``task`` and ``metric`` belongs to, for a
    family kind of :data:`FAMILIES`: ``"TASK/METRIC"``, ``"TASK"`` or ``"run"``. The one
    definition every caller (the runner, rescoring, ``nlpbench compare``) uses, so they
    correct the same p-values together and give the same verdicts."""
    if family == "metric":
        return f"{task}/{metric}"
    if family == "task":
        return task
    if family == "run":
        return "run"
    raise ConfigError(f"unknown family '{family}'{did_you_mean(family, FAMILIES)} (one of: metric, task, run)")


def adjust_family(
    entries: Sequence[Mapping[str, Any]], method: str, *, alpha: float = ALPHA, family: str = "run"
) -> list[dict[str, Any]]:
    """Copies of ``entries`` with ``p_adjusted``, ``correction``, ``family``,
    ``family_size`` and ``better`` set, each corrected with the others of its family
    (:func:`family_name` of ``family``: by default all of them together, the run).
    ``family_size`` counts the p-values corrected together (entries without one are not
    counted)."""
    names = [family_name(family, str(entry.get("task")), str(entry.get("metric"))) for entry in entries]
    members: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        members.setdefault(name, []).append(index)
    adjusted: list[float | None] = [None] * len(entries)
    sizes: dict[str, int] = {}
    for name, where in members.items():
        pvalues = [entries[i].get("p_value") for i in where]
        sizes[name] = sum(p is not None for p in pvalues)
        for i, p in zip(where, adjust(pvalues, method), strict=True):
            adjusted[i] = p
    out = []
    for entry, p, name in zip(entries, adjusted, names, strict=True):
        fresh = {**entry, "p_adjusted": p, "correction": method, "family": name, "family_size": sizes[name]}
        fresh["better"] = _better(fresh, alpha)
        out.append(fresh)
    return out


# -- tie groups -------------------------------------------------------------------


def tie_groups(models_ranked: Sequence[str], significant: Callable[[str, str], bool]) -> list[int]:
    """The tie group (1, 2, ...) of each model, in ranking order (best first).

    Walking down the ranking, the first model leads group 1; each next model joins the
    current group unless it differs significantly from that group's *leader* (its best
    model), in which case it leads a new group. So every model of a group is not
    significantly different from the group's best; ``significant(x, y)`` says whether
    models ``x`` and ``y`` differ significantly (in either order).
    """
    groups: list[int] = []
    leader: str | None = None
    for model in models_ranked:
        if leader is None:
            leader, number = model, 1
        elif significant(leader, model):
            leader, number = model, number + 1
        groups.append(number)
    return groups


def significance_from(
    entries: Sequence[Mapping[str, Any]], *, task: str, metric: str, alpha: float = ALPHA
) -> Callable[[str, str], bool]:
    """A ``significant(x, y)`` for :func:`tie_groups` from comparison entries: whether the
    entry for ``x`` and ``y`` on ``task`` and ``metric`` has ``p_adjusted < alpha``
    (pairs without an entry or a p-value are not significant)."""
    found: dict[frozenset[str], bool] = {}
    for entry in entries:
        if entry.get("task") == task and entry.get("metric") == metric:
            p = entry.get("p_adjusted")
            found[frozenset((entry["a"], entry["b"]))] = p is not None and p < alpha

    def significant(x: str, y: str) -> bool:
        return found.get(frozenset((x, y)), False)

    return significant


# -- comparing every pair of models -----------------------------------------------


def _aligned(
    name_a: str, ids_a: Sequence[str], name_b: str, ids_b: Sequence[str]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Row numbers of the examples both models answered, in ``a``'s order."""
    rows_b: dict[str, int] = {}
    for row, example_id in enumerate(ids_b):
        if rows_b.setdefault(example_id, row) != row:
            raise DataError(f"model '{name_b}' has example id '{example_id}' more than once")
    seen: set[str] = set()
    keep_a, keep_b = [], []
    for row, example_id in enumerate(ids_a):
        if example_id in seen:
            raise DataError(f"model '{name_a}' has example id '{example_id}' more than once")
        seen.add(example_id)
        if example_id in rows_b:
            keep_a.append(row)
            keep_b.append(rows_b[example_id])
    return np.array(keep_a, dtype=np.int64), np.array(keep_b, dtype=np.int64)


def _correctness(
    metric: Metric, rows: StatsArray, correct: Callable[[StatsArray], bool | None] | None, metric_name: str
) -> list[bool | None]:
    """Per-example correctness: ``correct(row)``, or the metric's example score at the top
    of its scale (1.0 for 0-1 metrics, 100.0 for 0-100 ones). None: the example doesn't count."""
    if correct is not None:
        return [correct(row) for row in rows]
    example_score = getattr(metric, "example_score", None)
    top = float(metric.scale[1]) if math.isfinite(float(metric.scale[1])) else 1.0
    out: list[bool | None] = []
    for row in rows:
        score = example_score(row) if callable(example_score) else (float(row[0]) if len(row) == 1 else None)
        if score is None:
            out.append(None)
        elif score in (0.0, top):
            out.append(score == top)
        else:
            raise MetricError(f"metric '{metric_name}' is not accuracy-like: an example scores {score}, not 0 or {top}")
    return out


def compare_models(
    per_model: Mapping[str, tuple[Sequence[str], StatsArray]],
    metric: Metric,
    *,
    task: str,
    metric_name: str,
    resamples: int,
    trials: int,
    seed: int,
    confidence: float = 0.95,
    correction: str = "holm",
    accuracy_like: bool = False,
    correct: Callable[[StatsArray], bool | None] | None = None,
    alpha: float = ALPHA,
) -> list[dict[str, Any]]:
    """One comparison entry for every pair of models, in the given order (``a`` before ``b``).

    ``per_model`` maps each model to its example ids and statistics rows (one row per
    id). Each pair is compared on the examples both answered (``n``; ``n_dropped`` is
    how many of either model's examples the other lacks): the paired bootstrap gives
    ``delta`` (a - b) and its interval, and the p-value comes from the exact McNemar
    test when ``accuracy_like`` (per-example correctness from ``correct``, or the
    metric's example score at the top of its scale), else from approximate
    randomization. p-values are adjusted across these pairs by ``correction`` (they are
    one family: one task, one metric); a wider family re-adjusts them with
    :func:`adjust_family`.

    ``seed`` seeds the bootstrap's resamples (pass the runner's
    ``derived_seed(suite_seed, task, "bootstrap")`` and a pair that shares all examples
    is resampled exactly as each model's own interval was); the randomization trials
    use a seed derived from it.
    """
    _check_correction(correction)
    aggregate_resamples = getattr(metric, "aggregate_resamples", None)
    names = list(per_model)
    entries: list[dict[str, Any]] = []
    for i, name_a in enumerate(names):
        for name_b in names[i + 1 :]:
            ids_a, stats_a = per_model[name_a]
            ids_b, stats_b = per_model[name_b]
            a_all, b_all = _paired_arrays_of(name_a, ids_a, stats_a), _paired_arrays_of(name_b, ids_b, stats_b)
            if a_all.shape[1] != b_all.shape[1]:
                raise MetricError(
                    f"metric '{metric_name}' on task '{task}': models '{name_a}' and '{name_b}' have statistics "
                    f"of different widths ({a_all.shape[1]} and {b_all.shape[1]})"
                )
            keep_a, keep_b = _aligned(name_a, ids_a, name_b, ids_b)
            a, b = a_all[keep_a], b_all[keep_b]
            n = len(keep_a)
            result = paired_bootstrap(
                a,
                b,
                metric.aggregate,
                resamples=resamples,
                seed=seed,
                confidence=confidence,
                aggregate_resamples=aggregate_resamples,
            )
            if accuracy_like:
                test = TEST_MCNEMAR
                pairs = [
                    (x, y)
                    for x, y in zip(
                        _correctness(metric, a, correct, metric_name),
                        _correctness(metric, b, correct, metric_name),
                        strict=True,
                    )
                    if x is not None and y is not None
                ]
                p_value = mcnemar_exact([x for x, _ in pairs], [y for _, y in pairs]).p_value if pairs else None
            else:
                test = TEST_RANDOMIZATION
                p_value = approximate_randomization(
                    a,
                    b,
                    metric.aggregate,
                    trials=trials,
                    seed=derived_seed(seed, "approximate-randomization"),
                    aggregate_resamples=aggregate_resamples,
                    stop_above=alpha,
                )
            entries.append(
                {
                    "task": task,
                    "metric": metric_name,
                    "a": name_a,
                    "b": name_b,
                    "delta": result.delta,
                    "ci_low": result.ci_low,
                    "ci_high": result.ci_high,
                    "test": test,
                    "p_value": p_value,
                    "p_adjusted": None,
                    "correction": correction,
                    "family": None,
                    "family_size": None,
                    "n": n,
                    "n_dropped": len(ids_a) + len(ids_b) - 2 * n,
                    "higher_is_better": bool(metric.higher_is_better),
                    "better": None,
                }
            )
    return adjust_family(entries, correction, alpha=alpha, family="metric")


def _paired_arrays_of(name: str, ids: Sequence[str], stats: StatsArray) -> StatsArray:
    array = np.asarray(stats, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or len(array) != len(ids):
        raise MetricError(f"model '{name}': {len(ids)} example ids but statistics of shape {array.shape}")
    return array


# -- output -----------------------------------------------------------------------

#: Short names of the tests, for a table's ``test`` column.
_TEST_NAMES = {TEST_MCNEMAR: "McNemar", TEST_RANDOMIZATION: "randomization"}
_CORRECTION_NAMES = {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "no correction"}
_FAMILY_WORDS = {"metric": "within each task × metric", "task": "within each task", "run": "across the run"}
#: What each note of :func:`disagreement` means, for a table's footnote.
_NOTES = {
    "CI includes 0": "the test finds a difference, the bootstrap interval includes 0 (the verdict follows the test)",
    "not after correction": "p < alpha and the interval excludes 0, but the corrected p does not pass",
    "CI excludes 0": "the interval excludes 0, the test does not find a difference (the verdict follows the test)",
}


def short_test(test: str | None) -> str:
    """The test behind an entry's ``p_value`` in a word: ``McNemar`` or ``randomization``."""
    return _TEST_NAMES.get(str(test), str(test or "—"))


def format_p(value: float | None, alpha: float = ALPHA) -> str:
    """A p-value for people: three decimals (``<0.001`` below that), or as many more as
    it takes for the printed number to fall on the same side of ``alpha`` as the value,
    so a table never prints ``0.050`` beside a difference declared at 0.04995."""
    if value is None:
        return "—"
    if value < 0.001 < alpha:
        return "<0.001"
    for digits in range(3, 17):
        text = f"{value:.{digits}f}"
        if (float(text) < alpha) == (value < alpha):
            return text
    return repr(value)


def disagreement(entry: Mapping[str, Any], alpha: float = ALPHA) -> str | None:
    """Why an entry's interval and its verdict seem to disagree, in a few words, or None
    when they agree. The interval is the paired bootstrap's and is not corrected; the
    verdict is the test's corrected p-value: ``CI includes 0`` (better, though the
    interval includes 0), ``not after correction`` (the interval excludes 0 and ``p <
    alpha``, but ``p_adjusted`` does not pass), ``CI excludes 0`` (the interval excludes
    0 but the test's own p-value does not pass)."""
    low, high, p = entry.get("ci_low"), entry.get("ci_high"), entry.get("p_value")
    if low is None or high is None or p is None:
        return None
    excludes = low > 0 or high < 0
    significant = entry.get("better") in ("a", "b")
    if significant and not excludes:
        return "CI includes 0"
    if excludes and not significant:
        return "not after correction" if p < alpha else "CI excludes 0"
    return None


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.2f}"


def _cells(entry: Mapping[str, Any], alpha: float) -> list[str]:
    interval = "—"
    if entry.get("ci_low") is not None and entry.get("ci_high") is not None:
        interval = f"[{_number(entry['ci_low'])}, {_number(entry['ci_high'])}]"
    delta = entry.get("delta")
    better = entry.get("better")
    winner = entry.get(better, "") if better in ("a", "b") else "no difference"
    return [
        str(entry.get("task", "")),
        str(entry.get("metric", "")) + (" ↑" if entry.get("higher_is_better", True) else " ↓"),
        str(entry.get("a", "")),
        str(entry.get("b", "")),
        "—" if delta is None else f"{delta:+.3f}" if abs(delta) < 10 else f"{delta:+.2f}",
        interval,
        short_test(entry.get("test")),
        format_p(entry.get("p_value"), alpha),
        format_p(entry.get("p_adjusted"), alpha),
        f"{entry.get('n', '')}" + (f" (-{entry['n_dropped']})" if entry.get("n_dropped") else ""),
        str(winner),
        disagreement(entry, alpha) or "",
    ]


def _headers(confidence: float) -> list[str]:
    return ["task", "metric", "a", "b", "delta (a−b)", f"{confidence:.0%} CI", "test", "p", "p adjusted", "n", "better"]


def family_kind(entry: Mapping[str, Any]) -> str | None:
    """The kind of family (``metric``, ``task`` or ``run``) an entry was corrected in,
    read from its ``family`` name; None for an entry without one."""
    family = entry.get("family")
    if family is None:
        return None
    for kind in FAMILIES:
        if family == family_name(kind, str(entry.get("task")), str(entry.get("metric"))):
            return kind
    return None


def _footnote(entries: Sequence[Mapping[str, Any]], confidence: float, alpha: float) -> list[str]:
    """What the columns mean: the interval's method and level, each test, the correction
    and its family, and the notes the rows carry."""
    corrections = sorted({_CORRECTION_NAMES.get(str(e.get("correction")), str(e.get("correction"))) for e in entries})
    kinds = sorted({_FAMILY_WORDS[kind] for kind in map(family_kind, entries) if kind is not None})
    families = {str(e.get("family")) for e in entries if e.get("family") is not None}
    sizes = sorted({int(e["family_size"]) for e in entries if e.get("family_size") is not None})
    size = "" if not sizes else f" of {sizes[0]}" if len(sizes) == 1 else f" of {sizes[0]} to {sizes[-1]}"
    plural = "" if sizes == [1] else "s"
    within = f" {' / '.join(kinds)}: {len(families)} famil{'y' if len(families) == 1 else 'ies'}{size} p-value{plural}"
    tests = sorted({short_test(e.get("test")) for e in entries})
    explained = {
        "McNemar": "McNemar = exact McNemar test",
        "randomization": "randomization = approximate randomization",
    }
    lines = [
        f"{len(entries)} comparisons; {confidence:.0%} CI: paired-bootstrap percentile interval of delta (a − b); "
        f"p: two-sided, {', '.join(explained.get(t, t) for t in tests)}",
        f"p adjusted: {', '.join(corrections)}{within if kinds else ''}; better: adjusted p < {alpha:g}; "
        "n (-k): k examples dropped, not answered by both",
    ]
    notes = sorted({note for note in (disagreement(e, alpha) for e in entries) if note})
    lines += [f"note {note}: {_NOTES[note]}" for note in notes]
    return lines


def comparisons_table(entries: Sequence[Mapping[str, Any]], *, confidence: float = 0.95, alpha: float = ALPHA) -> str:
    """The comparisons as a plain-text table for the terminal: each row names its test,
    the header the interval's level, and a footnote how it was all computed and corrected."""
    if not entries:
        return "no comparisons (a task needs two models that answered the same examples)"
    rows = [_cells(entry, alpha) for entry in entries]
    headers = [*_headers(confidence), *(["note"] if any(row[-1] for row in rows) else [])]
    table = [headers, *(row[: len(headers)] for row in rows)]
    widths = [max(len(row[col]) for row in table) for col in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join([*lines, *_footnote(entries, confidence, alpha)])


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def comparisons_markdown(
    entries: Sequence[Mapping[str, Any]], *, confidence: float = 0.95, alpha: float = ALPHA
) -> str:
    """The comparisons as a Markdown table, with lines naming the interval, tests and correction."""
    if not entries:
        return "_No comparisons (a task needs two models that answered the same examples)._\n"
    rows = [_cells(entry, alpha) for entry in entries]
    headers = [*_headers(confidence), *(["note"] if any(row[-1] for row in rows) else [])]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in row[: len(headers)]) + " |")
    notes = [_markdown_cell(line) + "." for line in _footnote(entries, confidence, alpha)]
    return "\n".join([*lines, "", *(f"- {line}" for line in notes)]) + "\n"


def comparisons_csv(entries: Sequence[Mapping[str, Any]]) -> str:
    """The comparisons as CSV: a header row of the entry keys, numbers at full precision,
    empty cells for null."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ENTRY_KEYS)
    for entry in entries:
        writer.writerow(["" if entry.get(key) is None else entry.get(key) for key in ENTRY_KEYS])
    return buffer.getvalue()
