"""A conversation into examples: one per assistant turn, with the history before it,
cut to ``max_history_turns`` and given a ``system`` message where it has none."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlpbench import Message, ModelSpec, TaskSpec
from nlpbench_dialogue import DialogueTask
from nlpbench_dialogue.turns import turns_of

Write = Callable[[str, "str | bytes"], Path]

S, U, A = Message("system", "Be brief."), Message("user", "u1"), Message("assistant", "a1")
CONVERSATION = (
    S,
    U,
    A,
    Message("user", "u2"),
    Message("assistant", "a2"),
    Message("user", "u3"),
    Message("assistant", "a3"),
)


def test_every_assistant_turn_is_one_example_with_the_history_before_it() -> None:
    turns = turns_of(CONVERSATION)
    assert [(t.number, t.reply, t.cut) for t in turns] == [(1, "a1", False), (2, "a2", False), (3, "a3", False)]
    assert turns[0].history == (S, U)
    assert turns[2].history == CONVERSATION[:-1]


def test_max_history_turns_keeps_the_last_exchanges_and_the_system_message() -> None:
    one = turns_of(CONVERSATION, max_history_turns=1)
    assert [[m.content for m in t.history] for t in one] == [
        ["Be brief.", "u1"],
        ["Be brief.", "u1", "a1", "u2"],
        ["Be brief.", "u2", "a2", "u3"],
    ]
    assert [t.cut for t in one] == [False, False, True]
    none = turns_of(CONVERSATION, max_history_turns=0)
    assert [[m.content for m in t.history] for t in none] == [["Be brief.", "u1"], ["Be brief.", "u2"], ["Be brief.", "u3"]]  # fmt: skip
    assert [t.cut for t in none] == [False, True, True]


def test_a_system_message_is_given_only_to_conversations_without_one() -> None:
    given = turns_of(CONVERSATION[1:3], system="Be kind.")
    assert given[0].history == (Message("system", "Be kind."), U)
    assert turns_of(CONVERSATION[:3], system="Be kind.")[0].history == (S, U)


def test_the_task_applies_its_params_and_counts_the_cut_histories(write: Write) -> None:
    rows = [{"id": "c", "messages": [{"role": m.role, "content": m.content} for m in CONVERSATION[1:]]}]
    path = write("chats.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    params: dict[str, Any] = {"max_history_turns": 1, "system": "Be kind."}
    task = DialogueTask(TaskSpec(name="d", type="dialogue", data={"path": str(path)}, params=params))
    examples = task.examples()
    assert [e.fields["history_cut"] for e in examples] == [False, False, True]
    last = examples[-1]
    assert last.id == "c/turn-3"
    assert last.input == [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "u2"},
        {"role": "assistant", "content": "a2"},
        {"role": "user", "content": "u3"},
    ]
    view = task.for_model(ModelSpec(name="m", type="gpt"))
    for example in examples[1:]:  # a limit of 2: the history cut is counted when it is asked
        view.build_requests(example, "generate")
    facts = view.describe()
    assert (facts["histories_cut"], facts["max_history_turns"], facts["system"]) == (1, 1, "Be kind.")
    assert task.for_model(ModelSpec(name="other", type="gpt")).describe()["histories_cut"] == 0
