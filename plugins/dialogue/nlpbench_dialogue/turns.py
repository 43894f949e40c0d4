"""A conversation into examples: every assistant turn that follows a user turn is one,
written from the reference history before it (the system message kept, the earlier
exchanges cut to a limit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlpbench import Message


@dataclass(frozen=True)
class Turn:
    """One reply to write: the ``number``-th assistant turn of its conversation (from 1),
    the messages the model is given (ending with the user's turn), the reference reply,
    and whether earlier exchanges were left out of the history."""

    number: int
    history: tuple[Message, ...]
    reply: str
    cut: bool = False


def turns_of(
    messages: Sequence[Message], max_history_turns: int | None = None, system: str | None = None
) -> list[Turn]:
    """Each assistant turn of ``messages`` (checked: an optional system message, then user
    and assistant turns in turn) with its history. ``system`` is given to a conversation
    that has no system message; ``max_history_turns`` keeps that many earlier exchanges
    (a user turn and its reply) before the user's turn."""
    head: tuple[Message, ...] = ()
    body = list(messages)
    if body and body[0].role == "system":
        head, body = (body[0],), body[1:]
    elif system is not None:
        head = (Message("system", system),)
    turns: list[Turn] = []
    for index, message in enumerate(body):
        if message.role != "assistant":
            continue
        earlier = body[: index - 1]  # whole exchanges: the turns alternate from a user turn
        kept = earlier if max_history_turns is None else earlier[max(0, len(earlier) - 2 * max_history_turns) :]
        history = (*head, *kept, body[index - 1])
        turns.append(Turn(len(turns) + 1, history, message.content, cut=len(kept) < len(earlier)))
    return turns
