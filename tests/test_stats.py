"""The bootstrap: seeded, and its intervals cover what they should."""

from __future__ import annotations

import numpy as np
import pytest

from nlpbench.stats import bootstrap, derived_seed, resample_indices


def _mean(stats: np.ndarray) -> float:
    return float(stats[:, 0].mean())


def test_seeds_are_stable_and_distinct() -> None:
    assert derived_seed(1234, "sst2", "bootstrap") == derived_seed(1234, "sst2", "bootstrap")
    assert derived_seed(1234, "sst2", "bootstrap") != derived_seed(1235, "sst2", "bootstrap")
    assert derived_seed(1234, "sst2", "bootstrap") != derived_seed(1234, "sst3", "bootstrap")
    assert not np.array_equal(resample_indices(50, 10, 1), resample_indices(50, 10, 2))
    assert np.array_equal(resample_indices(50, 10, 1), resample_indices(50, 10, 1))


def test_the_interval_of_a_known_mean_covers_it_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(0)
    trials, covered = 300, 0
    for trial in range(trials):
        stats = rng.binomial(1, 0.7, size=(200, 1)).astype(np.float64)
        estimate = bootstrap(stats, _mean, resamples=400, confidence=0.95, seed=trial)
        assert estimate.ci_low is not None and estimate.ci_high is not None
        covered += estimate.ci_low <= 0.7 <= estimate.ci_high
    assert 0.90 <= covered / trials <= 0.99


def test_the_fast_path_gives_the_same_interval() -> None:
    stats = np.random.default_rng(1).normal(size=(100, 1))

    def fast(values: np.ndarray, indices: np.ndarray) -> np.ndarray:
        return values[indices, 0].mean(axis=1)

    slow_estimate = bootstrap(stats, _mean, resamples=200, confidence=0.9, seed=5)
    fast_estimate = bootstrap(stats, _mean, resamples=200, confidence=0.9, seed=5, aggregate_resamples=fast)
    assert slow_estimate.ci_low is not None and fast_estimate.ci_low is not None
    assert np.isclose(slow_estimate.ci_low, fast_estimate.ci_low) and slow_estimate.ci_high is not None
    assert fast_estimate.ci_high is not None and np.isclose(slow_estimate.ci_high, fast_estimate.ci_high)


def test_degenerate_inputs() -> None:
    empty = bootstrap(np.zeros((0, 1)), _mean, resamples=10, confidence=0.95, seed=0)
    assert (empty.value, empty.ci_low, empty.ci_high) == (None, None, None)
    single = bootstrap(np.ones((1, 1)), _mean, resamples=10, confidence=0.95, seed=0)
    assert (single.value, single.ci_low) == (1.0, None)
    nan = bootstrap(np.ones((3, 1)), lambda s: float("nan"), resamples=10, confidence=0.95, seed=0)
    assert (nan.value, nan.ci_low) == (None, None)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [(0, 10, 0.0, 0.30850), (5, 10, 0.18709, 0.81291), (10, 10, 0.69150, 1.0), (1, 20, 0.00126, 0.24873)],
)
def test_clopper_pearson_matches_the_tables(k: int, n: int, low: float, high: float) -> None:
    from nlpbench.stats import clopper_pearson

    got = clopper_pearson(k, n, 0.95)
    assert got[0] == pytest.approx(low, abs=2e-5) and got[1] == pytest.approx(high, abs=2e-5)


def test_clopper_pearson_refuses_impossible_counts() -> None:
    from nlpbench.stats import clopper_pearson

    with pytest.raises(ValueError):
        clopper_pearson(3, 2)


def test_percentile_interval_leaves_out_non_finite_replicates() -> None:
    from nlpbench import percentile_interval

    replicates = np.array([*np.arange(101, dtype=np.float64), np.nan, np.inf, -np.inf])
    assert percentile_interval(replicates, 0.9) == pytest.approx((5.0, 95.0))
    assert percentile_interval(np.array([np.nan, np.inf]), 0.95) == (None, None)
    assert percentile_interval([], 0.95) == (None, None)
