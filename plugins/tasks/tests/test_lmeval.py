"""lm-evaluation-harness's task files, read as they are: includes, ``!function`` (only
when trusted), groups and folders, the keys outside the subset refused one line each,
and its conventions where they change a number (few-shot draws, word counts).

The per-example agreement with lm-evaluation-harness itself is measured by
benchmarks/perf/lm_eval_agreement.py, which installs it into a throwaway venv.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError

ARC = {
    "id": "q",
    "question": "Which gas do plants take in?",
    "choices": {"text": ["oxygen", "carbon dioxide", "helium"], "label": ["A", "B", "C"]},
    "answerKey": "B",
}

ARC_YAML = """\
task: mini_arc
dataset_path: json
dataset_kwargs:
  data_files:
    test: data/arc.jsonl
output_type: multiple_choice
test_split: test
doc_to_text: "Question: {{question}}\\nAnswer:"
doc_to_target: "{{choices.label.index(answerKey)}}"
doc_to_choice: "{{choices.text}}"
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
  - metric: acc_norm
metadata:
  version: 1.0
"""

GSM_YAML = """\
task: mini_gsm
dataset_path: json
dataset_kwargs:
  data_files:
    train: data/gsm_train.jsonl
    test: data/gsm_test.jsonl
output_type: generate_until
training_split: train
fewshot_split: train
test_split: test
doc_to_text: "Question: {{question}}\\nAnswer:"
doc_to_target: "{{answer}}"
num_fewshot: 2
generation_kwargs:
  until: ["Question:", "</s>"]
  do_sample: false
  temperature: 0.0
  max_gen_toks: 4
metric_list:
  - metric: exact_match
    ignore_case: true
    regexes_to_ignore: [",", "\\\\$", "(?s).*#### ", "\\\\.$"]
filter_list:
  - name: strict-match
    filter:
      - function: regex
        regex_pattern: "#### (\\\\-?[0-9\\\\.\\\\,]+)"
      - function: take_first
  - name: flexible-extract
    filter:
      - function: regex
        group_select: -1
        regex_pattern: "(-?[$0-9.,]{2,})|(-?[0-9]+)"
      - function: take_first
