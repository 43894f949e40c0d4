"""BLEU, chrF and TER against sacrebleu's own API, on the WMT22 de-en system outputs and on edge cases.

What is proved: the corpus score from per-segment statistics equals sacrebleu's
``corpus_score`` to 1e-9 (both WMT22 systems, one and two references); any subset of
rows, repeated rows included, scores what sacrebleu gives for those sentences; the
vectorized bootstrap path equals ``aggregate`` on every resample; options, errors,
None predictions, signatures and the sentence-level per-example score.
"""

from __future__ import annotations

import math
import subprocess
import sys
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sacrebleu
from sacrebleu.metrics import BLEU, CHRF, TER

from nlpbench import ConfigError, Metric, MetricError
from nlpbench_metrics import BleuMetric, ChrfMetric, SacrebleuMetric, TerMetric, plugin

FOLDER = "translation_wmt22_de_en"
SYSTEMS = ("Online-B", "JDExploreAcademy")
REFERENCE_SETS = {"A": ("A",), "A+B": ("A", "B")}
METRICS: dict[str, tuple[type[SacrebleuMetric], Callable[..., Any]]] = {
    "bleu": (BleuMetric, BLEU),
    "chrf": (ChrfMetric, CHRF),
    "ter": (TerMetric, TER),
}
#: Segments the fast tests use, a seeded subset: over all 1984, chrF takes ~1.5 s per
#: side and TER, pure Python, ~15 s per reference (the slow tests take all of them)
SUBSET = {"bleu": 400, "chrf": 400, "ter": 80}
TOLERANCE = 1e-9

Refs = list[list[str | None]]


# -- the WMT22 data, and statistics computed once per module ---------------------


class Wmt22:
    """The WMT22 de-en files, and our statistics for each (metric, system, references), computed once."""

    def __init__(self, folder: Path) -> None:
        def lines(name: str) -> list[str]:
            text = (folder / f"generaltest2022.de-en.{name}").read_text(encoding="utf-8")
            return text.removesuffix("\n").split("\n")

        self.hypotheses = {system: lines(f"hyp.{system}.en") for system in SYSTEMS}
        self.references = {name: lines(f"ref.{name}.en") for name in ("A", "B")}
        assert {len(lines) for lines in [*self.hypotheses.values(), *self.references.values()]} == {1984}
        self.metrics: dict[str, SacrebleuMetric] = {}
        self._stats: dict[tuple[str, str, str, bool], np.ndarray] = {}

    def segments(self, metric: str, full: bool) -> list[int]:
        if full:
            return list(range(1984))
        return sorted(np.random.default_rng(4).choice(1984, size=SUBSET[metric], replace=False).tolist())

    def corpus(self, metric: str, system: str, refs: str, full: bool = False) -> tuple[list[str], list[list[str]]]:
        """Hypotheses and per-segment references: every segment, or the metric's seeded subset."""
        keep = self.segments(metric, full)
        hypotheses = [self.hypotheses[system][i] for i in keep]
        references = [[self.references[name][i] for name in REFERENCE_SETS[refs]] for i in keep]
        return hypotheses, references

    def metric(self, metric: str, refs: str, full: bool = False) -> SacrebleuMetric:
        """One instance per (metric, references), as the runner keeps one per task."""
        return self.metrics.setdefault(f"{metric}/{refs}/{full}", METRICS[metric][0]())

    def stats(self, metric: str, system: str, refs: str, full: bool = False) -> np.ndarray:
        key = (metric, system, refs, full)
        if key not in self._stats:
            self._stats[key] = self.metric(metric, refs, full).stats(*self.corpus(metric, system, refs, full))
        return self._stats[key]


@pytest.fixture(scope="module")
def wmt22(nlpbench_shared_data: Path) -> Wmt22:
    return Wmt22(nlpbench_shared_data / FOLDER)


def streams(references: Sequence[Sequence[str | None]]) -> Refs:
    """sacrebleu's reference streams from per-segment lists, padded with None."""
    most = max(len(refs) for refs in references)
    return [[refs[j] if j < len(refs) else None for refs in references] for j in range(most)]


