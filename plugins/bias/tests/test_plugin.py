from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

import pytest

from nlpbench import ConfigError, ModelSpec
from nlpbench_bias import CounterfactualAudit, plugin
from nlpbench_bias.biased_model import GenderBiasedModel
from nlpbench_bias.group_gap import GroupGapAudit
from nlpbench_bias.likelihood import LikelihoodPreferenceAudit
from nlpbench_bias.representation import RepresentationAudit


def collect(hook: Any) -> dict[str, tuple[Any, tuple[str, ...]]]:
    found: dict[str, tuple[Any, tuple[str, ...]]] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = (component, tuple(aliases))

    hook(register=register)
    return found


def test_registers_the_audit_and_the_instrument() -> None:
    assert collect(plugin.register_bias_audits) == {
        "counterfactual": (CounterfactualAudit, ("counterfactual-gender",)),
        "likelihood-preference": (LikelihoodPreferenceAudit, ("crows-pairs",)),
        "group-gap": (GroupGapAudit, ("eec",)),
        "representation": (RepresentationAudit, ("bold",)),
    }
    assert collect(plugin.register_models) == {"gender-biased": (GenderBiasedModel, ())}


def test_the_entry_point_is_installed() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="nlpbench")}
    assert found.get("bias") == "nlpbench_bias.plugin"


def test_the_plugin_module_imports_nothing_heavy() -> None:
    code = "import sys, nlpbench_bias.plugin; print(sorted(m for m in ('numpy', 'torch', 'transformers') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_biased_model_answers_by_female_words() -> None:
    from nlpbench import ClassifyRequest

    model = GenderBiasedModel(ModelSpec(name="b", type="gender-biased"))
    labels = ("negative", "positive")
    answers = model.classify([ClassifyRequest("She left.", labels), ClassifyRequest("He left. Shell.", labels)])
    assert answers == [{"negative": 0.8, "positive": 0.2}, {"negative": pytest.approx(0.2), "positive": 0.8}]


def test_the_biased_model_takes_no_params() -> None:
    with pytest.raises(ConfigError, match=r"params\.x: unknown option: it takes none"):
        GenderBiasedModel(ModelSpec(name="b", type="gender-biased", params={"x": 1}))


def test_the_plugin_conforms() -> None:
    from nlpbench.testing import check_conformance

    assert check_conformance(plugin) == []
