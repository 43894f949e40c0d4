"""The bootstrap: seeded, and its intervals cover what they should."""

from __future__ import annotations

import numpy as np
import pytest

from nlpbench.statistics.bootstrap import bootstrap, derived_seed, resample_indices


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
    from nlpbench.statistics.bootstrap import clopper_pearson

    got = clopper_pearson(k, n, 0.95)
    assert got[0] == pytest.approx(low, abs=2e-5) and got[1] == pytest.approx(high, abs=2e-5)


def test_clopper_pearson_refuses_impossible_counts() -> None:
    from nlpbench.statistics.bootstrap import clopper_pearson

    with pytest.raises(ValueError):
        clopper_pearson(3, 2)


def test_percentile_interval_leaves_out_non_finite_replicates() -> None:
    from nlpbench import percentile_interval

    replicates = np.array([*np.arange(101, dtype=np.float64), np.nan, np.inf, -np.inf])
    assert percentile_interval(replicates, 0.9) == pytest.approx((5.0, 95.0))
    assert percentile_interval(np.array([np.nan, np.inf]), 0.95) == (None, None)
    assert percentile_interval([], 0.95) == (None, None)


# -- the bootstrap in blocks: bounded memory, the same draws to the last bit ---------


@pytest.mark.parametrize(
    ("n", "resamples", "block_elements"),
    [(1, 7, 1), (3, 10, 4), (7, 999, 20), (872, 1000, 5000), (50, 3, 1 << 18), (10, 10, 1)],
)
def test_resample_blocks_are_the_rows_of_one_draw(n: int, resamples: int, block_elements: int) -> None:
    from nlpbench.statistics.bootstrap import resample_blocks

    blocks = list(resample_blocks(n, resamples, 1234, block_elements=block_elements))
    assert len(blocks) > 1 or resamples * n <= block_elements
    assert np.array_equal(np.concatenate(blocks), resample_indices(n, resamples, 1234))


def _unchunked(stats: np.ndarray, fast: object, resamples: int, seed: int, confidence: float) -> tuple[object, object]:
    """The interval as the bootstrap computed it before it drew in blocks: one matrix of
    every resample's indices, scored at once."""
    from nlpbench.statistics.bootstrap import percentile_interval

    indices = resample_indices(len(stats), resamples, seed)
    scores = fast(stats, indices) if callable(fast) else np.array([_mean(stats[row]) for row in indices])
    return percentile_interval(np.asarray(scores, dtype=np.float64), confidence)


@pytest.mark.parametrize("vectorized", [True, False])
@pytest.mark.parametrize("block_elements", [1, 97, 4096, 1 << 18])
def test_the_chunked_bootstrap_equals_the_unchunked_one_bit_for_bit(vectorized: bool, block_elements: int) -> None:
    rng = np.random.default_rng(7)
    stats = rng.normal(size=(331, 2))

    def fast(values: np.ndarray, indices: np.ndarray) -> np.ndarray:
        return values[indices, 0].mean(axis=1)

    for seed in (0, 1, derived_seed(1234, "sst2", "bootstrap")):
        chunked = bootstrap(
            stats, _mean, resamples=500, confidence=0.95, seed=seed,
            aggregate_resamples=fast if vectorized else None, block_elements=block_elements,
        )  # fmt: skip
        assert (chunked.ci_low, chunked.ci_high) == _unchunked(stats, fast if vectorized else None, 500, seed, 0.95)


def test_every_installed_metric_scores_blocks_as_it_scores_the_whole() -> None:
    """Each metric's ``aggregate_resamples`` gives the same value for a resample whether it
    is scored with 3 others or with all of them, so stored intervals do not move."""
    from nlpbench.plugins.host import PluginHost
    from nlpbench.running.scoring import metric_stats
    from nlpbench.statistics.bootstrap import resample_scores

    host = PluginHost(strict=False, disabled=())
    checked = 0
    for item in host.metrics:
        metric = item.component()
        fast = getattr(metric, "aggregate_resamples", None)
        example = getattr(item.component, "example", None)
        if not callable(fast) or example is None:
            continue
        rows = metric_stats(
            metric, item.name, list(example.predictions), [list(r) for r in example.references],
            list(example.probabilities) or None,
        )  # fmt: skip
        stats = np.asarray(rows, dtype=np.float64)[np.arange(240) % len(rows)]  # the example, tiled
        whole = np.asarray(fast(stats, resample_indices(len(stats), 64, 5)), dtype=np.float64)
        blocks = resample_scores(stats, metric.aggregate, resamples=64, seed=5, aggregate_resamples=fast,
                                 block_elements=3 * len(stats))  # fmt: skip
        assert np.array_equal(whole, blocks, equal_nan=True), item.name
        checked += 1
    assert checked >= 10


def test_paired_tests_are_the_same_whatever_the_block() -> None:
    from nlpbench.statistics.significance import approximate_randomization, paired_bootstrap

    rng = np.random.default_rng(3)
    a, b = rng.binomial(1, 0.7, size=(403, 1)).astype(float), rng.binomial(1, 0.6, size=(403, 1)).astype(float)

    def fast(values: np.ndarray, indices: np.ndarray) -> np.ndarray:
        return values[indices, 0].mean(axis=1)

    for aggregate_resamples in (fast, None):
        results = {
            block: (
                paired_bootstrap(a, b, _mean, resamples=300, seed=11, aggregate_resamples=aggregate_resamples,
                                 block_elements=block),
                approximate_randomization(a, b, _mean, trials=300, seed=12, aggregate_resamples=aggregate_resamples,
                                          block_elements=block),
            )
            for block in (1, 500, 1 << 18, 10**9)
        }  # fmt: skip
        assert len(set(results.values())) == 1


def test_the_bootstrap_working_set_does_not_grow_with_the_examples() -> None:
    """200,000 examples × 200 resamples would be 320 MB of indices drawn at once; in
    blocks the bootstrap allocates a few MB at a time (numpy reports to tracemalloc)."""
    import tracemalloc

    stats = np.random.default_rng(0).binomial(1, 0.5, size=(200_000, 1)).astype(np.float64)

    def fast(values: np.ndarray, indices: np.ndarray) -> np.ndarray:
        return values[indices, 0].mean(axis=1)

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        estimate = bootstrap(stats, _mean, resamples=200, confidence=0.95, seed=1, aggregate_resamples=fast)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert estimate.ci_low is not None and estimate.ci_low < 0.5 < estimate.ci_high  # type: ignore[operator]
    assert peak < 24 * 2**20, f"the bootstrap allocated {peak / 2**20:.0f} MB at its peak"
