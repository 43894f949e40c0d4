"""Paired tests, corrections and tie groups: exact where exactness is possible, and by
simulation where it is not (false positives under the null, interval coverage, power)."""

from __future__ import annotations

import csv
import io
import math
from typing import Any, ClassVar

import numpy as np
import pytest

from nlpbench.contracts.errors import ConfigError, DataError, MetricError
from nlpbench.statistics.bootstrap import resample_indices
from nlpbench.statistics.significance import (
    ENTRY_KEYS,
    TEST_MCNEMAR,
    TEST_RANDOMIZATION,
    adjust,
    adjust_family,
    approximate_randomization,
    benjamini_hochberg,
    binomial_tail,
    compare_models,
    comparisons_csv,
    comparisons_markdown,
    comparisons_table,
    disagreement,
    family_name,
    format_p,
    holm,
    mcnemar_exact,
    paired_bootstrap,
    randomization_trials,
    significance_from,
    tie_groups,
)

# -- metrics to test with: a mean of a column, and a ratio of sums (like BLEU) ---------


def mean(stats: np.ndarray) -> float:
    return float(stats[:, 0].mean())


def mean_many(stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
    return stats[:, 0][indices].mean(axis=1)


def ratio(stats: np.ndarray) -> float:
    return float(stats[:, 0].sum() / stats[:, 1].sum())


def ratio_many(stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):  # an empty denominator: inf or NaN, dropped
        return stats[:, 0][indices].sum(axis=1) / stats[:, 1][indices].sum(axis=1)


class MeanMetric:
    """A mean of one column, 0-1, like accuracy from correctness rows."""

    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)

    def aggregate(self, stats: np.ndarray) -> float:
        return mean(stats)

    def aggregate_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        return mean_many(stats, indices)


class LowerMeanMetric(MeanMetric):
    """The same, where lower is better (an error rate)."""

    higher_is_better: ClassVar[bool] = False


class SlowMeanMetric:
    """A mean without the vectorized path: every resample goes through ``aggregate``."""

    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)

    def aggregate(self, stats: np.ndarray) -> float:
        return mean(stats)


def paired_normals(rng: np.random.Generator, n: int, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Scores of two models on the same examples: an example effect shared by both, plus noise."""
    shared = rng.normal(size=n)
    return (shared + shift + rng.normal(size=n))[:, None], (shared + rng.normal(size=n))[:, None]


def paired_ratios(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """[matches, length] rows of two equally good systems on the same segments (each segment
    has its own difficulty; lengths differ between systems)."""
    difficulty = rng.beta(2, 3, size=n)
    length_a, length_b = rng.poisson(20, size=n) + 1, rng.poisson(20, size=n) + 1
    a = np.c_[rng.binomial(length_a, difficulty), length_a].astype(np.float64)
    b = np.c_[rng.binomial(length_b, difficulty), length_b].astype(np.float64)
    return a, b


def paired_correct(rng: np.random.Generator, n: int, p_a: float, p_b: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-example correctness of two models whose examples vary in difficulty."""
    ease = rng.uniform(-0.15, 0.15, size=n)
    return rng.random(n) < p_a + ease, rng.random(n) < p_b + ease


# -- exactness ------------------------------------------------------------------------


def test_the_binomial_tail_is_exact() -> None:
    assert binomial_tail(2, 10) == (1 + 10 + 45) / 1024
    assert binomial_tail(0, 5) == 1 / 32
    assert binomial_tail(5, 5) == 1.0 and binomial_tail(-1, 5) == 0.0
    assert binomial_tail(0, 0) == 1.0
    # symmetric: P(X <= k) + P(X <= m - k - 1) = 1
    assert math.isclose(binomial_tail(40, 101) + binomial_tail(60, 101), 1.0, rel_tol=1e-15)
    # tiny tails don't underflow to nonsense
    assert binomial_tail(0, 1000) == 2.0**-1000


def test_the_log_space_tail_agrees_with_the_exact_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import nlpbench.statistics.significance as significance

    exact = [binomial_tail(k, m) for k, m in [(3, 10), (80, 200), (990, 2000), (1, 30)]]
    monkeypatch.setattr(significance, "_EXACT_LIMIT", 0)
    logs = [binomial_tail(k, m) for k, m in [(3, 10), (80, 200), (990, 2000), (1, 30)]]
    for e, lg in zip(exact, logs, strict=True):
        assert math.isclose(e, lg, rel_tol=1e-9)
    # far past the exact limit, the two halves of a symmetric distribution still add to 1
    assert math.isclose(binomial_tail(49_999, 100_001) + binomial_tail(50_001, 100_001), 1.0, rel_tol=1e-9)


def test_mcnemar_against_hand_computed_tails() -> None:
    # 8 examples only a gets right, 2 only b, 5 both, 3 neither: m = 10, min = 2
    a = [True] * 8 + [False] * 2 + [True] * 5 + [False] * 3
    b = [False] * 8 + [True] * 2 + [True] * 5 + [False] * 3
    result = mcnemar_exact(a, b)
    assert (result.a_only, result.b_only, result.n) == (8, 2, 18)
    assert result.p_value == 2 * (1 + 10 + 45) / 1024  # 0.109375
    assert mcnemar_exact([False] * 5, [True] * 5).p_value == 2 / 32  # 0.0625
    assert mcnemar_exact([True, True, True, False, False, False], [False] * 3 + [True] * 3).p_value == 1.0
    assert mcnemar_exact([True, False, True], [True, False, True]).p_value == 1.0  # no discordant pairs
    assert mcnemar_exact([], []).p_value == 1.0
    with pytest.raises(MetricError):
        mcnemar_exact([True], [True, False])


def test_holm_on_a_small_list() -> None:
    # sorted: 0.005, 0.01, 0.03, 0.04 -> 4 x 0.005, 3 x 0.01, 2 x 0.03, 1 x 0.04 = 0.02, 0.03, 0.06, 0.04
    # and the step-down keeps them monotone: 0.04 becomes 0.06
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])  # capped at 1
    assert holm([None, 0.01, None, 0.02]) == [None, pytest.approx(0.02), None, pytest.approx(0.02)]
    assert holm([]) == []


