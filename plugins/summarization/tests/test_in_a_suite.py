"""The summarization task in whole suites on the built-in sample: the ``lead`` baseline, and a
tiny untrained T5 and GPT built from configs (each with its own prompt)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nlpbench import DataError
from nlpbench_summarization import SummarizationTask, plugin

metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
baselines = pytest.importorskip("nlpbench_baselines.plugin", reason="needs nlpbench-baselines")

#: A tiny T5 and GPT (as in the t5 and gpt plugins' own tests): built from these in a second.
TINY_T5 = {"d_model": 32, "d_ff": 64, "num_layers": 2, "num_heads": 2, "d_kv": 16, "initializer_factor": 2.0}
TINY_GPT = {"n_layer": 1, "n_embd": 32, "n_head": 2, "n_positions": 256}


#: The task's ROUGE metrics without stemming, which would import nltk (seconds): the slow
#: test below runs the defaults, stemming and all.
UNSTEMMED = [{"name": name, "stemming": False} for name in SummarizationTask.default_metrics]


def test_lead_3_summarizes_from_the_source(nlpbench_run: Any) -> None:
    suite = {
        "name": "sum",
        "models": [{"name": "lead-3", "type": "lead"}],
        "tasks": [{"name": "news", "type": "summarization", "metrics": UNSTEMMED, "params": {"max_input_words": 20}}],
    }
    run = nlpbench_run(suite, plugins=[plugin, metrics, baselines])
    assert run.exit_code == 0
    cell = run.cell("lead-3", "news")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "generate", 12)
    assert set(cell["metrics"]) == set(SummarizationTask.default_metrics)
    # the task gives the whole document as the source: lead-3 never reads the cut prompt
    assert cell["model_info"] == {"k": 3, "join": "newline", "from_source": 12, "from_prompt": 0}
    info = cell["task_info"]
    assert (info["data"], info["template_for"], info["documents_cut"], info["max_input_words"]) == ("built-in sample", "default", 12, 20)  # fmt: skip
    first = run.samples[0]
    assert first["id"] == "sample-01"
    assert first["prediction"] == (
        "The town council of Marlow Bay voted on Tuesday to close the old harbour bridge for repairs.\n"
        "Engineers found cracks in two of its steel supports during an inspection last month.\n"
        "The bridge carries about 4,000 cars a day between the harbour and the town centre."
    )
    assert first["prompt"] == "The town council of Marlow Bay voted on Tuesday to close the old harbour bridge for repairs. Engineers found cracks\n\nTL;DR:"  # fmt: skip
    # lead-3 overlaps its reference: well above zero, well below perfect
    assert all(0.1 < score["value"] < 0.8 for score in cell["metrics"].values())


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
        "name": "sum",
        "seed": 7,
        "models": [
            {"name": "t5-tiny", "type": "t5", "config": TINY_T5, "params": {"device": "cpu"}},
            {"name": "gpt-tiny", "type": "gpt", "config": TINY_GPT, "params": {"device": "cpu"}},
        ],
        "tasks": [
            {"name": "news", "type": "summarization", "limit": 3,  # the default metrics
             "params": {"shots": 1, "max_new_tokens": 8, "max_words": 5, "max_input_words": 40}},
        ],
    }  # fmt: skip
    run = nlpbench_run(suite, plugins=[plugin, metrics, t5, gpt])
    assert run.exit_code == 0
    for name in ("t5-tiny", "gpt-tiny"):
        cell = run.cell(name, "news")
        assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "generate", 3), cell
        assert cell["task_info"]["documents_cut"] == 3
        assert set(cell["metrics"]) == {"rouge-1", "rouge-2", "rouge-l", "rouge-lsum"}
    assert (run.cell("t5-tiny", "news")["task_info"]["shots"], run.cell("gpt-tiny", "news")["task_info"]["shots"]) == (0, 1)  # fmt: skip
    prompts = {(s["model"], s["id"]): s["prompt"] for s in run.samples}
    assert prompts[("t5-tiny", "sample-01")].startswith("summarize: The town council of Marlow Bay")
    gpt_prompt = prompts[("gpt-tiny", "sample-01")]
    assert gpt_prompt.count("TL;DR:") == 2 and gpt_prompt.endswith("\n\nTL;DR:")
    assert all(len(s["prediction"].split()) <= 5 for s in run.samples)  # max_words holds


def test_an_empty_summary_stops_the_suite_before_any_model_loads(nlpbench_run: Any) -> None:
    files = {"news.jsonl": '{"document": "A story.", "summary": "Short."}\n{"document": "Another.", "summary": ""}\n'}
    suite = {
        "name": "bad",
        "models": [{"name": "lead", "type": "lead"}],
        "tasks": [{"name": "news", "type": "summarization", "data": {"path": "news.jsonl"}}],
    }
    with pytest.raises(
        DataError, match=r"task 'news': .*news\.jsonl:2: column 'summary' \(mapped by data.summary\) is empty"
    ):
        nlpbench_run(suite, plugins=[plugin, metrics, baselines], files=files)


def test_a_generation_budget_beyond_reason_stops_the_suite_before_anything_runs(nlpbench_run: Any) -> None:
    from nlpbench import ConfigError

    suite = {
        "name": "sum",
        "models": [{"name": "lead-3", "type": "lead"}],
        "tasks": [{"name": "news", "type": "summarization", "params": {"max_new_tokens": 10**8, "max_wrods": 3}}],
    }
    with pytest.raises(ConfigError) as raised:
        nlpbench_run(suite, plugins=[plugin, metrics, baselines])
    budget, typo = (message.split(": ", 1)[1] for message in raised.value.messages)  # type: ignore[attr-defined]
    assert budget == "tasks[0].params.max_new_tokens: must be at most 32768, not 100000000"
    assert typo.startswith("tasks[0].params.max_wrods: unknown option (did you mean 'max_words'?)")
