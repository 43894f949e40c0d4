"""The default prompts, one per kind of model.

T5 was pretrained with the prefix "summarize: ". Every other model (a GPT, first of all)
gets the zero-shot prompt of the GPT-2 paper (Radford et al. 2019, section 3.6): the
article, then "TL;DR:"; with shots, each shot is an article and its summary in the same
form, separated by blank lines.
"""

from __future__ import annotations

#: What a template may use: the (possibly cut) document. Each shot has ``document`` and
#: ``summary`` (its first reference summary).
VARIABLES = ("document",)

T5_PROMPT = "summarize: {{ document }}"

TLDR_PROMPT = (
    "{% for shot in shots %}{{ shot.document }}\n\nTL;DR: {{ shot.summary }}\n\n{% endfor %}{{ document }}\n\nTL;DR:"
)

#: The task's templates by model type; ``default`` for every other model.
DEFAULT_PROMPTS = {"t5": T5_PROMPT, "default": TLDR_PROMPT}