# Benjamini & Hochberg (1995), section 4.2: the 15 p-values of the myocardial infarction study
BH_PAPER = [
    0.0001,
    0.0004,
    0.0019,
    0.0095,
    0.0201,
    0.0278,
    0.0298,
    0.0344,
    0.0459,
    0.3240,
    0.4262,
    0.5719,
    0.6528,
    0.7590,
    1.0000,
]


def test_benjamini_hochberg_on_the_papers_example() -> None:
    # m / i x p_(i), then the running minimum from the largest p down
    by_hand = [
        15 / 1 * 0.0001,  # 0.0015
        15 / 2 * 0.0004,  # 0.003
        15 / 3 * 0.0019,  # 0.0095
        15 / 4 * 0.0095,  # 0.035625
        15 / 5 * 0.0201,  # 0.0603
        15 / 7 * 0.0298,  # 0.0639: 15/6 x 0.0278 = 0.0695 is larger than the next one
        15 / 7 * 0.0298,  # 0.0639
        15 / 8 * 0.0344,  # 0.0645
        15 / 9 * 0.0459,  # 0.0765
        15 / 10 * 0.3240,  # 0.486
        15 / 11 * 0.4262,
        15 / 12 * 0.5719,
        15 / 13 * 0.6528,
        15 / 14 * 0.7590,
        1.0,
    ]
    adjusted = benjamini_hochberg(BH_PAPER)
    assert adjusted == pytest.approx(by_hand, rel=1e-12)
    # the paper: at q = 0.05, BH rejects the four smallest, Bonferroni-type procedures three
    assert sum(p is not None and p < 0.05 for p in adjusted) == 4
    assert sum(p is not None and p < 0.05 for p in holm(BH_PAPER)) == 3
    # order of the input doesn't matter
    reversed_adjusted = benjamini_hochberg(BH_PAPER[::-1])
    assert reversed_adjusted == pytest.approx(by_hand[::-1], rel=1e-12)


def test_adjustments_are_monotone_capped_and_no_smaller_than_the_raw_p_values() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        raw = list(rng.random(12) ** 3)
        for adjusted in (holm(raw), benjamini_hochberg(raw)):
            pairs = sorted(zip(raw, adjusted, strict=True))
            values = [p for _, p in pairs]
            assert values == sorted(values)  # type: ignore[type-var]
            assert all(p is not None and r <= p <= 1.0 for r, p in pairs)
        assert all(h >= b for h, b in zip(holm(raw), benjamini_hochberg(raw), strict=True))  # type: ignore[operator]


def test_adjust_names_its_methods_and_rejects_others() -> None:
    assert adjust([0.01, 0.02], "none") == [0.01, 0.02]
    assert adjust([0.01, 0.02], "holm") == pytest.approx([0.02, 0.02])
    assert adjust([0.01, 0.02], "bh") == pytest.approx([0.02, 0.02])
    with pytest.raises(ConfigError, match="did you mean 'holm'"):
        adjust([0.01], "hlm")
    with pytest.raises(ValueError):
        adjust([1.5], "holm")


# -- tie groups -------------------------------------------------------------------------