def sacrebleu_score(
    metric: str, hypotheses: list[str], references: Sequence[Sequence[str | None]], **options: Any
) -> float:
    return float(METRICS[metric][1](**options).corpus_score(hypotheses, streams(references)).score)


# -- agreement with sacrebleu on WMT22 -----------------------------------------


@pytest.mark.parametrize("refs", ["A", "A+B"])
@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.parametrize("metric", ["bleu", "chrf", "ter"])
def test_corpus_score_equals_sacrebleu_on_wmt22_segments(wmt22: Wmt22, metric: str, system: str, refs: str) -> None:
    stats = wmt22.stats(metric, system, refs)
    assert stats.shape[0] == SUBSET[metric] and stats.dtype == np.float64
    expected = sacrebleu_score(metric, *wmt22.corpus(metric, system, refs))
    assert abs(wmt22.metric(metric, refs).aggregate(stats) - expected) <= TOLERANCE


@pytest.mark.slow
@pytest.mark.parametrize("refs", ["A", "A+B"])
@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.parametrize("metric", ["bleu", "chrf"])
def test_corpus_score_equals_sacrebleu_on_all_of_wmt22(wmt22: Wmt22, metric: str, system: str, refs: str) -> None:
    # 2-4 s each: every segment through sacrebleu twice, once for us and once for it
    stats = wmt22.stats(metric, system, refs, full=True)
    assert stats.shape[0] == 1984
    expected = sacrebleu_score(metric, *wmt22.corpus(metric, system, refs, full=True))
    assert abs(wmt22.metric(metric, refs, full=True).aggregate(stats) - expected) <= TOLERANCE


@pytest.mark.slow
def test_ter_equals_sacrebleu_on_all_of_wmt22(wmt22: Wmt22) -> None:
    # 30-70 s: sacrebleu's TER is pure Python, and both sides run it over 1984 segments
    stats = wmt22.stats("ter", "Online-B", "A", full=True)
    expected = sacrebleu_score("ter", *wmt22.corpus("ter", "Online-B", "A", full=True))
    assert abs(wmt22.metric("ter", "A", full=True).aggregate(stats) - expected) <= TOLERANCE


