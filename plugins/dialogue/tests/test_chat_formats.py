"""HF chat datasets load by mapping: ShareGPT's ``conversations`` of ``from``/``value``
with ``human``/``gpt`` roles, written in that format to a local file and to a dataset
saved to disk (never the hub)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import DataError, TaskSpec
from nlpbench_dialogue import DialogueTask

Write = Callable[[str, "str | bytes"], Path]

#: Two conversations as ShareGPT stores them (its ``id`` and ``conversations`` columns).
SHAREGPT = [
    {"id": "QWJ3", "conversations": [
        {"from": "system", "value": "You answer briefly."},
        {"from": "human", "value": "What is the capital of Peru?"},
        {"from": "gpt", "value": "Lima."},
        {"from": "human", "value": "And of Chile?"},
        {"from": "gpt", "value": "Santiago."},
    ]},
    {"id": "ZK81", "conversations": [
        {"from": "human", "value": "Name a prime number above 10."},
        {"from": "gpt", "value": "11."},
    ]},
]  # fmt: skip
MAPPING: dict[str, Any] = {"messages": "conversations", "role": "from", "content": "value", "roles": {"human": "user", "gpt": "assistant"}}  # fmt: skip


def expected() -> list[tuple[str, list[dict[str, str]], tuple[str, ...]]]:
    system = {"role": "system", "content": "You answer briefly."}
    peru = {"role": "user", "content": "What is the capital of Peru?"}
    lima, chile = {"role": "assistant", "content": "Lima."}, {"role": "user", "content": "And of Chile?"}
    return [
        ("QWJ3/turn-1", [system, peru], ("Lima.",)),
        ("QWJ3/turn-2", [system, peru, lima, chile], ("Santiago.",)),
        ("ZK81/turn-1", [{"role": "user", "content": "Name a prime number above 10."}], ("11.",)),
    ]


def test_sharegpt_rows_in_a_local_file(write: Write) -> None:
    path = write("sharegpt.jsonl", "".join(json.dumps(row) + "\n" for row in SHAREGPT))
    task = DialogueTask(TaskSpec(name="d", type="dialogue", data={"path": str(path), **MAPPING}))
    assert [(e.id, e.input, e.references) for e in task.examples()] == expected()
    facts = task.describe()
    assert (facts["messages"], facts["role"], facts["content"], facts["roles"]) == ("conversations", "from", "value", MAPPING["roles"])  # fmt: skip


def test_a_sharegpt_role_left_unmapped_names_the_map(write: Write) -> None:
    path = write("sharegpt.jsonl", "".join(json.dumps(row) + "\n" for row in SHAREGPT))
    data = {**MAPPING, "roles": {"human": "user"}, "path": str(path)}
    with pytest.raises(DataError) as raised:
        DialogueTask(TaskSpec(name="d", type="dialogue", data=data)).examples()
    assert str(raised.value) == (
        f"{path}:1: column 'conversations' (mapped by data.messages): message 3 has the role 'gpt', which is not "
        "one of assistant, human, system, user; map it to system, user or assistant with data.roles"
    )


@pytest.mark.slow  # importing datasets takes a couple of seconds
def test_a_sharegpt_dataset_saved_to_disk(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    datasets.DatasetDict({"train": datasets.Dataset.from_list(SHAREGPT)}).save_to_disk(str(tmp_path / "sharegpt"))
    data = {"hub": "sharegpt", "split": "train", **MAPPING}
    task = DialogueTask(TaskSpec(name="d", type="dialogue", data=data, base_dir=tmp_path))
    assert [(e.id, e.input, e.references) for e in task.examples()] == expected()
    assert task.describe()["data"] == {"hub": "sharegpt", "split": "train"}


@pytest.mark.slow
def test_messages_with_role_and_content_in_a_dataset_without_ids(tmp_path: Path) -> None:
    """The format of UltraChat, OpenHermes and the like: ``messages`` of ``{role, content}``."""
    datasets = pytest.importorskip("datasets")
    rows = [
        {"prompt": "Hi", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}
    ]
    datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)}).save_to_disk(str(tmp_path / "chats"))
    task = DialogueTask(TaskSpec(name="d", type="dialogue", data={"hub": "chats", "split": "test"}, base_dir=tmp_path))
    assert [(e.id, e.references) for e in task.examples()] == [("test-1/turn-1", ("Hello.",))]