def test_tie_groups_start_when_a_model_differs_from_its_groups_best() -> None:
    differ = {frozenset(pair) for pair in [("m1", "m3"), ("m1", "m4"), ("m2", "m4"), ("m3", "m5"), ("m4", "m5")]}

    def significant(x: str, y: str) -> bool:
        return frozenset((x, y)) in differ

    # m2 ties with m1; m3 differs from m1 and leads group 2; m4 ties with m3 (though it
    # differs from m1 and m2); m5 differs from m3, the leader, and leads group 3
    assert tie_groups(["m1", "m2", "m3", "m4", "m5"], significant) == [1, 1, 2, 2, 3]
    assert tie_groups([], significant) == []
    assert tie_groups(["only"], significant) == [1]
    assert tie_groups(["a", "b", "c"], lambda x, y: False) == [1, 1, 1]
    assert tie_groups(["a", "b", "c"], lambda x, y: True) == [1, 2, 3]


def test_tie_groups_compare_with_the_leader_not_the_neighbour() -> None:
    # b ties with a, c ties with a but differs from b: c stays in a's group
    def significant(x: str, y: str) -> bool:
        return frozenset((x, y)) == frozenset(("b", "c"))

    assert tie_groups(["a", "b", "c"], significant) == [1, 1, 1]


def test_significance_from_entries() -> None:
    entries = [
        {"task": "t", "metric": "m", "a": "x", "b": "y", "p_adjusted": 0.01},
        {"task": "t", "metric": "m", "a": "x", "b": "z", "p_adjusted": 0.2},
        {"task": "t", "metric": "m", "a": "y", "b": "z", "p_adjusted": None},
        {"task": "u", "metric": "m", "a": "x", "b": "z", "p_adjusted": 0.0},
    ]
    significant = significance_from(entries, task="t", metric="m")
    assert significant("x", "y") and significant("y", "x")
    assert not significant("x", "z") and not significant("y", "z") and not significant("x", "w")
    assert tie_groups(["x", "z", "y"], significant) == [1, 1, 2]


# -- the paired bootstrap and approximate randomization ----------------------------------


def test_the_paired_bootstrap_resamples_the_same_rows_for_both_models() -> None:
    rng = np.random.default_rng(0)
    a, b = paired_normals(rng, 60, shift=0.5)
    result = paired_bootstrap(a, b, mean, resamples=300, seed=11, confidence=0.9)
    assert result.delta == pytest.approx(mean(a) - mean(b))
    indices = resample_indices(60, 300, 11)
    by_hand = a[:, 0][indices].mean(axis=1) - b[:, 0][indices].mean(axis=1)
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(np.quantile(by_hand, [0.05, 0.95])))
    extreme = np.count_nonzero(np.abs(by_hand - result.delta) >= abs(result.delta))
    assert result.p_value == pytest.approx((1 + extreme) / 301)
    assert (result.n, result.resamples) == (60, 300)
    fast = paired_bootstrap(a, b, mean, resamples=300, seed=11, confidence=0.9, aggregate_resamples=mean_many)
    assert fast.ci_low == pytest.approx(result.ci_low) and fast.ci_high == pytest.approx(result.ci_high)
    assert fast.p_value == result.p_value
    assert paired_bootstrap(a, b, mean, resamples=300, seed=11, confidence=0.9) == result  # deterministic


def test_the_paired_bootstrap_drops_non_finite_resamples_and_degenerate_inputs() -> None:
    # a ratio whose denominator is 0 on some resamples: those resamples are dropped
    a = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 1.0], [1.0, 4.0]])
    b = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [2.0, 4.0]])
    result = paired_bootstrap(a, b, ratio, resamples=400, seed=1, aggregate_resamples=ratio_many)
    assert 0 < result.resamples < 400
    assert result.ci_low is not None and result.p_value is not None and 0 < result.p_value <= 1
    assert paired_bootstrap(np.zeros((0, 1)), np.zeros((0, 1)), mean, resamples=10, seed=0).delta is None
    single = paired_bootstrap(np.ones((1, 1)), np.zeros((1, 1)), mean, resamples=10, seed=0)
    assert (single.delta, single.ci_low, single.p_value) == (1.0, None, None)
    none = paired_bootstrap(np.ones((5, 1)), np.zeros((5, 1)), mean, resamples=0, seed=0)
    assert (none.delta, none.ci_low, none.p_value) == (1.0, None, None)
    same = paired_bootstrap(np.ones((5, 1)), np.ones((5, 1)), mean, resamples=50, seed=0)
    assert (same.delta, same.p_value) == (0.0, 1.0)
    with pytest.raises(MetricError):
        paired_bootstrap(np.ones((5, 1)), np.ones((4, 1)), mean, resamples=50, seed=0)