@pytest.mark.parametrize("metric", ["bleu", "chrf", "ter"])
def test_subsets_score_as_sacrebleu_scores_their_sentences(wmt22: Wmt22, metric: str) -> None:
    # a resample is a corpus of its sentences, repeated ones included: no re-tokenizing needed
    stats = wmt22.stats(metric, "JDExploreAcademy", "A+B")
    hypotheses, references = wmt22.corpus(metric, "JDExploreAcademy", "A+B")
    rng = np.random.default_rng(11)
    n = len(stats)
    subsets = [
        np.sort(rng.choice(n, size=n // 4, replace=False)),  # distinct sentences
        rng.integers(0, n, size=n // 5),  # a bootstrap resample: repeats
        np.array([7, 7, 7, 3]),  # mostly one sentence
        np.array([5]),
    ]
    for subset in subsets:
        expected = sacrebleu_score(metric, [hypotheses[i] for i in subset], [references[i] for i in subset])
        assert abs(wmt22.metric(metric, "A+B").aggregate(stats[subset]) - expected) <= TOLERANCE


@pytest.mark.parametrize("refs", ["A", "A+B"])
@pytest.mark.parametrize("metric", ["bleu", "chrf", "ter"])
def test_fast_path_equals_aggregate_on_wmt22(wmt22: Wmt22, metric: str, refs: str) -> None:
    stats = wmt22.stats(metric, "Online-B", refs)
    instance = wmt22.metric(metric, refs)
    indices = np.random.default_rng(3).integers(0, len(stats), size=(200, len(stats)))
    fast = instance.aggregate_resamples(stats, indices)
    slow = np.array([instance.aggregate(stats[row]) for row in indices])
    assert fast.shape == (200,)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=TOLERANCE)
    assert np.ptp(fast) > 0  # the resamples do differ


# -- edge cases: short corpora where n-gram orders and matches run out -----------

WORDS = ("the", "cat", "sat", "on", "mat", "a", "dog", ".", "Cat", "THE")


def short_corpus(seed: int, size: int = 40) -> tuple[list[str | None], list[list[str]]]:
    """Hypotheses of 0-4 words (some None), one to three references of 1-5 words each."""
    rng = np.random.default_rng(seed)

    def sentence(low: int, high: int) -> str:
        return " ".join(rng.choice(WORDS, size=int(rng.integers(low, high + 1))).tolist())

    hypotheses: list[str | None] = [None if rng.random() < 0.1 else sentence(0, 4) for _ in range(size)]
    references = [[sentence(1, 5) for _ in range(int(rng.integers(1, 4)))] for _ in range(size)]
    return hypotheses, references


EDGE_OPTIONS = [
    ("bleu", {}),
    ("bleu", {"smooth_method": "none"}),
    ("bleu", {"smooth_method": "floor"}),
    ("bleu", {"smooth_method": "floor", "smooth_value": 0.5}),
    ("bleu", {"smooth_method": "add-k"}),
    ("bleu", {"smooth_method": "add-k", "smooth_value": 2}),
    ("bleu", {"effective_order": True}),
    ("bleu", {"effective_order": True, "smooth_method": "none"}),
    ("bleu", {"max_ngram_order": 2, "lowercase": True}),
    ("bleu", {"max_ngram_order": 6, "tokenize": "char"}),
    ("bleu", {"tokenize": "none"}),
    ("bleu", {"tokenize": "intl"}),
    ("chrf", {}),
    ("chrf", {"word_order": 2}),
    ("chrf", {"char_order": 3, "beta": 1, "lowercase": True}),
    ("chrf", {"eps_smoothing": True, "word_order": 1}),
    ("chrf", {"whitespace": True}),
    ("ter", {}),
    ("ter", {"case_sensitive": True}),
    ("ter", {"normalized": True, "no_punct": True}),
    ("ter", {"asian_support": True, "normalized": True}),
]


@pytest.mark.parametrize(("metric", "options"), EDGE_OPTIONS)
def test_options_agree_with_sacrebleu_on_short_sentences(metric: str, options: dict[str, Any]) -> None:
    hypotheses, references = short_corpus(seed=EDGE_OPTIONS.index((metric, options)))
    instance = METRICS[metric][0](**options)
    stats = instance.stats(hypotheses, references)
    filled = ["" if h is None else h for h in hypotheses]
    expected = METRICS[metric][1](**options)
    assert abs(instance.aggregate(stats) - expected.corpus_score(filled, streams(references)).score) <= TOLERANCE
    # small resamples, where whole n-gram orders, matches or hypotheses go missing
    rng = np.random.default_rng(0)
    for size in (1, 2, 3, 10):
        indices = rng.integers(0, len(stats), size=(300, size))
        fast = instance.aggregate_resamples(stats, indices)
        slow = np.array([instance.aggregate(stats[row]) for row in indices])
        np.testing.assert_allclose(fast, slow, rtol=0, atol=TOLERANCE)
    for subset in (np.array([0, 1, 2]), np.array([4, 4]), np.arange(len(stats))[::3]):
        corpus = METRICS[metric][1](**options).corpus_score(
            [filled[i] for i in subset], streams([references[i] for i in subset])
        )
        assert abs(instance.aggregate(stats[subset]) - corpus.score) <= TOLERANCE
    # the per-example score is sacrebleu's sentence-level score with the same options
    for row, hypothesis, refs in list(zip(stats, filled, references, strict=True))[:10]:
        sentence = METRICS[metric][1](**options).sentence_score(hypothesis, refs).score
        assert abs(instance.example_score(row) - sentence) <= TOLERANCE


def test_edge_branches_are_reached() -> None:
    # the short corpus does reach what it is there for: every branch of sacrebleu's BLEU
    hypotheses, references = short_corpus(seed=2)
    metric = BleuMetric()
    stats = metric.stats(hypotheses, references)
    indices = np.random.default_rng(0).integers(0, len(stats), size=(300, 2))
    sums = stats[indices].sum(axis=1)
    correct, total = sums[:, 2:6], sums[:, 6:10]
    assert (sums[:, 0] == 0).any()  # no hypothesis words: brevity penalty 0
    assert (sums[:, 0] < sums[:, 1]).any() and (sums[:, 0] > sums[:, 1]).any()  # short and long
    assert (correct.sum(axis=1) == 0).any()  # no match at all: sacrebleu stops early
    assert (total[:, 3] == 0).any()  # no 4-grams: sacrebleu stops at that order
    assert ((correct == 0) & (total > 0)).any()  # exp smoothing of an order without matches
    scores = metric.aggregate_resamples(stats, indices)
    assert (scores == 0).any() and (scores > 0).any()


# -- inputs ------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["bleu", "chrf", "ter"])
def test_none_scores_as_the_empty_hypothesis(metric: str) -> None:
    references = [["The cat sat on the mat."], ["It rains."]]
    instance = METRICS[metric][0]()
    with_none = instance.stats([None, "It rains."], references)
    with_empty = instance.stats(["", "It rains."], references)
    np.testing.assert_array_equal(with_none, with_empty)
    assert abs(instance.aggregate(with_none) - sacrebleu_score(metric, ["", "It rains."], references)) <= TOLERANCE


@pytest.mark.parametrize("metric", ["bleu", "chrf", "ter"])
def test_a_varying_number_of_references(metric: str) -> None:
    hypotheses = ["The cat sat on the mat.", "It is raining today.", "He reads."]
    references: list[list[str | None]] = [
        ["A cat sat on the mat."],
        ["Today it rains.", "It rains today.", "It is raining."],
        [None, "He reads."],
    ]
    instance = METRICS[metric][0]()
    stats = instance.stats(hypotheses, references)
    reference = METRICS[metric][1]()
    kept = [[ref for ref in refs if ref is not None] for refs in references]
    expected = reference.corpus_score(hypotheses, streams(kept)).score
    assert abs(instance.aggregate(stats) - expected) <= TOLERANCE
    assert instance.describe()["signature"] == str(reference.get_signature())
    assert "nrefs:var" in instance.describe()["signature"]


@pytest.mark.parametrize("metric", ["bleu", "chrf", "ter"])
@pytest.mark.parametrize(
    ("predictions", "references", "message"),
    [
        (["a"], [], "1 predictions but 0 references"),
        (["a", "b"], [["a"], []], "example 1: no reference"),
        (["a"], [[None]], "example 0: no reference"),
        (["a"], [["  "]], "example 0: reference 0 is empty"),
        (["a", "b"], [["a"], ["b", ""]], "example 1: reference 1 is empty"),
        (["a"], ["a"], "example 0: references must be a list of strings"),
        (["a"], [[3]], "example 0: reference 0 is a int, not a string"),
        ([3], [["a"]], "example 0: a translation must be a string or None, not int"),
    ],
)
def test_bad_input(metric: str, predictions: list[Any], references: list[Any], message: str) -> None:
    with pytest.raises(MetricError, match=message):
        METRICS[metric][0]().stats(predictions, references)


@pytest.mark.parametrize("metric", ["bleu", "chrf", "ter"])
def test_no_examples(metric: str) -> None:
    instance = METRICS[metric][0]()
    stats = instance.stats([], [])
    assert stats.shape == (0, instance.width)
    assert np.isnan(instance.aggregate(stats))
    assert np.isnan(instance.aggregate_resamples(stats, np.zeros((3, 0), dtype=np.int64))).all()
    assert instance.describe()["signature"] is None  # no references seen: nrefs unknown


@pytest.mark.parametrize("metric", ["bleu", "chrf", "ter"])
def test_bad_statistics_and_indices(metric: str) -> None:
    instance = METRICS[metric][0]()
    with pytest.raises(MetricError, match="expected statistics of shape"):
        instance.aggregate(np.zeros((3, instance.width + 1)))
    with pytest.raises(MetricError, match="2-dimensional"):
        instance.aggregate_resamples(np.zeros((3, instance.width)), np.zeros(3, dtype=np.int64))


def test_references_are_tokenized_once_per_task() -> None:
    # the runner scores every model of a task with one instance and the same references
    metric = BleuMetric()
    references = [["The cat sat on the mat."], ["It rains."]]
    first = metric.stats(["The cat sat.", "It rains."], references)
    scorer = metric.scorer
    second = metric.stats(["A cat sat on a mat.", "Rain."], [list(refs) for refs in references])
    assert metric.scorer is scorer  # equal references: the cached ones were used
    np.testing.assert_array_equal(second, BleuMetric().stats(["A cat sat on a mat.", "Rain."], references))
    np.testing.assert_array_equal(first, BleuMetric().stats(["The cat sat.", "It rains."], references))
    metric.stats(["It rains."], [["It is raining."]])
    assert metric.scorer is not scorer


# -- options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "options", "message"),
    [
        ("bleu", {"tokenizer": "13a"}, "tokenizer: unknown option (did you mean 'tokenize'?)"),
        ("bleu", {"tokenize": "moses"}, "tokenize: must be 'none', 'zh', '13a', "),
        ("bleu", {"lowercase": "yes"}, "lowercase: must be true or false, not 'yes'"),
        ("bleu", {"smooth_method": "add-one"}, "smooth_method: must be 'exp', 'floor', 'add-k' or 'none'"),
        ("bleu", {"smooth_value": 0.2}, "smooth_value only applies with smooth_method floor or add-k (it is 'exp')"),
        ("bleu", {"smooth_method": "floor", "smooth_value": -1}, "smooth_value: must be more than 0, not -1"),
        ("bleu", {"max_ngram_order": 0}, "max_ngram_order: must be at least 1, not 0"),
        ("bleu", {"max_ngram_order": 100000000}, "max_ngram_order: must be at most 10, not 100000000"),
        ("bleu", {"effective_order": 1}, "effective_order: must be true or false, not 1"),
        ("chrf", {"word_order": -1}, "word_order: must be at least 0, not -1"),
        ("chrf", {"char_order": 2.5}, "char_order: must be a whole number, not 2.5"),
        ("chrf", {"beta": True}, "beta: must be a whole number, not True"),
        ("chrf", {"lowercase": None}, "lowercase: must be true or false, not None"),
        ("ter", {"normalize": True}, "normalize: unknown option (did you mean 'normalized'?)"),
        ("ter", {"case_sensitive": "no"}, "case_sensitive: must be true or false, not 'no'"),
    ],
)
def test_bad_options(metric: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        METRICS[metric][0](**options)
    assert message in str(caught.value)


def test_bleu_knows_every_sacrebleu_tokenizer() -> None:
    from sacrebleu.metrics.bleu import BLEU

    from nlpbench_metrics.bleu import SMOOTH_DEFAULTS, BleuOptions

    assert list(typing.get_args(BleuOptions.model_fields["tokenize"].annotation)) == list(BLEU.TOKENIZERS)
    assert BleuOptions.model_fields["tokenize"].default == BLEU.TOKENIZER_DEFAULT
    assert {k: v for k, v in BLEU.SMOOTH_DEFAULTS.items() if v is not None} == SMOOTH_DEFAULTS


def test_a_tokenizer_that_cannot_load_is_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sacrebleu.metrics.bleu as bleu_module

    def missing(name: str) -> Any:
        raise ImportError(f"Please install the {name} tokenizer's package")

    monkeypatch.setattr(bleu_module, "_get_tokenizer", missing)
    with pytest.raises(MetricError, match="sacrebleu cannot be set up with these options: Please install"):
        BleuMetric(tokenize="ja-mecab")


# -- signatures, registration ----------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "options", "signature"),
    [
        ("bleu", {}, "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:{v}"),
        (
            "bleu",
            {"lowercase": True, "smooth_method": "floor"},
            "nrefs:2|case:lc|eff:no|tok:13a|smooth:floor[0.10]|version:{v}",
        ),
        (
            "bleu",
            {"tokenize": "intl", "effective_order": True},
            "nrefs:2|case:mixed|eff:yes|tok:intl|smooth:exp|version:{v}",
        ),
        ("chrf", {}, "nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:{v}"),
        ("chrf", {"word_order": 2}, "nrefs:2|case:mixed|eff:yes|nc:6|nw:2|space:no|version:{v}"),
        ("ter", {}, "nrefs:2|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:{v}"),
        (
            "ter",
            {"case_sensitive": True, "no_punct": True},
            "nrefs:2|case:mixed|tok:tercom|norm:no|punct:no|asian:no|version:{v}",
        ),
    ],
)
def test_describe_gives_sacrebleus_signature(metric: str, options: dict[str, Any], signature: str) -> None:
    example = METRICS[metric][0].example
    instance = METRICS[metric][0](**options)
    assert instance.describe()["signature"] is None  # before any references, nrefs is unknown
    instance.stats(list(example.predictions), [list(refs) for refs in example.references])
    reference = METRICS[metric][1](**options)
    reference.corpus_score(list(example.predictions), streams(example.references))
    described = instance.describe()
    assert described["signature"] == str(reference.get_signature()) == signature.format(v=sacrebleu.__version__)
    assert set(described["options"]) == set(METRICS[metric][0].options.model_fields)


def test_one_reference_signature() -> None:
    metric = BleuMetric()
    metric.stats(["It rains."], [["It is raining."]])
    assert (
        metric.describe()["signature"]
        == f"nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:{sacrebleu.__version__}"
    )


@pytest.mark.parametrize("metric", ["bleu", "chrf", "ter"])
def test_protocol_and_example(metric: str) -> None:
    component = METRICS[metric][0]
    instance = component()
    assert isinstance(instance, Metric)
    assert component.name == metric
    # TER has no upper bound (a translation longer than its references): results write it as null
    assert component.scale == ((0.0, math.inf) if metric == "ter" else (0.0, 100.0))
    assert component.higher_is_better is (metric != "ter")
    example = component.example
    value = instance.aggregate(instance.stats(list(example.predictions), [list(r) for r in example.references]))
    expected = sacrebleu_score(metric, list(example.predictions), example.references)
    assert value == pytest.approx(example.value, abs=1e-12) == expected


def test_registered_names() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = component

    plugin.register_metrics(register=register)
    assert found["bleu"] is BleuMetric and found["chrf"] is ChrfMetric and found["ter"] is TerMetric


def test_plugin_import_does_not_load_sacrebleu() -> None:
    code = "import sys, nlpbench_metrics.plugin; print(sorted({'sacrebleu', 'numpy'} & set(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"


def test_in_a_suite_the_score_and_signature_are_sacrebleus(nlpbench_run: Any) -> None:
    # (BLEU is 0 here, rightly: the tiny task's one-word segments have no bigrams)
    suite = {
        "name": "translation-metrics",
        "models": [{"name": "tiny", "type": "tiny"}],
        "tasks": [
            {"name": "tiny", "type": "tiny", "metrics": ["bleu", "chrf", {"name": "ter", "case_sensitive": True}]}
        ],
    }
    run = nlpbench_run(suite, plugins=[plugin])
    cell = run.cell("tiny", "tiny")
    assert cell["status"] == "ok"
    hypotheses = ["" if s["prediction"] is None else s["prediction"] for s in run.samples]
    references = [s["references"] for s in run.samples]
    for name, options in (("bleu", {}), ("chrf", {}), ("ter", {"case_sensitive": True})):
        reference = METRICS[name][1](**options)
        expected = reference.corpus_score(hypotheses, streams(references)).score
        score = cell["metrics"][name]
        assert abs(score["value"] - expected) <= TOLERANCE, name
        assert score["info"]["signature"] == str(reference.get_signature())
        for sample, hypothesis in zip(run.samples, hypotheses, strict=True):
            sentence = METRICS[name][1](**options).sentence_score(hypothesis, sample["references"]).score
            assert abs(sample["scores"][name] - sentence) <= TOLERANCE
