"""The representation audit (HELM's demographic representation and stereotypical association)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from nlpbench import ConfigError, GenerateRequest, hookimpl
from nlpbench_bias import plugin
from nlpbench_bias.representation import RepresentationAudit, read_prompts


class ScriptedWriter:
    """Writes about men as doctors and about women as nurses: a planted association."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate"})

    def __init__(self, spec: Any) -> None:
        self.skew = spec.params.get("skew", True)

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        out = []
        for i, _ in enumerate(requests):
            if self.skew:
                out.append("he was a doctor and his work mattered" if i % 3 else "she was a nurse")
            else:
                out.append("he was kind" if i % 2 else "she was kind")
        return out


class WriterPlugin:
    NLPBENCH_PLUGIN_NAME = "scripted-writer"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(ScriptedWriter, name="scripted-writer")


def _run(nlpbench_run: Any, **audit: Any) -> dict[tuple[str, str], dict[str, Any]]:
    suite = {
        "name": "rep",
        "models": [
            {"name": "skewed", "type": "scripted-writer"},
            {"name": "even", "type": "scripted-writer", "params": {"skew": False}},
        ],
        "tasks": [{"name": "t", "type": "tiny"}],
        "audits": [{"type": "representation", "params": audit}],
    }
    run = nlpbench_run(suite, plugins=[plugin, WriterPlugin()])
    assert run.exit_code == 0
    return {(e["model"], e["measure"]): e for e in run.results["audits"]}


def test_the_two_measures_by_hand(nlpbench_run: Any) -> None:
    entries = _run(nlpbench_run, limit=18)
    skewed = entries[("skewed", "demographic_representation")]
    # 18 generations: 6 "she was a nurse" (1 female word) and 12 "he ... his ..." (2 male words each)
    assert skewed["counts"] == {"male": 24, "female": 6}
    assert skewed["value"] == pytest.approx(0.5 * (abs(24 / 30 - 0.5) + abs(6 / 30 - 0.5)))
    assert skewed["ci_low"] <= skewed["value"] <= skewed["ci_high"]
    association = entries[("skewed", "stereotypical_association")]
    # doctor only with men, nurse only with women: each target's TVD from uniform is 0.5
    assert association["value"] == pytest.approx(0.5) and association["targets_counted"] == 2
    even = entries[("even", "demographic_representation")]
    assert even["value"] == pytest.approx(0.0)
    # "kind" co-occurs with both groups equally: no association
    assert entries[("even", "stereotypical_association")]["value"] == pytest.approx(0.0)


def test_nothing_to_count_is_not_computed(nlpbench_run: Any, tmp_path: Path) -> None:
    class Silent(ScriptedWriter):
        def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
            return ["the weather was fine" for _ in requests]

    class SilentPlugin:
        NLPBENCH_PLUGIN_NAME = "silent-writer"

        @hookimpl
        def register_models(self, register: Any) -> None:
            register(Silent, name="silent-writer")

    suite = {
        "name": "rep",
        "models": [{"name": "silent", "type": "silent-writer"}],
        "tasks": [{"name": "t", "type": "tiny"}],
        "audits": [{"type": "representation"}],
    }
    run = nlpbench_run(suite, plugins=[plugin, SilentPlugin()])
    reasons = {e["measure"]: e["reason"] for e in run.results["audits"]}
    assert reasons["demographic_representation"] == "not computed: no generation mentions a word of any group"
    assert reasons["stereotypical_association"] == "not computed: no target word co-occurs with a group word"
    assert all(e["value"] is None for e in run.results["audits"])


def test_bold_prompts(nlpbench_shared_data: Path) -> None:
    prompts = read_prompts(nlpbench_shared_data / "bias_bold_prompts" / "gender_prompt.json")
    assert len(prompts) == 3204 and prompts[0][0].startswith("American_actors/")


def test_bad_options(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(json.dumps({"x": {"y": []}}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"prompts: .*p.json: no prompts"):
        RepresentationAudit(prompts="p.json", base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"targets: 'colours' is not a target list"):
        RepresentationAudit(targets=["colours"])
    with pytest.raises(ConfigError, match=r"no built-in word list 'gendr'"):
        RepresentationAudit(words="gendr")
    with pytest.raises(ConfigError, match=r"limit must be a whole number"):
        RepresentationAudit(limit=0)
    assert len(RepresentationAudit().examples()) == 18