def test_approximate_randomization_fast_and_slow_paths_agree() -> None:
    rng = np.random.default_rng(1)
    a, b = paired_normals(rng, 80, shift=0.2)
    slow = approximate_randomization(a, b, mean, trials=500, seed=4)
    fast = approximate_randomization(a, b, mean, trials=500, seed=4, aggregate_resamples=mean_many)
    assert slow == fast and slow is not None and 0 < slow <= 1
    assert approximate_randomization(a, b, mean, trials=500, seed=4) == slow  # deterministic
    # the observed difference of identical models is 0, which every trial reaches
    assert approximate_randomization(a, a, mean, trials=100, seed=0) == 1.0
    # a huge difference: no trial reaches it, p is the smallest possible, 1 / (T + 1)
    assert approximate_randomization(a + 100, b, mean, trials=99, seed=0) == pytest.approx(1 / 100)
    assert approximate_randomization(a, b, mean, trials=0, seed=0) is None
    assert approximate_randomization(np.zeros((0, 1)), np.zeros((0, 1)), mean, trials=10, seed=0) is None


def test_enough_trials_for_a_family_to_reach_significance() -> None:
    assert randomization_trials(1) == 1000
    assert randomization_trials(81) == 16_199  # the quick suite's 81 comparisons
    for comparisons in (1, 6, 81, 500):
        trials = randomization_trials(comparisons)
        # the smallest p-value a randomization test can give, Holm-adjusted across the family
        assert comparisons / (trials + 1) <= 0.005 + 1e-12


def test_randomization_stops_early_only_where_the_p_value_is_surely_above_the_level() -> None:
    rng = np.random.default_rng(7)
    a, b = paired_normals(rng, 60, shift=0.0)
    trials = randomization_trials(5_000)  # a family of 5,000 comparisons: about a million trials
    full = approximate_randomization(a, b, mean, trials=20_000, seed=3, aggregate_resamples=mean_many)
    early = approximate_randomization(a, b, mean, trials=trials, seed=3, aggregate_resamples=mean_many, stop_above=0.05)
    first = approximate_randomization(a, b, mean, trials=1000, seed=3, aggregate_resamples=mean_many)
    assert full is not None and full > 0.3  # no difference: far above the level
    assert early == first  # given over its first 1,000 trials, the same coins as a test of 1,000
    # the checkpoints count trials, not blocks: any blocking stops at the same trial
    small_blocks = approximate_randomization(
        a, b, mean, trials=trials, seed=3, aggregate_resamples=mean_many, stop_above=0.05, block_elements=600
    )
    assert small_blocks == early
    # a real difference never stops early: every trial is made, as without the rule
    c = a + 1.0
    kept = approximate_randomization(c, b, mean, trials=4000, seed=3, aggregate_resamples=mean_many, stop_above=0.05)
    assert kept == approximate_randomization(c, b, mean, trials=4000, seed=3, aggregate_resamples=mean_many)
    assert kept == pytest.approx(1 / 4001)


def test_approximate_randomization_by_hand_on_three_examples() -> None:
    # all 8 swap patterns of 3 examples; with many trials the p-value tends to their share
    a = np.array([[1.0], [1.0], [0.0]])
    b = np.array([[0.0], [0.0], [0.0]])
    # |mean(a') - mean(b')| = |s1 + s2| / 3 with s_i = +-1 for examples 1 and 2 (example 3 ties):
    # >= 2/3 in half the patterns
    p = approximate_randomization(a, b, mean, trials=20_000, seed=0, aggregate_resamples=mean_many)
    assert p == pytest.approx(0.5, abs=0.015)


# -- simulations: false positives under the null, coverage, power -------------------------

SIMULATIONS = 400
# at a true rate of 5%, 400 simulations give a standard error of 1.1%: 6.5% is 1.4 of them
FPR_LIMIT = 0.065


def null_rejections(test: str, seed: int) -> float:
    """The share of simulated null datasets (two equally good models, 200 paired examples)
    on which ``test`` rejects at 0.05."""
    rng = np.random.default_rng(seed)
    rejected = 0
    for trial in range(SIMULATIONS):
        if test == "mcnemar":
            x, y = paired_correct(rng, 200, 0.7, 0.7)
            p: float | None = mcnemar_exact(x, y).p_value
        elif test == "ratio-bootstrap":
            a, b = paired_ratios(rng, 200)
            p = paired_bootstrap(a, b, ratio, resamples=499, seed=trial, aggregate_resamples=ratio_many).p_value
        else:
            a, b = paired_normals(rng, 200)
            if test == "mean-randomization":
                p = approximate_randomization(a, b, mean, trials=499, seed=trial, aggregate_resamples=mean_many)
            else:
                p = paired_bootstrap(a, b, mean, resamples=499, seed=trial, aggregate_resamples=mean_many).p_value
        assert p is not None
        rejected += p < 0.05
    return rejected / SIMULATIONS


@pytest.mark.slow
@pytest.mark.parametrize(
    ("test", "seed"),
    [("mcnemar", 100), ("mean-randomization", 200), ("mean-bootstrap", 201), ("ratio-bootstrap", 300)],
)
def test_false_positives_stay_at_or_below_5_percent_under_the_null(test: str, seed: int) -> None:
    assert null_rejections(test, seed) <= FPR_LIMIT


