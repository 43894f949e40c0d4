"""The translation task in whole suites on the built-in sample: the ``copy`` baseline, and a
tiny untrained T5 and GPT built from configs (each with its own prompt)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nlpbench_translation import plugin

metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
baselines = pytest.importorskip("nlpbench_baselines.plugin", reason="needs nlpbench-baselines")

#: A tiny T5 and GPT (as in the t5 and gpt plugins' own tests): built from these in a second.
TINY_T5 = {"d_model": 32, "d_ff": 64, "num_layers": 2, "num_heads": 2, "d_kv": 16, "initializer_factor": 2.0}
TINY_GPT = {"n_layer": 1, "n_embd": 32, "n_head": 2, "n_positions": 256}


def test_copy_scores_the_untranslated_source(nlpbench_run: Any) -> None:
    suite = {
        "name": "mt",
        "models": [{"name": "copy", "type": "copy"}],
        "tasks": [{"name": "de-en", "type": "translation"}],  # the default metrics: bleu and chrf
    }
    run = nlpbench_run(suite, plugins=[plugin, metrics, baselines])
    assert run.exit_code == 0
    cell = run.cell("copy", "de-en")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "generate", 25)
    assert set(cell["metrics"]) == {"bleu", "chrf"}
    assert cell["model_info"] == {"from_source": 25, "from_prompt": 0}  # the task sets the source
    info = cell["task_info"]
    assert (info["data"], info["languages"], info["template_for"], info["shots"]) == ("built-in sample", "German → English", "default", 0)  # fmt: skip
    first = run.samples[0]
    assert first["id"] == "sample-01" and first["prediction"] == "Der Zug nach Hamburg fährt um acht Uhr ab."
    assert first["prompt"] == "German: Der Zug nach Hamburg fährt um acht Uhr ab.\nEnglish:"
    assert first["references"] == ["The train to Hamburg leaves at eight o'clock."]
    # the untranslated German scores low, but not zero (names, numbers), exactly as sacrebleu says
    sacrebleu = pytest.importorskip("sacrebleu")
    sources = [s["prediction"] for s in run.samples]
    references = [[s["references"][0] for s in run.samples]]
    assert cell["metrics"]["bleu"]["value"] == pytest.approx(sacrebleu.corpus_bleu(sources, references).score, abs=1e-9)
    assert cell["metrics"]["chrf"]["value"] == pytest.approx(sacrebleu.corpus_chrf(sources, references).score, abs=1e-9)
    assert 0 < cell["metrics"]["bleu"]["value"] < 15 and 0 < cell["metrics"]["chrf"]["value"] < 40


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """Tiny models: a second thread only adds overhead (as in the model plugins' tests)."""
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.slow  # building two models takes seconds (their 50k-token tokenizers), asking them a fraction
@pytest.mark.usefixtures("one_torch_thread")
def test_tiny_t5_and_gpt_are_each_asked_their_own_way(nlpbench_run: Any) -> None:
    t5 = pytest.importorskip("nlpbench_t5.plugin", reason="needs nlpbench-t5")
    gpt = pytest.importorskip("nlpbench_gpt.plugin", reason="needs nlpbench-gpt")
    suite = {
        "name": "mt",
        "seed": 7,
        "models": [
            {"name": "t5-tiny", "type": "t5", "config": TINY_T5, "params": {"device": "cpu"}},
            {"name": "gpt-tiny", "type": "gpt", "config": TINY_GPT, "params": {"device": "cpu"}},
        ],
        "tasks": [
            {"name": "de-en", "type": "translation", "limit": 4, "metrics": ["bleu", "chrf", "ter"],
             "params": {"shots": 2, "max_new_tokens": 6}},
        ],
    }  # fmt: skip
    run = nlpbench_run(suite, plugins=[plugin, metrics, t5, gpt])
    assert run.exit_code == 0
    for name in ("t5-tiny", "gpt-tiny"):
        cell = run.cell(name, "de-en")
        assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "generate", 4), cell
        assert set(cell["metrics"]) == {"bleu", "chrf", "ter"}
    assert run.cell("t5-tiny", "de-en")["task_info"]["shots"] == 0
    assert run.cell("gpt-tiny", "de-en")["task_info"]["shots"] == 2
    prompts = {(s["model"], s["id"]): s["prompt"] for s in run.samples}
    assert (
        prompts[("t5-tiny", "sample-01")] == "translate German to English: Der Zug nach Hamburg fährt um acht Uhr ab."
    )
    gpt_prompt = prompts[("gpt-tiny", "sample-01")]
    assert gpt_prompt.count("\n\n") == 2 and gpt_prompt.endswith("German: Der Zug nach Hamburg fährt um acht Uhr ab.\nEnglish:")  # fmt: skip
    # untrained models babble, but a prediction is always one stripped line
    assert all(isinstance(s["prediction"], str) and "\n" not in s["prediction"] for s in run.samples)
    assert all(s["prediction"] == s["prediction"].strip() for s in run.samples)


def test_a_line_aligned_suite_with_a_mismatch_stops_before_any_model_loads(nlpbench_run: Any) -> None:
    from nlpbench import DataError

    files = {"src.de": "Ja.\nNein.\n", "ref.en": "Yes.\n"}
    suite = {
        "name": "bad",
        "models": [{"name": "copy", "type": "copy"}],
        "tasks": [{"name": "t", "type": "translation",
                   "data": {"source": "src.de", "references": "ref.en", "source_lang": "de", "target_lang": "en"}}],
    }  # fmt: skip
    with pytest.raises(DataError, match=r"task 't': line counts differ: .*src\.de has 2 lines but .*ref\.en has 1"):
        nlpbench_run(suite, plugins=[plugin, metrics, baselines], files=files)


@pytest.mark.slow  # sacrebleu's statistics on 400 sentences, twice over: a couple of seconds
def test_copy_on_real_wmt22_agrees_with_sacrebleu_on_the_same_lines(nlpbench_run: Any, wmt: Path) -> None:
    sacrebleu = pytest.importorskip("sacrebleu")
    files = [wmt / f"generaltest2022.de-en.{name}" for name in ("src.de", "ref.A.en", "ref.B.en")]
    suite = {
        "name": "wmt22",
        "models": [{"name": "copy", "type": "copy"}],
        "tasks": [{"name": "wmt22", "type": "translation", "limit": 400, "data": {
            "source": str(files[0]), "references": [str(files[1]), str(files[2])], "source_lang": "de", "target_lang": "en"}}],
    }  # fmt: skip
    cell = nlpbench_run(suite, plugins=[plugin, metrics, baselines]).cell("copy", "wmt22")
    assert (cell["status"], cell["n"]) == ("ok", 400)
    # the lines reach the metrics exactly as sacrebleu reads them from the files
    source, ref_a, ref_b = (path.read_text(encoding="utf-8").split("\n")[:400] for path in files)
    assert cell["metrics"]["bleu"]["value"] == pytest.approx(sacrebleu.corpus_bleu(source, [ref_a, ref_b]).score, abs=1e-9)  # fmt: skip
    assert cell["metrics"]["chrf"]["value"] == pytest.approx(sacrebleu.corpus_chrf(source, [ref_a, ref_b]).score, abs=1e-9)  # fmt: skip
    assert cell["task_info"]["data"]["references"] == [str(files[1]), str(files[2])]
