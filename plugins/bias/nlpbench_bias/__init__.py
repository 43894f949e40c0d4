"""Bias audits for nlpbench: counterfactual substitution with curated word lists,
likelihood preference, representation in generations, and group gaps."""

from __future__ import annotations

from .counterfactual import CounterfactualAudit
from .group_gap import GroupGapAudit
from .group_labels import GroupLabelsAudit
from .likelihood import LikelihoodPreferenceAudit
from .representation import RepresentationAudit
from .substitution import Ambiguous, Substitution, match_case
from .wordlists import BUILT_IN, WordList, built_in, user_list

__all__ = [
    "BUILT_IN",
    "Ambiguous",
    "CounterfactualAudit",
    "GroupGapAudit",
    "GroupLabelsAudit",
    "LikelihoodPreferenceAudit",
    "RepresentationAudit",
    "Substitution",
    "WordList",
    "built_in",
    "match_case",
    "user_list",
]