@pytest.mark.slow
def test_the_interval_of_a_known_mean_difference_covers_it_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(400)
    covered = 0
    for trial in range(SIMULATIONS):
        a, b = paired_normals(rng, 200, shift=0.3)
        result = paired_bootstrap(a, b, mean, resamples=499, seed=trial, aggregate_resamples=mean_many)
        assert result.ci_low is not None and result.ci_high is not None
        covered += result.ci_low <= 0.3 <= result.ci_high
    assert 0.92 <= covered / SIMULATIONS <= 0.975


def test_a_real_difference_is_detected_by_every_test() -> None:
    rng = np.random.default_rng(500)
    a, b = paired_correct(rng, 300, 0.8, 0.6)
    assert mcnemar_exact(a, b).p_value < 0.001
    rows_a, rows_b = a[:, None].astype(np.float64), b[:, None].astype(np.float64)
    p = approximate_randomization(rows_a, rows_b, mean, trials=999, seed=0, aggregate_resamples=mean_many)
    assert p is not None and p < 0.01
    result = paired_bootstrap(rows_a, rows_b, mean, resamples=999, seed=0, aggregate_resamples=mean_many)
    assert result.p_value is not None and result.p_value < 0.01
    assert result.ci_low is not None and result.ci_low > 0
    # and a real difference in a ratio of sums
    ra, rb = paired_ratios(rng, 300)
    ra[:, 0] = np.minimum(ra[:, 1], ra[:, 0] + 3)
    boot = paired_bootstrap(ra, rb, ratio, resamples=999, seed=0, aggregate_resamples=ratio_many)
    assert boot.p_value is not None and boot.p_value < 0.01


# -- comparing models -------------------------------------------------------------------


def ids(count: int, start: int = 0) -> list[str]:
    return [f"ex{i}" for i in range(start, start + count)]


def test_compare_models_gives_every_pair_with_the_contract_keys() -> None:
    rng = np.random.default_rng(7)
    a, b = paired_correct(rng, 200, 0.8, 0.6)
    c = rng.random(200) < 0.79
    per_model = {name: (ids(200), rows[:, None].astype(np.float64)) for name, rows in [("a", a), ("b", b), ("c", c)]}
    entries = compare_models(
        per_model,
        MeanMetric(),  # type: ignore[arg-type]
        task="sst2",
        metric_name="accuracy",
        resamples=500,
        trials=500,
        seed=1,
        accuracy_like=True,
    )
    assert [(e["a"], e["b"]) for e in entries] == [("a", "b"), ("a", "c"), ("b", "c")]
    for entry in entries:
        assert tuple(entry) == ENTRY_KEYS
        assert entry["test"] == TEST_MCNEMAR and entry["correction"] == "holm"
        assert (entry["task"], entry["metric"], entry["n"], entry["n_dropped"]) == ("sst2", "accuracy", 200, 0)
        assert entry["ci_low"] <= entry["delta"] <= entry["ci_high"]
        assert entry["p_adjusted"] >= entry["p_value"]
    first = entries[0]
    assert first["delta"] == pytest.approx(a.mean() - b.mean())
    assert first["p_value"] == mcnemar_exact(a, b).p_value
    assert first["better"] == "a"  # a is right 80% of the time, b 60%
    raw = [e["p_value"] for e in entries]
    assert [e["p_adjusted"] for e in entries] == pytest.approx(holm(raw))
    assert (
        compare_models(
            per_model,
            MeanMetric(),  # type: ignore[arg-type]
            task="sst2",
            metric_name="accuracy",
            resamples=500,
            trials=500,
            seed=1,
            accuracy_like=True,
        )
        == entries
    )  # deterministic


def test_compare_models_on_the_intersection_of_example_sets() -> None:
    rng = np.random.default_rng(8)
    a, b = paired_normals(rng, 100, shift=1.0)
    # a answered ex0..ex99; b answered ex10..ex109, in another order
    ids_b = ids(90, 10) + ids(10, 100)
    rows_b = np.concatenate([b[10:], rng.normal(size=(10, 1))])
    order = rng.permutation(100)
    per_model = {"a": (ids(100), a), "b": ([ids_b[i] for i in order], rows_b[order])}
    [entry] = compare_models(
        per_model,
        MeanMetric(),  # type: ignore[arg-type]
        task="t",
        metric_name="m",
        resamples=300,
        trials=300,
        seed=2,
    )
    assert (entry["n"], entry["n_dropped"]) == (90, 20)
    assert entry["delta"] == pytest.approx(a[10:].mean() - b[10:].mean())
    assert entry["test"] == TEST_RANDOMIZATION
    expected = approximate_randomization(a[10:], b[10:], mean, trials=300, seed=_ar_seed(2))
    assert entry["p_value"] == expected


