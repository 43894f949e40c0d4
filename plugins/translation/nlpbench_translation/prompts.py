"""The default prompts, one per kind of model.

T5 was pretrained with task prefixes ("translate English to German: ..."), so it gets
that prefix and no shots. Every other model (a GPT, first of all) gets a few-shot
prompt in the style of the GPT-3 paper: each shot a source line and its translation
under the languages' names, then the example's source and the target language's name,
for the model to continue after the colon.
"""

from __future__ import annotations

#: What a template may use: the example's source sentence, and the languages (names and codes).
#: Each shot has ``source`` and ``reference`` (its first reference).
VARIABLES = ("source", "source_language", "target_language", "source_lang", "target_lang")

T5_PROMPT = "translate {{ source_language }} to {{ target_language }}: {{ source }}"

FEW_SHOT_PROMPT = (
    "{% for shot in shots %}"
    "{{ source_language }}: {{ shot.source }}\n{{ target_language }}: {{ shot.reference }}\n\n"
    "{% endfor %}"
    "{{ source_language }}: {{ source }}\n{{ target_language }}:"
)

#: The task's templates by model type; ``default`` for every other model.
DEFAULT_PROMPTS = {"t5": T5_PROMPT, "default": FEW_SHOT_PROMPT}