"""


def _arc_rows(n: int) -> str:
    rows = [dict(ARC, id=f"q{i}", question=f"Question number {i}?", answerKey="ABC"[i % 3]) for i in range(n)]
    return "".join(json.dumps(row) + "\n" for row in rows)


def _gsm_rows(n: int, prefix: str) -> str:
    rows = [
        {"question": f"{prefix} {i} plus {i}?", "answer": f"{i}+{i}=<<{i}+{i}={2 * i}>>{2 * i}\n#### {2 * i}"}
        for i in range(n)
    ]
    return "".join(json.dumps(row) + "\n" for row in rows)


def _files(**extra: str) -> dict[str, str]:
    return {"arc.yaml": ARC_YAML, "data/arc.jsonl": _arc_rows(5), **extra}


def test_a_multiple_choice_file_runs_as_lm_evaluation_harness_reports_it(run: Any) -> None:
    result = run([{"task": "arc.yaml"}], files=_files())
    cell = result.cell("tiny", "mini_arc")
    assert cell["status"] == "ok" and cell["task_type"] == "lm-eval" and cell["n"] == 5
    assert list(cell["metrics"]) == ["acc", "acc_norm"]
    assert cell["task_info"]["conventions"] == "lm-evaluation-harness"
    first = result.samples[0]
    assert first["id"] == "0" and first["prompt"] == "Question: Question number 0?\nAnswer:"
    assert first["references"] == [0] and first["prediction"]["chars"] == [6, 14, 6]


def test_a_generation_file_reports_each_filter_under_its_name(run: Any) -> None:
    files = {
        "gsm.yaml": GSM_YAML,
        "data/gsm_train.jsonl": _gsm_rows(4, "Train"),
        "data/gsm_test.jsonl": _gsm_rows(3, "Test"),
    }
    result = run([{"task": "gsm.yaml"}], files=files)
    cell = result.cell("tiny", "mini_gsm")
    assert list(cell["metrics"]) == ["exact_match,strict-match", "exact_match,flexible-extract"]
    recorded = result.results["tasks"]["mini_gsm"]["metrics"]["exact_match,strict-match"]
    assert recorded["name"] == "em" and recorded["filter"] == "strict-match" and recorded["ignore_case"] is True
    # lm-evaluation-harness's shots: one Random(1234) for the task, drawn for each example in turn
    rng = random.Random(1234)
    train = [f"Train {i} plus {i}?" for i in range(4)]
    for sample in result.samples:
        shots = rng.sample(range(4), 2)
        expected = "".join(
            f"Question: {train[j]}\nAnswer: {j}+{j}=<<{j}+{j}={2 * j}>>{2 * j}\n#### {2 * j}\n\n" for j in shots
        )
        assert sample["prompt"].startswith(expected)
    assert result.samples[0]["prediction"]["answers"]["strict-match"] == "[invalid]"
    info = cell["metrics"]["exact_match,strict-match"]["info"]
    assert info["unmatched_answers"] == "3 of 3 answers: a regex filter found nothing ([invalid])"


def test_shots_from_the_evaluated_split_leave_the_example_out(run: Any) -> None:
    validation_only = ARC_YAML.replace("test: data/arc.jsonl", "validation: data/arc.jsonl").replace(
        "test_split: test", "validation_split: validation\nnum_fewshot: 2"
    )
    result = run([{"task": "arc.yaml"}], files=_files(**{"arc.yaml": validation_only}))
    rng = random.Random(1234)
    for index, sample in enumerate(result.samples):
        drawn = [j for j in rng.sample(range(5), 3) if j != index][:2]
        questions = re.findall(r"Question: (Question number \d+\?)", sample["prompt"])
        assert questions == [f"Question number {j}?" for j in drawn] + [f"Question number {index}?"]


def test_includes_merge_with_the_including_file_winning(run: Any) -> None:
    child = 'include: arc.yaml\ntask: mini_arc_desc\ndescription: "About {{question.split()[0]}}.\\n\\n"\n'
    result = run([{"task": "child.yaml"}], files=_files(**{"child.yaml": child}))
    assert result.samples[0]["prompt"].startswith("About Question.\n\nQuestion: Question number 0?")


def test_a_function_runs_only_when_the_suite_trusts_the_tasks_code(run: Any) -> None:
    code = "def process_docs(dataset):\n    return dataset.map(lambda doc: {'question': doc['question'].upper()})\n"
    yaml = ARC_YAML.replace("output_type:", "process_docs: !function helpers.process_docs\noutput_type:")
    files = _files(**{"arc.yaml": yaml, "helpers.py": code})
    with pytest.raises(ConfigError) as caught:
        run([{"task": "arc.yaml"}], files=files)
    assert "arc.yaml:6: process_docs: !function helpers.process_docs: it runs the task author's Python" in str(
        caught.value
    )
    result = run([{"task": "arc.yaml", "trust_task_code": True}], files=files)
    assert result.samples[0]["prompt"] == "Question: QUESTION NUMBER 0?\nAnswer:"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("metadata:", "process_results: !function utils.process\nmetadata:"),
            "process_results: nlpbench does not run",
        ),
        (("metadata:", "shuffle: true\nmetadata:"), "shuffle: not a key of lm-evaluation-harness's task format"),
        (("metric: acc_norm", "metric: f1"), "metric 'f1' is not one nlpbench computes"),
        (("metric: acc_norm", "metric: acc_norm\n    aggregation: median"), "aggregation 'median'"),
        (("metadata:", "repeats: 3\nmetadata:"), "repeats: nlpbench asks each request once"),
        (("output_type: multiple_choice", "output_type: multiple_guess"), "output_type: must be one of"),
        (("dataset_kwargs:", "dataset_kwargs:\n  streaming: true"), "streaming: nlpbench reads data_files"),
    ],
)
def test_keys_outside_the_subset_are_refused_naming_file_line_and_key(
    run: Any, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        run([{"task": "arc.yaml"}], files=_files(**{"arc.yaml": ARC_YAML.replace(*change, 1)}))
    text = str(caught.value)
    assert message in text and re.search(r"arc\.yaml:\d+: ", text) and "\n" not in text


def test_a_group_file_names_its_members_and_overrides_them(run: Any) -> None:
    group = "group: science\ntask:\n  - mini_arc\n  - {task: mini_arc_two, num_fewshot: 1}\naggregate_metric_list:\n  - metric: acc\n"
    two = "include: arc.yaml\ntask: mini_arc_two\n"
    result = run([{"task": "_group.yaml"}], files=_files(**{"_group.yaml": group, "two.yaml": two}))
    assert [c["task"] for c in result.results["cells"]] == ["science/mini_arc", "science/mini_arc_two"]
    prompts = {s["task"]: s["prompt"] for s in result.samples if s["id"] == "0"}
    assert (
        prompts["science/mini_arc"].count("Question:") == 1 and prompts["science/mini_arc_two"].count("Question:") == 2
    )
    assert result.results["groups"][0]["group"] == "science"


def test_a_folder_is_a_group_of_its_task_files(run: Any) -> None:
    files = {"tasks/arc.yaml": ARC_YAML.replace("data/arc.jsonl", "../data/arc.jsonl"), "data/arc.jsonl": _arc_rows(3)}
    files["tasks/other.yaml"] = "include: arc.yaml\ntask: other_arc\n"
    result = run([{"task": "tasks"}], files=files)
    assert [c["task"] for c in result.results["cells"]] == ["tasks/mini_arc", "tasks/other_arc"]


def test_rolling_perplexity_counts_words_as_lm_evaluation_harness_does(run: Any) -> None:
    wiki = (
        "task: mini_wiki\ndataset_path: json\ndataset_kwargs:\n  data_files:\n    test: w.jsonl\n"
        "output_type: loglikelihood_rolling\ntest_split: test\ndoc_to_text: ''\ndoc_to_target: '{{page}}'\n"
    )
    rows = [{"page": " leading and trailing "}, {"page": "plain words here"}]
    result = run(
        [{"task": "wiki.yaml"}], files={"wiki.yaml": wiki, "w.jsonl": "".join(json.dumps(r) + "\n" for r in rows)}
    )
    cell = result.cell("tiny", "mini_wiki")
    assert list(cell["metrics"]) == ["word_perplexity", "byte_perplexity", "bits_per_byte"]
    assert [s["prediction"]["words"] for s in result.samples] == [5, 3]  # re.split(r"\s+") counts the empty ends


def test_translation_metrics_score_the_generated_answer(run: Any) -> None:
    yaml = (
        "task: mini_mt\ndataset_path: json\ndataset_kwargs:\n  data_files:\n    test: mt.jsonl\n"
        "output_type: generate_until\ntest_split: test\ndoc_to_text: 'German: {{de}}\\nEnglish:'\n"
        "doc_to_target: '{{en}}'\ngeneration_kwargs: {until: ['\\n'], max_gen_toks: 4}\n"
        "metric_list:\n  - metric: bleu\n  - metric: chrf\n  - metric: ter\n"
    )
    rows = [{"de": "ein gutes Buch", "en": "a good book"}, {"de": "kalt", "en": "cold"}]
    result = run(
        [{"task": "mt.yaml"}], files={"mt.yaml": yaml, "mt.jsonl": "".join(json.dumps(r) + "\n" for r in rows)}
    )
    cell = result.cell("tiny", "mini_mt")
    assert cell["status"] == "ok" and list(cell["metrics"]) == ["bleu", "chrf", "ter"]
    assert cell["metrics"]["bleu"]["info"]["signature"].startswith("nrefs:1|case:mixed")


def test_without_generation_kwargs_generation_stops_at_the_fewshot_delimiter(run: Any) -> None:
    yaml = (
        "task: mini_gen\ndataset_path: json\ndataset_kwargs:\n  data_files:\n    test: g.jsonl\n"
        "output_type: generate_until\ntest_split: test\ndoc_to_text: '{{q}}'\ndoc_to_target: '{{a}}'\n"
        "fewshot_delimiter: '###'\n"
    )
    result = run(
        [{"task": "g.yaml"}], files={"g.yaml": yaml, "g.jsonl": json.dumps({"q": "a good day", "a": "x"}) + "\n"}
    )
    assert result.cell("tiny", "mini_gen")["task_info"]["generate"]["until"] == ["###"]


def test_an_unresolvable_target_is_kept_and_scored_wrong(run: Any) -> None:
    rows = [dict(ARC, id=f"q{i}", question=f"Q {i}?") for i in range(3)]
    rows[0] = dict(rows[0], answerKey="Z")  # no such label: lm-evaluation-harness scores it wrong
    yaml = ARC_YAML.replace(
        '"{{choices.label.index(answerKey)}}"', '"{{(choices.label + [answerKey]).index(answerKey)}}"'
    )
    result = run(
        [{"task": "arc.yaml"}],
        files=_files(**{"arc.yaml": yaml, "data/arc.jsonl": "".join(json.dumps(r) + "\n" for r in rows)}),
    )
    cell = result.cell("tiny", "mini_arc")
    assert cell["n"] == 3 and cell["task_info"]["unresolved_targets"]["handled"] == "kept, scored wrong"
    assert result.samples[0]["references"] == [] and result.samples[0]["scores"]["acc"] == 0.0


def test_process_docs_that_raises_fails_the_tasks_cells_naming_file_and_line(run: Any) -> None:
    code = "def process_docs(dataset):\n    raise KeyError('nope')\n"
    yaml = ARC_YAML.replace("output_type:", "process_docs: !function helpers.process_docs\noutput_type:")
    from nlpbench import ConfigError

    with pytest.raises(ConfigError, match=r"arc\.yaml:6: process_docs raised KeyError: 'nope'"):
        run([{"task": "arc.yaml", "trust_task_code": True}], files=_files(**{"arc.yaml": yaml, "helpers.py": code}))


def test_a_plugin_may_ship_lm_evaluation_harness_files_in_the_library(tmp_path: Path) -> None:
    import nlpbench_metrics.plugin
    from nlpbench import hookimpl
    from nlpbench.testing.harness import make_host, run_suite_text
    from nlpbench_tasks import plugin

    folder = tmp_path / "shipped"
    (folder / "data").mkdir(parents=True)
    (folder / "arc.yaml").write_text(ARC_YAML, encoding="utf-8")
    (folder / "data" / "arc.jsonl").write_text(_arc_rows(4), encoding="utf-8")

    class Shipping:
        NLPBENCH_PLUGIN_NAME = "shipping"

        @hookimpl
        def register_task_files(self, register: Any) -> None:
            register(folder)

    host = make_host(plugin, nlpbench_metrics.plugin, Shipping())
    suite = {"name": "lib", "models": [{"name": "tiny", "type": "tiny"}], "tasks": [{"task": "mini_arc"}]}
    result = run_suite_text(suite, tmp_path / "run", host=host)
    assert result.cell("tiny", "mini_arc")["status"] == "ok" and result.cell("tiny", "mini_arc")["n"] == 4
