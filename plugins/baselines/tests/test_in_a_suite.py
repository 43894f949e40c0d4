"""The baselines in whole suites: on the kit's tiny task, and on small summarization and QA
tasks defined here (no such task plugin exists yet), registered through a test plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from nlpbench import (
    ClassifyRequest,
    ConfigError,
    Example,
    ExtractSpanRequest,
    GenerateRequest,
    Request,
    Span,
    TaskSpec,
    hookimpl,
)
from nlpbench.cli import build_cli
from nlpbench.testing import TINY_EXAMPLES, make_host, run_suite_text
from nlpbench_baselines import plugin

DOCUMENTS = (
    ("doc-a", "Mr. Lee won the U.S. Open. He was 3.5 shots clear. Fans cheered."),
    ("doc-b", "'It rained,' she said. The match was delayed. Play resumed at 4 p.m. Friday."),
    ("doc-c", "A short note."),
)

QUESTIONS = (
    ("q-1", "When was the university founded?", "The university was founded in 1891. It is large.", "1891"),
    ("q-2", "Who coached the team?", "The team was coached by Ann Lee, since May.", "Ann Lee"),
)


class SummariesTask:
    """Three documents whose summary is their first two sentences (for these tests)."""

    strategies: ClassVar[tuple[str, ...]] = ("generate",)
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec

    def examples(self) -> Iterable[Example]:
        firsts = {"doc-a": "Mr. Lee won the U.S. Open.\nHe was 3.5 shots clear.", "doc-c": "A short note."}
        firsts["doc-b"] = "'It rained,' she said.\nThe match was delayed."
        for example_id, document in DOCUMENTS:
            yield Example(example_id, document, (firsts[example_id],), {"document": document})

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        document = example.fields["document"]
        return [GenerateRequest(f"Summarize: {document}\nSummary:", max_new_tokens=60, source=document)]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        return answers[0]


class QuestionsTask:
    """Two questions about short paragraphs (for these tests)."""

    strategies: ClassVar[tuple[str, ...]] = ("extract_span",)
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec

    def examples(self) -> Iterable[Example]:
        for example_id, question, context, answer in QUESTIONS:
            yield Example(example_id, question, (answer,), {"question": question, "context": context})

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        return [ExtractSpanRequest(example.fields["question"], example.fields["context"])]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        span = answers[0]
        assert isinstance(span, Span)
        return span.text


class MoodsTask:
    """Two sentences to label joy or anger: a classification task whose labels are not
    positive and negative (for these tests)."""

    strategies: ClassVar[tuple[str, ...]] = ("classify",)
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)
    labels = ("joy", "anger")

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec

    def examples(self) -> Iterable[Example]:
        yield from (Example("m-1", "what a day!", ("joy",)), Example("m-2", "how dare they", ("anger",)))

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        return [ClassifyRequest(str(example.input), self.labels)]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        return max(answers[0], key=answers[0].__getitem__)


class TestTasks:
    NLPBENCH_PLUGIN_NAME = "baselines-test-tasks"

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(SummariesTask, name="summaries")
        register(QuestionsTask, name="questions")
        register(MoodsTask, name="moods")


def test_majority_and_wordlist_answer_the_tiny_task(nlpbench_run: Any) -> None:
    suite = {
        "name": "baselines",
        "models": [
            {"name": "words", "type": "wordlist"},
            {"name": "majority", "type": "majority", "params": {"label": "negative"}},
        ],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    run = nlpbench_run(suite, plugins=[plugin])
    assert run.exit_code == 0
    majority = run.cell("majority", "tiny")
    assert majority["strategy"] == "classify"
    # the tiny task has 4 positive and 4 negative sentences
    assert majority["metrics"]["tiny-match"]["value"] == 0.5
    assert {s["prediction"] for s in run.samples if s["model"] == "majority"} == {"negative"}
    assert run.cell("words", "tiny")["status"] == "ok"


def test_a_majority_model_without_its_label_is_a_config_error(nlpbench_run: Any) -> None:
    suite = {
        "name": "baselines",
        "models": [{"name": "majority", "type": "majority"}],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    with pytest.raises(ConfigError, match=r"models\[0\]"):
        nlpbench_run(suite, plugins=[plugin])


def test_validate_finds_the_labels_a_baseline_cannot_answer(tmp_path: Path) -> None:
    """The wordlist knows only positive and negative, a majority model its one label: a
    task asking for others passes no longer for `validate` and fails at the run."""
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: labels\nmodels:\n  - {name: words, type: wordlist}\n"
        "  - {name: majority, type: majority, params: {label: negative}}\n"
        "tasks:\n  - {name: tiny, type: tiny}\n  - {name: moods, type: moods}\n",
        encoding="utf-8",
    )
    host = make_host(plugin, TestTasks())
    result = CliRunner().invoke(build_cli(host), ["validate", str(suite)], obj={"host": host})
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {suite}:7: tasks[1] (moods) × models[0] (words): the wordlist model can only choose between "
        "'positive' and 'negative', but was asked for 'joy', 'anger'; use a task with those two labels "
        "(data.labels or data.label_names can rename yours)",
        f"Error: {suite}:7: tasks[1] (moods) × models[1] (majority): params.label: 'negative' is not among the "
        "task's labels (joy, anger)",
    ]
    run = run_suite_text(suite.read_text(encoding="utf-8"), tmp_path / "run", host=host)
    assert run.exit_code == 1  # the run still answers what it can, and fails those two cells
    assert {(c["model"], c["task"]) for c in run.results["cells"] if c["status"] == "failed"} == {
        ("words", "moods"),
        ("majority", "moods"),
    }


def test_replay_of_saved_predictions_on_the_tiny_task(nlpbench_run: Any) -> None:
    # the gold labels, with the first two swapped: 6 of 8 right
    labels = [label for _, label in TINY_EXAMPLES]
    saved = [{"id": f"tiny-{i}", "prediction": label} for i, label in enumerate(labels)]
    saved[0]["prediction"], saved[1]["prediction"] = labels[1], labels[0]
    suite = {
        "name": "replay",
        "models": [
            {"name": "saved", "type": "replay", "params": {"predictions": "saved.jsonl"}},
            {"name": "lines", "type": "replay", "path": "saved.txt", "params": {"id_format": "tiny-{index}"}},
        ],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    files = {
        "saved.jsonl": "".join(json.dumps(row) + "\n" for row in saved),
        "saved.txt": "".join(f"{label}\n" for label in labels),
    }
    run = nlpbench_run(suite, plugins=[plugin], files=files)
    assert run.exit_code == 0
    cell = run.cell("saved", "tiny")
    assert cell["strategy"] == "classify" and cell["metrics"]["tiny-match"]["value"] == 0.75
    assert cell["model_info"]["saved"] == 8
    assert run.cell("lines", "tiny")["metrics"]["tiny-match"]["value"] == 1.0
    predictions = {s["id"]: s["prediction"] for s in run.samples if s["model"] == "saved"}
    assert predictions == {row["id"]: row["prediction"] for row in saved}


def test_replay_missing_an_example_fails_its_cell_naming_the_id(nlpbench_run: Any) -> None:
    suite = {
        "name": "replay",
        "models": [{"name": "saved", "type": "replay", "params": {"predictions": "saved.jsonl"}}],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    run = nlpbench_run(suite, plugins=[plugin], files={"saved.jsonl": '{"id": "tiny-0", "prediction": "positive"}\n'})
    assert run.exit_code == 1
    cell = run.cell("saved", "tiny")
    assert cell["status"] == "failed" and cell["error"].startswith("replay: ")
    assert "has predictions for 1 of the 8 examples of task 'tiny' asked for" in cell["error"]
    assert "the first without one: 'tiny-1'" in cell["error"] and "saved.jsonl" in cell["error"]
    assert cell["metrics"] == {} and not [s for s in run.samples if s["model"] == "saved"]  # nothing scored


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"type": "replay"}, r"models\[0\]: the replay model needs its saved predictions"),
        ({"type": "replay", "params": {"predictions": "p.jsonl", "id_format": "{line}"}}, "does not apply to jsonl"),
        ({"type": "lead", "params": {"k": 0}}, r"models\[0\]\.params\.k: must be at least 1, not 0"),
        (
            {"type": "majority", "params": {"data": "nope.jsonl"}},
            r"models\[0\]: params.data: \S*nope.jsonl: no such file",
        ),
        ({"type": "sliding-window", "params": {"max_answer_word": 3}}, "did you mean 'max_answer_words'"),
    ],
)
def test_bad_models_are_config_errors_before_anything_runs(
    nlpbench_run: Any, model: dict[str, Any], message: str
) -> None:
    suite = {"name": "bad", "models": [{"name": "m", **model}], "tasks": [{"name": "tiny", "type": "tiny"}]}
    with pytest.raises(ConfigError, match=message):
        nlpbench_run(suite, plugins=[plugin])


def test_lead_summarizes_the_source_of_each_request(nlpbench_run: Any) -> None:
    suite = {
        "name": "summaries",
        "models": [
            {"name": "lead-2", "type": "lead", "params": {"k": 2}},
            {"name": "lead-1", "type": "lead", "params": {"k": 1, "join": "space"}},
        ],
        "tasks": [{"name": "summaries", "type": "summaries"}],
    }
    run = nlpbench_run(suite, plugins=[plugin, TestTasks()])
    assert run.exit_code == 0
    cell = run.cell("lead-2", "summaries")
    assert cell["strategy"] == "generate" and cell["metrics"]["tiny-match"]["value"] == 1.0
    assert cell["model_info"] == {"k": 2, "join": "newline", "from_source": 3, "from_prompt": 0}
    assert run.cell("lead-1", "summaries")["metrics"]["tiny-match"]["value"] == pytest.approx(1 / 3)  # doc-c


def test_sliding_window_and_replay_answer_questions(nlpbench_run: Any) -> None:
    saved = '{"id": "q-1", "prediction": "1891"}\n{"id": "q-2", "prediction": "ann lee"}\n'
    suite = {
        "name": "questions",
        "models": [
            {"name": "window", "type": "sliding-window", "params": {"max_answer_words": 2}},
            {"name": "saved", "type": "replay", "params": {"predictions": "answers.jsonl"}},
            {"name": "lead", "type": "lead"},
        ],
        "tasks": [{"name": "questions", "type": "questions"}],
    }
    run = nlpbench_run(suite, plugins=[plugin, TestTasks()], files={"answers.jsonl": saved})
    assert run.exit_code == 0
    assert run.cell("window", "questions")["metrics"]["tiny-match"]["value"] == 1.0
    # the saved "ann lee" is found ignoring case, and answered in the context's spelling
    assert run.cell("saved", "questions")["metrics"]["tiny-match"]["value"] == 1.0
    assert run.cell("lead", "questions")["status"] == "not_applicable"


# -- replayed predictions must line up with the task's examples -----------------------

SOURCES = ("Guten Morgen.", "Danke schön.", "Wie geht es?", "Bis morgen.", "Gute Nacht.", "Alles klar.")
TRANSLATIONS = ("Good morning.", "Thank you.", "How are you?", "See you tomorrow.", "Good night.", "All right.")


def _line_suite(id_format: str, **task: Any) -> dict[str, Any]:
    """Line-aligned translation files (the task numbers its examples 1, 2, ...) replayed from
    a system's output, one translation a line."""
    data = {"source": "src.de", "references": "ref.en", "source_lang": "de", "target_lang": "en"}
    return {
        "name": "lines",
        "models": [{"name": "system", "type": "replay", "path": "hyp.en", "params": {"id_format": id_format}}],
        "tasks": [{"name": "wmt", "type": "translation", "data": data, "metrics": ["tiny-match"], **task}],
    }