def _ar_seed(seed: int) -> int:
    from nlpbench.contracts.seeds import derived_seed

    return derived_seed(seed, "approximate-randomization")


def test_compare_models_with_nothing_in_common_and_bad_input() -> None:
    metric: Any = MeanMetric()
    [entry] = compare_models(
        {"a": (ids(5), np.ones((5, 1))), "b": (ids(5, 5), np.zeros((5, 1)))},
        metric,
        task="t",
        metric_name="m",
        resamples=50,
        trials=50,
        seed=0,
    )
    assert (entry["n"], entry["n_dropped"], entry["delta"], entry["p_value"], entry["better"]) == (
        0,
        10,
        None,
        None,
        None,
    )
    with pytest.raises(DataError, match="model 'b' has example id 'ex1' more than once"):
        compare_models(
            {"a": (ids(2), np.ones((2, 1))), "b": (["ex1", "ex1"], np.ones((2, 1)))},
            metric,
            task="t",
            metric_name="m",
            resamples=10,
            trials=10,
            seed=0,
        )
    with pytest.raises(MetricError, match="different widths"):
        compare_models(
            {"a": (ids(2), np.ones((2, 1))), "b": (ids(2), np.ones((2, 2)))},
            metric,
            task="t",
            metric_name="m",
            resamples=10,
            trials=10,
            seed=0,
        )
    with pytest.raises(MetricError, match="2 example ids but statistics of shape"):
        compare_models(
            {"a": (ids(2), np.ones((3, 1))), "b": (ids(2), np.ones((2, 1)))},
            metric,
            task="t",
            metric_name="m",
            resamples=10,
            trials=10,
            seed=0,
        )
    with pytest.raises(MetricError, match="not accuracy-like"):
        compare_models(
            {"a": (ids(2), np.full((2, 1), 0.5)), "b": (ids(2), np.ones((2, 1)))},
            metric,
            task="t",
            metric_name="m",
            resamples=10,
            trials=10,
            seed=0,
            accuracy_like=True,
        )
    with pytest.raises(ConfigError, match="unknown correction 'bonferroni'"):
        compare_models({}, metric, task="t", metric_name="m", resamples=1, trials=1, seed=0, correction="bonferroni")


def test_better_follows_the_metrics_direction_and_the_alpha() -> None:
    rng = np.random.default_rng(9)
    a, b = paired_normals(rng, 300, shift=1.0)  # a scores much higher
    per_model = {"a": (ids(300), a), "b": (ids(300), b)}
    options: dict[str, Any] = {"task": "t", "metric_name": "m", "resamples": 200, "trials": 200, "seed": 0}
    [higher] = compare_models(per_model, MeanMetric(), **options)  # type: ignore[arg-type]
    [lower] = compare_models(per_model, LowerMeanMetric(), **options)  # type: ignore[arg-type]
    assert (higher["better"], higher["higher_is_better"]) == ("a", True)
    assert (lower["better"], lower["higher_is_better"]) == ("b", False)  # a's higher error rate is worse
    [slow] = compare_models(per_model, SlowMeanMetric(), **options)  # type: ignore[arg-type]
    assert slow["p_value"] == higher["p_value"] and slow["ci_low"] == pytest.approx(higher["ci_low"])


def test_a_custom_correctness_and_rows_outside_the_test() -> None:
    # correctness from a callable; None leaves an example out of McNemar's counts
    a = np.array([[1.0], [1.0], [1.0], [0.0], [2.0]])
    b = np.array([[0.0], [0.0], [0.0], [0.0], [1.0]])
    [entry] = compare_models(
        {"a": (ids(5), a), "b": (ids(5), b)},
        MeanMetric(),  # type: ignore[arg-type]
        task="t",
        metric_name="m",
        resamples=50,
        trials=50,
        seed=0,
        accuracy_like=True,
        correct=lambda row: None if row[0] == 2.0 else bool(row[0] == 1.0),
    )
    assert entry["p_value"] == mcnemar_exact([True, True, True, False], [False, False, False, False]).p_value == 0.25


