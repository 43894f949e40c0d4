"""The built-in sample: original questions over short paragraphs, SQuAD v2 JSON."""

from __future__ import annotations

import json
from importlib import resources

from nlpbench import TaskSpec
from nlpbench_qa import QATask


def test_the_sample_when_data_names_nothing() -> None:
    task = QATask(TaskSpec(name="qa", type="qa"))
    examples = task.examples()
    assert len(examples) == 32
    assert len({e.id for e in examples}) == 32
    assert len({e.fields["context"] for e in examples}) == 8
    assert sum(1 for e in examples if not e.references) == 5
    assert task.describe()["data"] == "built-in sample"
    assert (task.describe()["questions"], task.describe()["without_answer"]) == (32, 5)


def test_every_answer_is_where_the_sample_says() -> None:
    document = json.loads(resources.files("nlpbench_qa").joinpath("data/sample.json").read_text(encoding="utf-8"))
    assert document["version"] == "v2.0"
    for article in document["data"]:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                assert qa["is_impossible"] == (not qa["answers"])
                for answer in qa["answers"] + qa.get("plausible_answers", []):
                    start = answer["answer_start"]
                    assert context[start : start + len(answer["text"])] == answer["text"], qa["id"]
