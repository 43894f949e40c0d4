"""The ``params:`` of a dialogue task, as an option schema: every key with its type,
default and description, checked by the core before anything loads. The templates are
compiled in :mod:`nlpbench_dialogue.config`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from nlpbench import MaxNewTokens, Options, PromptParam

DEFAULT_MAX_NEW_TOKENS = 128
#: Where a plain continuer's reply ends: where it starts writing the user's next turn.
DEFAULT_STOP = ("\nUser:",)
#: More earlier exchanges than any conversation has is no limit at all.
MAX_HISTORY = 100_000


class DialogueParams(Options):
    """Every key of a dialogue task's ``params``: how each reply is asked for."""

    prompt: PromptParam = Field(
        default=None,
        description="The Jinja2 prompt a model without a chat template is shown, using {{ messages }} (each with "
        "role and content, ending with the user's turn), or a mapping of model name or type to template with a "
        "'default'; unset: 'System: …', 'User: …', 'Assistant: …' lines ending with 'Assistant:'.",
    )
    stop: tuple[str, ...] = Field(
        default=DEFAULT_STOP,
        min_length=1,
        description="Where a reply ends (one string or a list): the default prompt's next user line, '\\nUser:'. "
        "Change it with the prompt.",
    )
    max_new_tokens: MaxNewTokens = DEFAULT_MAX_NEW_TOKENS
    max_history_turns: Annotated[int, Field(ge=0, le=MAX_HISTORY, strict=True)] | None = Field(
        default=None,
        description="Keep at most this many earlier exchanges (a user turn and the reply to it) before the user's "
        "turn; the system message is always kept; 0 asks each turn on its own; unset: the whole history.",
    )
    system: str | None = Field(
        default=None,
        min_length=1,
        description="A system message for the conversations that have none (a conversation's own is kept); "
        "unset: none.",
    )

    @field_validator("stop", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("stop")
    @classmethod
    def _no_empty_stop(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not stop for stop in value):
            raise ValueError("a stop string may not be empty")
        return value