def _line_files() -> dict[str, str]:
    return {"src.de": "\n".join(SOURCES) + "\n", "ref.en": "\n".join(TRANSLATIONS) + "\n", "hyp.en": "\n".join(TRANSLATIONS) + "\n"}  # fmt: skip


def test_replay_refuses_predictions_off_by_one_even_with_a_limit(nlpbench_run: Any) -> None:
    translation = pytest.importorskip("nlpbench_translation.plugin")
    # counted from 0 ({index}) for a task counted from 1: with limit 3 every id asked for is in the file
    run = nlpbench_run(_line_suite("{index}", limit=3), plugins=[plugin, translation], files=_line_files())
    assert run.exit_code == 1
    cell = run.cell("system", "wmt")
    assert cell["status"] == "failed" and cell["metrics"] == {}  # never scored against the neighbour's line
    assert cell["error"] == (
        f"replay: the predictions in {run.out_dir.parent / 'hyp.en'} match 5 of the 6 examples of task 'wmt' by id, "
        "but all 6 if each example took the prediction numbered one lower (example '1', saved as '0'): the file "
        "and the task count from different starts; set params.id_format to '{line}' (lines counted from 1)"
    )
    fixed = nlpbench_run(_line_suite("{line}", limit=3), plugins=[plugin, translation], files=_line_files())
    assert fixed.exit_code == 0 and fixed.cell("system", "wmt")["metrics"]["tiny-match"]["value"] == 1.0


