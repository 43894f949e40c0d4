"""Requests put through a chat template (``params.chat``), for a loaded model's tokenizer.

- a generation prompt becomes its conversation (the request's ``messages``, else one user
  turn holding its ``prompt``), the ``system`` prompt first, rendered with the generation
  prompt (``add_generation_prompt=True``);
- a scored context becomes one user turn (the system prompt first) and the generation
  prompt, and the continuation follows the assistant's header without the one space
  that joined it to a plain-text question: what lm-evaluation-harness does with
  ``--apply_chat_template`` for multiple choice (its ``target_delimiter`` is dropped). An
  empty context (an unconditional score) stays empty;
- whole texts scored for perplexity are not chat: they are left as they are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from nlpbench import GenerateRequest, LoglikelihoodRequest, Message, ModelError, ModelSpec, Request

from .chat_params import ChatParams, is_template_file

#: What joins a plain-text question to its answer, dropped after a generation prompt.
TARGET_DELIMITER = " "


@dataclass(frozen=True)
class ChatTemplate:
    """A tokenizer's chat template (or the entry's own), with the entry's system prompt."""

    tokenizer: Any
    #: the entry's own template, or None for the tokenizer's
    template: str | None
    system: str | None

    @classmethod
    def of(cls, tokenizer: Any, params: ChatParams, spec: ModelSpec) -> ChatTemplate | None:
        """The template ``params.chat`` asks for (None when chat is off); ModelError in one
        line when the tokenizer has none or the template cannot render a conversation."""
        chat = params.chat
        if chat is False:
            return None
        template: str | None = None
        if isinstance(chat, str):
            if is_template_file(chat):
                path = spec.resolve(chat.strip())
                try:
                    template = path.read_text(encoding="utf-8")
                except OSError as error:
                    raise ModelError(f"params.chat: cannot read '{path}': {error.strerror}") from error
            else:
                template = chat
        elif not getattr(tokenizer, "chat_template", None):
            raise ModelError(
                f"params.chat: true, but the tokenizer of '{spec.name}' has no chat template: "
                "give the template itself, or the path of a .jinja file"
            )
        made = cls(tokenizer, template, params.system)
        made.render((Message("user", "Hello"),))  # a template that cannot render fails here, not per cell
        return made

    def render(self, messages: tuple[Message, ...]) -> str:
        """The conversation (the system prompt first) as the model reads it, ending with
        the generation prompt."""
        turns = [{"role": m.role, "content": m.content} for m in messages]
        if self.system is not None:
            if turns and turns[0]["role"] == "system":  # one system turn: most templates take no second
                turns[0] = {"role": "system", "content": f"{self.system}\n\n{turns[0]['content']}"}
            else:
                turns.insert(0, {"role": "system", "content": self.system})
        try:
            rendered = self.tokenizer.apply_chat_template(
                turns, chat_template=self.template, add_generation_prompt=True, tokenize=False
            )
        except Exception as error:  # jinja2 errors, raise_exception() in the template, a bad role order
            raise ModelError(f"params.chat: the chat template failed: {' '.join(str(error).split())[:300]}") from error
        if not isinstance(rendered, str):
            raise ModelError(f"params.chat: the chat template gave {type(rendered).__name__}, not text")
        return rendered

    def context(self, context: str) -> str:
        """A scored context as one user turn and the generation prompt ("" stays "")."""
        return self.render((Message("user", context),)) if context else ""

    def applied(self, request: Request) -> Request:
        """``request`` as the model is asked it: its prompt or context rendered."""
        if isinstance(request, GenerateRequest):
            return dataclasses.replace(request, prompt=self.shown(request) or "", messages=())
        if isinstance(request, LoglikelihoodRequest) and request.context:
            continuation = request.continuation
            if continuation.startswith(TARGET_DELIMITER) and len(continuation) > len(TARGET_DELIMITER):
                continuation = continuation[len(TARGET_DELIMITER) :]
            return dataclasses.replace(request, context=self.context(request.context), continuation=continuation)
        return request

    def shown(self, request: Request) -> str | None:
        """The text the model is shown for ``request`` (None for whole-text scoring)."""
        if isinstance(request, GenerateRequest):
            return self.render(request.messages or (Message("user", request.prompt),))
        if isinstance(request, LoglikelihoodRequest):
            return self.context(request.context) or None
        return None

    def starts_with(self, token: str | None) -> bool:
        """Whether the template writes ``token`` (the BOS) itself at the start, so that the
        model must not add another."""
        return bool(token) and self.render((Message("user", "Hello"),)).startswith(str(token))