def test_adjust_family_corrects_across_tasks_and_metrics() -> None:
    entries = [
        {"task": "t1", "metric": "m", "a": "x", "b": "y", "delta": 1.0, "p_value": 0.02, "higher_is_better": True},
        {"task": "t2", "metric": "m", "a": "x", "b": "y", "delta": -1.0, "p_value": 0.01, "higher_is_better": True},
        {"task": "t2", "metric": "n", "a": "x", "b": "y", "delta": -1.0, "p_value": 0.01, "higher_is_better": False},
        {"task": "t3", "metric": "m", "a": "x", "b": "y", "delta": None, "p_value": None, "higher_is_better": True},
    ]
    holm_family = adjust_family(entries, "holm", family="run")
    assert [e["p_adjusted"] for e in holm_family] == [pytest.approx(0.03)] * 3 + [None]
    assert [e["better"] for e in holm_family] == ["a", "b", "a", None]
    assert {e["correction"] for e in holm_family} == {"holm"}
    assert {(e["family"], e["family_size"]) for e in holm_family} == {("run", 3)}  # no p-value: not counted
    assert "p_adjusted" not in entries[0]  # the input is left alone
    # a stricter family: with alpha 0.025 none is significant
    assert [e["better"] for e in adjust_family(entries, "holm", alpha=0.025)] == [None] * 4
    none = adjust_family(entries, "none")
    assert [e["p_adjusted"] for e in none] == [0.02, 0.01, 0.01, None]


def test_adjust_family_corrects_within_each_family() -> None:
    entries = [
        {"task": "t1", "metric": "m", "a": "x", "b": "y", "delta": 1.0, "p_value": 0.02},
        {"task": "t1", "metric": "m", "a": "x", "b": "z", "delta": 1.0, "p_value": 0.04},
        {"task": "t1", "metric": "n", "a": "x", "b": "y", "delta": 1.0, "p_value": 0.01},
        {"task": "t2", "metric": "m", "a": "x", "b": "y", "delta": 1.0, "p_value": 0.03},
    ]
    by_metric = adjust_family(entries, "holm", family="metric")
    assert [e["family"] for e in by_metric] == ["t1/m", "t1/m", "t1/n", "t2/m"]
    assert [e["family_size"] for e in by_metric] == [2, 2, 1, 1]
    assert [e["p_adjusted"] for e in by_metric] == pytest.approx([0.04, 0.04, 0.01, 0.03])
    assert [e["better"] for e in by_metric] == ["a", "a", "a", "a"]
    by_task = adjust_family(entries, "holm", family="task")
    assert [(e["family"], e["family_size"]) for e in by_task] == [("t1", 3)] * 3 + [("t2", 1)]
    assert [e["p_adjusted"] for e in by_task] == pytest.approx([0.04, 0.04, 0.03, 0.03])
    assert [e["p_adjusted"] for e in adjust_family(entries, "holm", family="run")] == pytest.approx(
        [0.06, 0.06, 0.04, 0.06]
    )
    assert family_name("metric", "t", "m") == "t/m" and family_name("task", "t", "m") == "t"
    assert family_name("run", "t", "m") == "run"
    with pytest.raises(ConfigError, match=r"unknown family 'metrics' \(did you mean 'metric'\?\)"):
        family_name("metrics", "t", "m")


def test_p_values_never_print_on_the_wrong_side_of_alpha() -> None:
    assert format_p(0.04995) == "0.04995"  # not "0.050" beside a difference declared real
    assert format_p(0.0500) == "0.050" and format_p(0.05004) == "0.050"  # not significant: 0.050 is honest
    assert format_p(0.0499999) == "0.0499999"
    assert format_p(0.0123) == "0.012" and format_p(0.0004) == "<0.001" and format_p(None) == "—"
    assert format_p(0.0099, alpha=0.01) == "0.0099" and format_p(0.01, alpha=0.01) == "0.010"
    rng = np.random.default_rng(3)
    for value in rng.uniform(0.0, 0.2, 2000):
        for alpha in (0.05, 0.01, 0.1, 0.0125):
            text = format_p(float(value), alpha)
            assert text.startswith("<") or (float(text) < alpha) == (value < alpha)


def test_a_note_says_why_the_interval_and_the_verdict_seem_to_disagree() -> None:
    base = {"a": "x", "b": "y", "delta": 0.1, "p_value": 0.01, "p_adjusted": 0.01, "higher_is_better": True}
    assert disagreement({**base, "ci_low": 0.02, "ci_high": 0.2, "better": "a"}) is None
    assert disagreement({**base, "ci_low": -0.01, "ci_high": 0.2, "better": "a"}) == "CI includes 0"
    corrected = {**base, "p_adjusted": 0.2, "ci_low": 0.02, "ci_high": 0.2, "better": None}
    assert disagreement(corrected) == "not after correction"
    assert disagreement({**corrected, "p_value": 0.07}) == "CI excludes 0"
    assert disagreement({**base, "p_value": 0.3, "ci_low": -0.1, "ci_high": 0.2, "better": None}) is None
    assert disagreement({**base, "ci_low": None, "ci_high": None, "better": "a"}) is None
    table = comparisons_table([{"task": "t", "metric": "m", **base, "ci_low": -0.01, "ci_high": 0.2, "better": "a"}])
    assert table.splitlines()[0].split()[-1] == "note" and table.splitlines()[2].endswith("CI includes 0")
    assert "note CI includes 0: the test finds a difference" in table


