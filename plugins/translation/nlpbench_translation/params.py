"""The ``params:`` of a translation task, as an option schema: every key with its type,
default and description, checked by the core before anything loads. The templates and
the shots against the train split are checked in :mod:`nlpbench_translation.config`."""

from __future__ import annotations

from pydantic import Field

from nlpbench import MaxNewTokens, Options, PromptParam, Shots

DEFAULT_MAX_NEW_TOKENS = 128


class TranslationParams(Options):
    """Every key of a translation task's ``params``: how translations are asked for."""

    prompt: PromptParam = Field(
        default=None,
        description="The Jinja2 prompt, using {{ source }}, {{ source_language }}, {{ target_language }} (names: "
        "German), {{ source_lang }}, {{ target_lang }} (codes: de) and the shots (each with source and "
        "reference), or a mapping of model name or type to template with a 'default'; unset: 'translate German "
        "to English: …' for t5, 'German: … English:' pairs for the other models.",
    )
    shots: Shots = 0
    max_new_tokens: MaxNewTokens = DEFAULT_MAX_NEW_TOKENS
