"""nlpbench hook implementations: registers the data-only audit ``data-quality``.

Nothing is read here: corpus files are read when an audit runs, a tokenizer only when
the ``length`` check finds one beside a model's weights.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .audit import DataQualityAudit


@hookimpl
def register_bias_audits(register: Register) -> None:
    register(DataQualityAudit, name="data-quality")
