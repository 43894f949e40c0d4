"""ROUGE-Lsum with ``split_sentences: nltk`` equals evaluate's rougeLsum on texts split by
nltk's ``sent_tokenize`` (Hugging Face's convention), and says in one line what to do
when nltk's punkt model is not installed.

No package ships punkt's tables and these tests never reach the network, so they build
a small punkt model of their own (nltk's tab format) in a temporary folder: nltk splits
with it exactly as it would with the downloaded English one, and the metric must agree.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Iterator
from pathlib import Path

import nltk
import numpy as np
import pytest
from click.testing import CliRunner
from nltk.tabdata import TabEncoder
from rouge_score import rouge_scorer

from nlpbench import MetricError
from nlpbench.cli import build_cli
from nlpbench.testing import make_host
from nlpbench_metrics import RougeLsumMetric, plugin

SUMMARIES = [
    "Dr. Smith paid £1. 8m for the house. He moved in on Monday! Was it worth it?",
    "  The U.S. team won.  Fans cheered in the streets of the capital.",
    "One sentence only",
    "Mr. Jones said prices rose. Mrs. Jones disagreed. Both were wrong.",
]
REFERENCES = [
    ("Smith bought a house for £1.8m. He moved in on Monday.",),
    ("The team won. Fans cheered.", "Fans cheered in the capital after the U.S. win."),
    ("Only one sentence here.",),
    ("Prices rose, Mr. Jones said. His wife disagreed.",),
]


def _clear_nltk_cache() -> None:
    from nltk import tokenize

    cached = getattr(tokenize, "_get_punkt_tokenizer", None)
    if isinstance(cached, functools._lru_cache_wrapper):
        cached.cache_clear()


@pytest.fixture
def nltk_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """nltk looks for its data in an empty folder of this test's only."""
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    _clear_nltk_cache()
    yield tmp_path
    _clear_nltk_cache()


@pytest.fixture
def punkt(nltk_data: Path) -> Path:
    """An English punkt model that knows a few abbreviations, as nltk's downloader lays it out."""
    folder = nltk_data / "tokenizers" / "punkt_tab" / "english"
    folder.mkdir(parents=True)
    encode = TabEncoder()
    (folder / "abbrev_types.txt").write_text(encode.set2txt({"dr", "mr", "mrs", "u.s"}), encoding="utf-8")
    (folder / "collocations.tab").write_text("", encoding="utf-8")
    (folder / "sent_starters.txt").write_text(encode.set2txt({"he", "both"}), encoding="utf-8")
    (folder / "ortho_context.tab").write_text("", encoding="utf-8")
    return folder


def test_split_sentences_nltk_equals_evaluates_rouge_lsum_on_nltk_sentences(punkt: Path) -> None:
    metric = RougeLsumMetric(split_sentences="nltk")
    stats = metric.stats(SUMMARIES, REFERENCES)

    def split(text: str) -> str:  # what Hugging Face's examples do before evaluate's rouge
        return "\n".join(nltk.sent_tokenize(text.strip()))

    first = split(SUMMARIES[0]).splitlines()
    assert first[0].startswith("Dr. Smith paid") and first[-1] == "Was it worth it?"  # "Dr." is no end
    scorer = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=True)
    expected = [
        scorer.score_multi([split(r) for r in refs], split(summary))["rougeLsum"]
        for summary, refs in zip(SUMMARIES, REFERENCES, strict=True)
    ]
    assert np.array_equal(stats, np.array([[s.precision, s.recall, s.fmeasure] for s in expected]))
    as_given = RougeLsumMetric().stats(SUMMARIES, REFERENCES)
    assert not np.array_equal(stats, as_given)  # the split made a difference
    assert metric.describe()["split_sentences"] == "nltk"


def test_default_is_rouge_score_on_the_text_as_given() -> None:
    stats = RougeLsumMetric().stats(SUMMARIES, REFERENCES)
    scorer = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=True)
    expected = [scorer.score_multi(list(refs), s)["rougeLsum"] for s, refs in zip(SUMMARIES, REFERENCES, strict=True)]
    assert np.array_equal(stats, np.array([[s.precision, s.recall, s.fmeasure] for s in expected]))


def test_without_punkt_the_metric_says_how_to_get_it(nltk_data: Path) -> None:
    with pytest.raises(MetricError) as caught:
        RougeLsumMetric(split_sentences="nltk")
    message = str(caught.value)
    assert "\n" not in message
    assert "nltk's punkt_tab sentence model, which is not installed" in message
    assert "python -m nltk.downloader punkt_tab" in message


def test_validate_says_so_before_anything_runs(nltk_data: Path, tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        textwrap.dedent(
            """\
            name: lsum
            models: [{name: tiny, type: tiny}]
            tasks:
              - name: t
                type: tiny
                metrics: [{name: rouge-lsum, split_sentences: nltk}]
            """
        )
    )
    host = make_host(plugin)
    result = CliRunner().invoke(build_cli(host), ["validate", str(suite)], obj={"host": host})
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {suite}:4: tasks[0] (t): metric 'rouge-lsum': split_sentences nltk needs")


def test_nltk_loads_without_scipy_or_sklearn_and_leaves_them_importable() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from nlpbench_metrics.rouge_tokens import CachedTokenizer\n"
        "tokens = CachedTokenizer(use_stemmer=True).tokenize('Running runners ran')\n"
        "print(tokens, 'scipy' in sys.modules, 'sklearn' in sys.modules)\n"
        "import scipy.stats, sklearn.metrics\n"  # still importable afterwards
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["('run', 'runner', 'ran') False False", "ok"]
