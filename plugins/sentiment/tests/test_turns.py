"""Few-shot prompts as turns for a chat model (``GenerateRequest.messages``), built from
the sentiment task's template and shots."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_a_prompt_template_task_asks_generation_with_its_shots_as_turns(tmp_path: Path) -> None:
    """The sentiment task (a core template with shots): the prompt stays the plain text,
    the request carries the turns; without shots it carries none (and keeps its key)."""
    import json

    import nlpbench_metrics.plugin
    import nlpbench_sentiment.plugin
    from nlpbench import Message
    from nlpbench.results.store import request_fingerprint
    from nlpbench.suites.suite import load_suite
    from nlpbench.testing import make_host

    rows = [("A good film.", "positive"), ("A dull film.", "negative"), ("Fine.", "positive"), ("Bad.", "negative")]
    for name, part in (("dev.jsonl", rows[:1]), ("train.jsonl", rows[1:])):
        (tmp_path / name).write_text("".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in part))
    host = make_host(nlpbench_sentiment.plugin, nlpbench_metrics.plugin)

    def requests(shots: int) -> list[Any]:
        data = {
            "path": "dev.jsonl",
            "train": "train.jsonl",
            "text": "text",
            "label": "label",
            "labels": ["negative", "positive"],
        }
        suite = {"name": "s", "models": [{"name": "tiny", "type": "tiny"}],
                 "tasks": [{"name": "r", "type": "sentiment", "data": data, "params": {"shots": shots}}]}  # fmt: skip
        (tmp_path / "suite.yaml").write_text(json.dumps(suite), encoding="utf-8")
        (spec,) = load_suite(tmp_path / "suite.yaml", host).tasks
        task = host.tasks.get(spec.type).component(spec)
        return list(task.build_requests(task.examples()[0], "generate"))

    (request,) = requests(2)
    assert request.prompt.endswith("Review: A good film.\nSentiment:") and request.prompt.count("Review:") == 3
    assert [m.role for m in request.messages] == ["user", "assistant", "user", "assistant", "user"]
    assert request.messages[-1] == Message("user", "Review: A good film.\nSentiment:")
    assert {m.content for m in request.messages[1:4:2]} <= {"positive", "negative"}
    # the turns joined as the prompt joins them give the prompt back
    shown = "".join(f"{m.content}{' ' if m.role == 'user' else chr(10) * 2}" for m in request.messages[:-1])
    assert shown + request.messages[-1].content == request.prompt
    assert "messages" in request_fingerprint(request)  # the turns are part of the example's key
    (plain,) = requests(0)
    assert plain.messages == () and "messages" not in request_fingerprint(plain)  # its key as before