# -- the real metrics: the stacked-rows trick works with their vectorized scoring -----------


@pytest.mark.slow  # imports scikit-learn and sacrebleu: seconds, the first time
def test_real_metrics_score_randomization_trials_through_their_fast_path() -> None:
    pytest.importorskip("nlpbench_metrics")
    pytest.importorskip("sacrebleu")
    from nlpbench_metrics.accuracy import AccuracyMetric
    from nlpbench_metrics.bleu import BleuMetric

    bleu = BleuMetric()
    references = [["the cat sat on the mat", "a cat was on the mat"], ["it rains today"], ["he read a book"]] * 4
    hyp_a = ["the cat sat on the mat", "it rains today", "he read the book"] * 4
    hyp_b = ["a cat on a mat", "it is raining", "he read a book"] * 4
    stats_a, stats_b = bleu.stats(hyp_a, references), bleu.stats(hyp_b, references)
    slow = approximate_randomization(stats_a, stats_b, bleu.aggregate, trials=200, seed=3)
    fast = approximate_randomization(
        stats_a, stats_b, bleu.aggregate, trials=200, seed=3, aggregate_resamples=bleu.aggregate_resamples
    )
    assert slow == fast
    accuracy = AccuracyMetric()
    gold = [["pos"], ["neg"], ["pos"], ["neg"]] * 10
    rows_a = accuracy.stats(["pos", "neg", "pos", "pos"] * 10, gold)
    rows_b = accuracy.stats(["neg", "neg", "neg", "pos"] * 10, gold)
    [entry] = compare_models(
        {"a": (ids(40), rows_a), "b": (ids(40), rows_b)},
        accuracy,
        task="t",
        metric_name="accuracy",
        resamples=200,
        trials=200,
        seed=0,
        accuracy_like=True,
    )
    assert entry["delta"] == pytest.approx(0.75 - 0.25)
    # 20 examples only a gets right, none only b: p = 2 / 2^20
    assert entry["p_value"] == mcnemar_exact([True] * 20, [False] * 20).p_value == 2 / 2**20


# -- output ---------------------------------------------------------------------------------


def _entries() -> list[dict[str, Any]]:
    rng = np.random.default_rng(10)
    a, b = paired_normals(rng, 100, shift=1.0)
    per_model = {"big|model": (ids(100), a), "small": (ids(95), b[:95])}
    return compare_models(per_model, MeanMetric(), task="t", metric_name="m", resamples=100, trials=100, seed=0)  # type: ignore[arg-type]


def test_the_terminal_table() -> None:
    text = comparisons_table(_entries())
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["task", "metric", "a", "b"]
    assert "95% CI" in lines[0] and "p adjusted" in lines[0]
    assert "big|model" in lines[2] and "small" in lines[2] and "95 (-5)" in lines[2]
    assert "randomization" in lines[2].split()  # each row names its test
    assert "95% CI: paired-bootstrap percentile interval" in lines[3] and "approximate randomization" in lines[3]
    assert "Holm within each task × metric: 1 family of 1 p-value;" in lines[4]
    assert "99% CI" in comparisons_table(_entries(), confidence=0.99).splitlines()[0]
    assert "no comparisons" in comparisons_table([])


def test_the_markdown_table_escapes_pipes() -> None:
    text = comparisons_markdown(_entries())
    lines = text.splitlines()
    assert lines[0].startswith("| task | metric |") and lines[1].startswith("|---|")
    assert "big\\|model" in lines[2]
    assert lines[2].count(" | ") == len(lines[0].split(" | ")) - 1
    assert any(line.startswith("- p adjusted: Holm within each task × metric") for line in lines)
    assert "No comparisons" in comparisons_markdown([])


def test_the_csv_reads_back() -> None:
    entries = _entries()
    rows = list(csv.DictReader(io.StringIO(comparisons_csv(entries))))
    assert list(rows[0]) == list(ENTRY_KEYS)
    assert rows[0]["a"] == "big|model" and float(rows[0]["delta"]) == entries[0]["delta"]
    assert float(rows[0]["p_value"]) == entries[0]["p_value"]
    empty = comparisons_csv([{**entries[0], "p_value": None}])
    assert next(iter(csv.DictReader(io.StringIO(empty))))["p_value"] == ""


def test_the_guides_worked_example_runs() -> None:
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[1] / "docs" / "comparing.md").read_text(encoding="utf-8")
    blocks = [block.split("\n", 1)[1] for block in guide.split("```")[1::2] if block.startswith("python\n")]
    assert blocks, "docs/comparing.md has no Python example"
    for block in blocks:
        exec(compile(block, "docs/comparing.md", "exec"), {})
    # the terminal table in the guide has the columns comparisons_table prints
    assert "delta (a−b)  95% CI" in guide and "p adjusted" in guide
