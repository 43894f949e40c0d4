"""Bias audits for nlpbench: counterfactual substitution with curated word lists."""

from __future__ import annotations

from .counterfactual import CounterfactualAudit
from .substitution import Ambiguous, Substitution, match_case
from .wordlists import BUILT_IN, WordList, built_in, user_list

__all__ = [
    "BUILT_IN",
    "Ambiguous",
    "CounterfactualAudit",
    "Substitution",
    "WordList",
    "built_in",
    "match_case",
    "user_list",
]