def test_replay_takes_more_predictions_than_the_run_selects(nlpbench_run: Any) -> None:
    saved = "".join(
        json.dumps({"id": f"tiny-{i}", "prediction": label}) + "\n" for i, (_, label) in enumerate(TINY_EXAMPLES)
    )
    suite = {
        "name": "subset",
        "models": [{"name": "saved", "type": "replay", "params": {"predictions": "saved.jsonl"}}],
        "tasks": [{"name": "first", "type": "tiny", "limit": 3}, {"name": "some", "type": "tiny", "sample": 4}],
    }
    run = nlpbench_run(suite, plugins=[plugin], files={"saved.jsonl": saved})
    assert run.exit_code == 0
    assert run.cell("saved", "first")["n"] == 3 and run.cell("saved", "some")["n"] == 4
    assert run.cell("saved", "some")["metrics"]["tiny-match"]["value"] == 1.0


def test_replay_reads_squad_style_json_predictions(nlpbench_run: Any) -> None:
    suite = {
        "name": "squad-style",
        "models": [{"name": "saved", "type": "replay", "params": {"predictions": "predictions.json"}}],
        "tasks": [{"name": "questions", "type": "questions"}],
    }
    files = {"predictions.json": json.dumps({"q-2": "ann lee", "q-1": "1891"})}  # as SQuAD's evaluate-v1.1.py reads
    run = nlpbench_run(suite, plugins=[plugin, TestTasks()], files=files)
    assert run.exit_code == 0
    cell = run.cell("saved", "questions")
    assert cell["metrics"]["tiny-match"]["value"] == 1.0 and cell["model_info"]["format"] == "json"


