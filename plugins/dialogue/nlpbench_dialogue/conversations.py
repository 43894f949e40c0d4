"""A conversation's messages read and checked: every message a mapping with a known role
and non-empty text, an optional system message first, then user and assistant turns in
turn, starting with the user. Each problem is one line naming the message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlpbench import DataError, Message

#: Our roles, each mapped to itself unless ``data.roles`` says otherwise.
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class MessageKeys:
    """How a dataset writes a message: the key of its role and of its text, and the map
    from its role names to ours (ShareGPT: ``from``, ``value``, ``human`` → ``user``)."""

    role: str = "role"
    content: str = "content"
    roles: Mapping[str, str] | None = None

    def our_role(self, theirs: str) -> str | None:
        """The role ``theirs`` stands for, or None when the map has no such role."""
        mapping = {**{role: role for role in ROLES}, **(self.roles or {})}
        return mapping.get(theirs)

    def known(self) -> list[str]:
        return sorted({*ROLES, *(self.roles or {})})


def read_conversation(raw: Any, keys: MessageKeys, where: str) -> tuple[Message, ...]:
    """``raw`` (a column's value) as checked messages, their text stripped; DataError
    starting with ``where`` (``FILE:LINE``) for the first thing wrong."""
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise DataError(f"{where} must hold a list of messages, not {type(raw).__name__}")
    messages = [_message(item, number, keys, where) for number, item in enumerate(raw, start=1)]
    _check_order(messages, where)
    return tuple(messages)


def _message(item: Any, number: int, keys: MessageKeys, where: str) -> Message:
    if not isinstance(item, Mapping):
        raise DataError(
            f"{where}: message {number} must be an object with '{keys.role}' and '{keys.content}', "
            f"not {type(item).__name__}"
        )
    for key, mapped in ((keys.role, "data.role"), (keys.content, "data.content")):
        if key not in item:
            present = ", ".join(sorted(map(str, item))) or "none"
            raise DataError(f"{where}: message {number} has no '{key}' key (mapped by {mapped}); keys: {present}")
    theirs = item[keys.role]
    role = keys.our_role(theirs) if isinstance(theirs, str) else None
    if role is None:
        raise DataError(
            f"{where}: message {number} has the role {theirs!r}, which is not one of {', '.join(keys.known())}; "
            "map it to system, user or assistant with data.roles"
        )
    content = item[keys.content]
    if not isinstance(content, str):
        raise DataError(f"{where}: message {number} ({role}) must hold text, not {type(content).__name__}")
    if not content.strip():
        raise DataError(f"{where}: message {number} ({role}) is empty")
    return Message(role, content.strip())


def _check_order(messages: Sequence[Message], where: str) -> None:
    """An optional system message, then user, assistant, user, … (it may end on either)."""
    if not messages:
        raise DataError(f"{where} holds no messages")
    expected = "user"
    for number, message in enumerate(messages, start=1):
        if message.role == "system":
            if number != 1:
                raise DataError(f"{where}: message {number} is a system message; only the first message may be one")
            continue
        if message.role != expected:
            before = messages[number - 2].role if number > 1 else None
            if message.role == "assistant" and before in (None, "system"):
                raise DataError(
                    f"{where}: message {number} (assistant) comes before any user turn; "
                    "a conversation starts with the user (after an optional system message)"
                )
            article = "an" if before == "assistant" else "a"
            raise DataError(
                f"{where}: message {number} ({message.role}) follows {article} {before} turn; "
                "user and assistant turns must alternate"
            )
        expected = "assistant" if expected == "user" else "user"
    if not any(message.role == "assistant" for message in messages):
        raise DataError(f"{where}: the conversation has no assistant turn to evaluate")
