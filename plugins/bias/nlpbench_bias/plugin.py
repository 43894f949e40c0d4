"""nlpbench hook implementations: registers the bias audits ``counterfactual`` (alias
``counterfactual-gender``), ``likelihood-preference`` (alias ``crows-pairs``),
``representation`` (alias ``bold``) and ``group-gap`` (alias ``eec``; with ``field``
it audits labelled data), and the test-instrument model type ``gender-biased``.

Nothing is read here; word lists are read when an audit or model is built.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .biased_model import GenderBiasedModel
from .counterfactual import CounterfactualAudit
from .group_gap import GroupGapAudit
from .likelihood import LikelihoodPreferenceAudit
from .representation import RepresentationAudit


@hookimpl
def register_bias_audits(register: Register) -> None:
    register(CounterfactualAudit, name="counterfactual", aliases=["counterfactual-gender"])
    register(LikelihoodPreferenceAudit, name="likelihood-preference", aliases=["crows-pairs"])
    register(GroupGapAudit, name="group-gap", aliases=["eec"])
    register(RepresentationAudit, name="representation", aliases=["bold"])


@hookimpl
def register_models(register: Register) -> None:
    register(GenderBiasedModel, name="gender-biased")
