"""Reading conversations from the built-in sample, JSONL and JSON files, and the one-line
errors for bad ones."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, DataError, TaskSpec
from nlpbench_dialogue import DialogueTask

Write = Callable[[str, "str | bytes"], Path]


def make(data: dict[str, Any], params: dict[str, Any] | None = None, base: Path = Path(".")) -> DialogueTask:
    return DialogueTask(TaskSpec(name="d", type="dialogue", data=data, params=params or {}, base_dir=base))


def lines(*conversations: Any) -> str:
    return "".join(json.dumps(c) + "\n" for c in conversations)


def m(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


def test_the_built_in_sample() -> None:
    examples = make({}).examples()
    conversations = {e.fields["conversation"] for e in examples}
    assert len(conversations) == 20 and len(examples) == 51
    turns: dict[str, int] = {}
    for example in examples:
        turns[example.fields["conversation"]] = example.fields["turn"]
    assert set(turns.values()) <= {2, 3, 4}  # 2-4 assistant turns each
    first = examples[0]
    assert (first.id, first.fields) == (
        "sourdough/turn-1",
        {"conversation": "sourdough", "turn": 1, "history_cut": False},
    )
    assert first.input == [
        m("system", "You are a friendly baking assistant. Keep answers short."),
        m("user", "My sourdough starter smells like nail polish. Is it ruined?"),
    ]
    assert first.references[0].startswith("No, it is just hungry.")
    assert all(e.input[-1]["role"] == "user" and len(e.references) == 1 for e in examples)
    assert make({}).describe()["conversations"] == 20


def test_jsonl_conversations_with_ids_from_the_id_column_or_the_line(write: Write) -> None:
    path = write(
        "chats.jsonl",
        lines(
            {"id": "a", "messages": [m("user", " Hi "), m("assistant", "Hello!\n"), m("user", "Bye"), m("assistant", "Bye.")]},
            {"messages": [m("system", "Be brief."), m("user", "2+2?"), m("assistant", "4")]},
        ),
    )  # fmt: skip
    examples = make({"path": str(path)}).examples()
    assert [(e.id, e.input, e.references) for e in examples] == [
        ("a/turn-1", [m("user", "Hi")], ("Hello!",)),
        ("a/turn-2", [m("user", "Hi"), m("assistant", "Hello!"), m("user", "Bye")], ("Bye.",)),
        ("chats-2/turn-1", [m("system", "Be brief."), m("user", "2+2?")], ("4",)),
    ]


def test_a_named_id_column_and_a_json_file(write: Write) -> None:
    path = write("chats.json", json.dumps([{"key": 7, "dialog": [m("user", "Hi"), m("assistant", "Hello")]}]))
    examples = make({"path": str(path), "id": "key", "messages": "dialog"}).examples()
    assert [(e.id, e.references) for e in examples] == [("7/turn-1", ("Hello",))]


def test_a_trailing_user_turn_gives_no_example(write: Write) -> None:
    path = write(
        "chats.jsonl", lines({"messages": [m("user", "Hi"), m("assistant", "Hello"), m("user", "Still there?")]})
    )
    assert [e.id for e in make({"path": str(path)}).examples()] == ["chats-1/turn-1"]


# -- bad input: one line each, naming the file, the line and what is wrong ------------------

WHERE = "column 'messages' (mapped by data.messages)"


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([m("user", "Hi"), m("user", "Hello?"), m("assistant", "Yes")],
         f"{WHERE}: message 2 (user) follows a user turn; user and assistant turns must alternate"),
        ([m("user", "Hi"), m("assistant", "Hey"), m("assistant", "Hello")],
         f"{WHERE}: message 3 (assistant) follows an assistant turn; user and assistant turns must alternate"),
        ([m("assistant", "Hello"), m("user", "Hi")],
         f"{WHERE}: message 1 (assistant) comes before any user turn; a conversation starts with the user "
         "(after an optional system message)"),
        ([m("system", "Be kind."), m("assistant", "Hello")],
         f"{WHERE}: message 2 (assistant) comes before any user turn; a conversation starts with the user "
         "(after an optional system message)"),
        ([m("user", "Hi"), m("system", "Be kind."), m("assistant", "Hello")],
         f"{WHERE}: message 2 is a system message; only the first message may be one"),
        ([m("user", "Hi"), m("bot", "Hello")],
         f"{WHERE}: message 2 has the role 'bot', which is not one of assistant, system, user; "
         "map it to system, user or assistant with data.roles"),
        ([m("user", "Hi"), m("assistant", "  ")], f"{WHERE}: message 2 (assistant) is empty"),
        ([m("user", "Hi"), {"role": "assistant", "content": 3}], f"{WHERE}: message 2 (assistant) must hold text, not int"),
        ([m("user", "Hi"), {"role": "assistant", "text": "Hello"}],
         f"{WHERE}: message 2 has no 'content' key (mapped by data.content); keys: role, text"),
        ([m("user", "Hi"), "Hello"], f"{WHERE}: message 2 must be an object with 'role' and 'content', not str"),
        ([m("system", "Be kind."), m("user", "Hi")], f"{WHERE}: the conversation has no assistant turn to evaluate"),
        ([], f"{WHERE} holds no messages"),
        ("Hi there", f"{WHERE} must hold a list of messages, not str"),
    ],
)  # fmt: skip
def test_bad_conversations_name_file_line_and_message(write: Write, messages: Any, message: str) -> None:
    good = {"messages": [m("user", "Hi"), m("assistant", "Hello")]}
    path = write("chats.jsonl", lines(good, {"messages": messages}))
    with pytest.raises(DataError) as raised:
        make({"path": str(path)}).examples()
    assert str(raised.value) == f"{path}:2: {message}"


def test_a_missing_column_a_repeated_id_a_bad_id_a_bad_line_and_a_non_utf8_file(write: Write) -> None:
    good = [m("user", "Hi"), m("assistant", "Hello")]
    path = write("chats.jsonl", lines({"turns": good}))
    with pytest.raises(DataError, match=rf"^{path}:1: column 'messages' \(mapped by data.messages\) is missing; columns: turns$"):  # fmt: skip
        make({"path": str(path)}).examples()
    path = write("repeated.jsonl", lines({"id": "x", "messages": good}, {"id": "x", "messages": good}))
    with pytest.raises(DataError, match=rf"^{path}:2: id 'x' is already used on line 1$"):
        make({"path": str(path)}).examples()
    path = write("odd-id.jsonl", lines({"id": ["x"], "messages": good}))
    with pytest.raises(DataError, match=rf"^{path}:1: an id must be text or a whole number, not list$"):
        make({"path": str(path)}).examples()
    path = write("broken.jsonl", lines({"messages": good}) + '{"messages": [\n')
    with pytest.raises(DataError, match=rf"^{path}:2: invalid JSON"):
        make({"path": str(path)}).examples()
    path = write("latin.jsonl", '{"messages": [{"role": "user", "content": "K\xf6ln?"}]}\n'.encode("latin-1"))
    with pytest.raises(DataError, match=rf"^{path}:1: not UTF-8 text \(byte 0xf6 at byte offset 44\); save the file as UTF-8$"):  # fmt: skip
        make({"path": str(path)}).examples()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"path": "c.jsonl", "train": "t.jsonl"}, "data.train: the dialogue task shows no few-shot examples, so it takes no train split"),
        ({"roles": {"human": "person"}, "path": "c.jsonl"}, "data.roles.human must be one of system, user, assistant, not 'person'"),
        ({"roles": ["human"], "path": "c.jsonl"}, "data.roles must map the data's role names to system, user, assistant, not ['human']"),
        ({"role": 3, "path": "c.jsonl"}, "data.role must be a key name, not 3"),
        ({"id": "key"}, "data.id needs data.path or data.hub: the built-in sample has its own ids"),
        ({"mesages": "turns"}, "data: unknown key 'mesages' (did you mean 'messages'?)"),
    ],
)  # fmt: skip
def test_bad_data_keys_are_config_errors(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        DialogueTask.check_spec(TaskSpec(name="d", type="dialogue", data=data))
    assert str(raised.value).startswith(message)
