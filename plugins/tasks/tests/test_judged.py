"""A judge grades a declarative task's generations: it reads the generated text, not the
prediction's record (text and filtered answer)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from nlpbench import GenerateRequest, hookimpl
from nlpbench.testing import make_host, run_suite_text


class Grader:
    """7 for a response that says "positive", 3 otherwise; it records what it was shown."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate"})
    shown: ClassVar[list[str]] = []

    def __init__(self, spec: Any) -> None:
        pass

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        responses = [r.prompt.split("[The assistant's response]\n", 1)[1].strip() for r in requests]
        Grader.shown += responses
        return ["Rating: [[7]]" if response == "positive" else "Rating: [[3]]" for response in responses]


class GraderPlugin:
    NLPBENCH_PLUGIN_NAME = "grader"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(Grader, name="grader")


def test_a_judge_grades_the_generated_text_of_a_template_task(tmp_path: Path) -> None:
    rows = [{"text": "a good film", "gold": "POS"}, {"text": "a dull film", "gold": "NEG"}]
    task = {
        "name": "gen",
        "type": "template",
        "data": {"path": "g.jsonl"},
        "models": ["tiny"],
        "params": {
            "output": "generate",
            "input": "{{text}}\n",
            "target": "gold",
            "generate": {"until": ["\n"], "max_new_tokens": 4},
            "filters": [{"regex": "(pos|neg)"}, "uppercase"],
        },
        "metrics": ["em", {"name": "judge", "model": "grader"}],
    }
    suite = {
        "name": "judged",
        "seed": 3,
        "models": [{"name": "tiny", "type": "tiny"}, {"name": "grader", "type": "grader"}],
        "tasks": [task],
    }
    Grader.shown.clear()
    files = {"g.jsonl": "".join(json.dumps(row) + "\n" for row in rows)}
    run = run_suite_text(suite, tmp_path, host=make_host(GraderPlugin(), entry_points=True), files=files)
    assert run.exit_code == 0, run.log
    assert Grader.shown == ["positive", "negative"]  # the text, not {'text': ..., 'answer': ...}
    [cell] = run.results["cells"]
    assert cell["metrics"]["em"]["value"] == 1.0 and cell["metrics"]["judge"]["value"] == 5.0
