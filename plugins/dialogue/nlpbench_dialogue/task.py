"""The ``dialogue`` task type."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, ClassVar

from nlpbench import (
    Example,
    GenerateRequest,
    Message,
    ModelSpec,
    PromptTemplate,
    Request,
    TaskError,
    TaskSpec,
)

from .config import DataConfig, Params, data_config, params_config
from .loading import History, read_data
from .params import DialogueParams


class DialogueTask:
    """Dialogue: write each assistant turn of multi-turn conversations from the reference history before it.

    ``data``: nothing (the built-in sample of 20 short conversations), or ``path`` or
    ``hub`` with the column ``messages`` (a list of messages), the keys ``role`` and
    ``content`` of a message, ``roles`` (the data's role names to system, user and
    assistant: ``{human: user, gpt: assistant}`` for ShareGPT) and ``id`` (a column of
    conversation ids). Every assistant turn that follows a user turn is one example,
    ``<conversation>/turn-<k>``. ``params``: ``prompt`` (the plain-text rendering for
    models without a chat template), ``stop``, ``max_new_tokens`` (default 128),
    ``max_history_turns`` and ``system``. Each request carries the messages (for chat
    models) and the prompt (for the others).
    """

    strategies: ClassVar[tuple[str, ...]] = ("generate",)
    options: ClassVar[type[DialogueParams]] = DialogueParams
    default_metrics: ClassVar[tuple[str, ...]] = ("chrf", "bleu", "rouge-l", "distinct-1", "distinct-2", "reply-words")

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec
        self.data: DataConfig = data_config(spec)
        self.params: Params = params_config(spec)
        self.model: ModelSpec | None = None
        self.template_key = self.params.templates.key_for(None)
        self.template: PromptTemplate = self.params.templates.default
        self._examples: list[Example] | None = None
        # the examples this view asked whose history lost earlier exchanges (per model)
        self._histories_cut: set[str] = set()

    @classmethod
    def check_spec(cls, spec: TaskSpec) -> None:
        """ConfigError for a bad key of ``data`` or ``params``, or a template that does not compile."""
        data_config(spec)
        params_config(spec)

    # -- data -------------------------------------------------------------------

    def examples(self) -> list[Example]:
        """Every assistant turn of every conversation, in file order. DataError for a bad
        file, row or conversation."""
        if self._examples is None:
            history = History(self.params.max_history_turns, self.params.system)
            self._examples = read_data(self.data, history)
        return list(self._examples)

    # -- asking -----------------------------------------------------------------

    def for_model(self, spec: ModelSpec) -> DialogueTask:
        """This task as ``spec``'s model is asked: with its template."""
        view = copy.copy(self)
        view.model = spec
        view.template_key = self.params.templates.key_for(spec)
        view.template = self.params.templates.for_model(spec)
        view._histories_cut = set()
        return view

    def prompt(self, messages: Sequence[Message]) -> str:
        """The plain-text rendering of ``messages`` with this view's template."""
        return self.template.render({"messages": [{"role": m.role, "content": m.content} for m in messages]})

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        _check_strategy(strategy)
        messages = messages_of(example)
        if example.fields.get("history_cut"):
            self._histories_cut.add(example.id)
        return [
            GenerateRequest(
                prompt=self.prompt(messages),
                max_new_tokens=self.params.max_new_tokens,
                stop=self.params.stop,
                source=messages[-1].content,  # the user's turn: what a copying baseline repeats
                messages=messages,
            )
        ]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> str:
        """The reply: the generated text stripped."""
        _check_strategy(strategy)
        if len(answers) != 1:
            raise TaskError(f"generate: expected 1 answer, got {len(answers)}")
        return str(answers[0]).strip()

    def describe(self) -> dict[str, Any]:
        """Facts for results: the data and how messages are read, how many conversations
        it holds, the template and where it came from, the stop strings, the generation
        budget, the history limits and how many of the histories this model was given
        they cut."""
        examples = self.examples()
        return {
            **self.data.describe(),
            "conversations": len({e.fields["conversation"] for e in examples}),
            "template": self.template.source,
            "template_for": self.template_key,
            "template_from": self.params.templates.origin(self.template_key),
            "stop": list(self.params.stop),
            "max_new_tokens": self.params.max_new_tokens,
            "max_history_turns": self.params.max_history_turns,
            "system": self.params.system,
            "histories_cut": len(self._histories_cut),
        }


def messages_of(example: Example) -> tuple[Message, ...]:
    """The example's input as messages; TaskError when it is not a conversation ending with the user."""
    raw = example.input
    try:
        messages = tuple(Message(str(m["role"]), str(m["content"])) for m in raw)
    except (TypeError, KeyError, ValueError) as error:
        raise TaskError(
            f"example '{example.id}': the input must be a list of {{role, content}} messages: {error}"
        ) from None
    if not messages or messages[-1].role != "user":
        raise TaskError(f"example '{example.id}': the input must end with the user's turn")
    return messages


def _check_strategy(strategy: str) -> None:
    if strategy != "generate":
        raise TaskError(f"the dialogue task has no strategy '{strategy}'; it has: generate")