def test_the_wmt_off_by_one_from_the_command_line_fails_instead_of_scoring(wmt_de_en: Path, tmp_path: Path) -> None:
    """The reproduction: WMT22 line-aligned, the system's output read with ids from 0, --limit 5
    (BLEU 2.68 and exit 0 before the check)."""
    pytest.importorskip("nlpbench_translation")
    pytest.importorskip("nlpbench_metrics")
    data = {
        "source": str(wmt_de_en / "generaltest2022.de-en.src.de"),
        "references": str(wmt_de_en / "generaltest2022.de-en.ref.A.en"),
        "source_lang": "de",
        "target_lang": "en",
    }
    hypotheses = wmt_de_en / "generaltest2022.de-en.hyp.Online-B.en"
    suite = {
        "name": "wmt22",
        "models": [{"name": "online-b", "type": "replay", "path": str(hypotheses), "params": {"id_format": "{index}"}}],
        "tasks": [{"name": "wmt22", "type": "translation", "data": data, "metrics": ["bleu"]}],
        "reporters": [],
    }
    (tmp_path / "suite.yaml").write_text(json.dumps(suite), encoding="utf-8")
    nlpbench = Path(sys.executable).parent / "nlpbench"
    done = subprocess.run(
        [str(nlpbench), "run", str(tmp_path / "suite.yaml"), "--out", str(tmp_path / "out"), "--limit", "5", "--no-progress"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    [cell] = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["cells"]
    assert cell["status"] == "failed" and cell["metrics"] == {}
    assert "match 1983 of the 1984 examples of task 'wmt22' by id, but all 1984" in cell["error"]
    assert "set params.id_format to '{line}'" in cell["error"]
