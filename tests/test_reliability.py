"""What nlpbench promises about failures, kept as tests (docs/reliability.md states the
promises and gives these tests' figures; the last test checks that it does).

1. **Killed and resumed**: a real ``nlpbench run`` (a baseline and a small GPT) is
   killed with SIGKILL at 20 seeded moments and resumed with the same command each
   time; the end is identical to an uninterrupted run, and no model is asked again for
   a prediction the store had: the only work done twice is the batch in flight at each
   kill.
2. **One-line errors**: ``hypothesis`` generates 1,050 broken suite and data files
   (mutated structures, then mangled bytes), run in-process through the command line:
   exit 0 or 2, never a traceback, every error one line; plus explicit cases (nesting
   50,000 deep, 10 MB lines, paths too long for the file system).
3. **Writes confined**: paths given on the command line are written exactly there (an
   audit hook sees every write), reporter file options stay inside the run folder.

Cases marked ``xfail(strict=True)`` are known failures, each with its cause.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import importlib.util
import io
import itertools
import json
import math
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nlpbench.cli import build_cli
from nlpbench.plugins.host import PluginHost
from nlpbench.results.store import STORE_FILE
from nlpbench.running.runner import CHUNK_SIZE

from .conftest import REPO, child_env

pytestmark = pytest.mark.slow

# ---------------------------------------------------------------------------
# 1. SIGKILL at random moments, then resume
# ---------------------------------------------------------------------------

KILLS = 20
#: Seeds the data and the moments of the kills: the same kills on every run of the test.
KILL_SEED = 20261203
#: Enough examples that each model answers in many batches (the wordlist's one request
#: per example, the GPT's one per label: 16 and 32 batches of CHUNK_SIZE requests).
KILL_EXAMPLES = 4000
#: The share of kills timed from the start of the process (importing, reading the data,
#: loading a model, scoring and writing what the store already had); the rest land
#: while a model answers a batch, or just after it was stored.
FROM_START = 0.35

KILL_SUITE = """\
name: kill-resume
seed: 7
bootstrap: {resamples: 200}
models:
  - {name: wordlist, type: wordlist}
  - name: gpt-tiny
    type: gpt
    config: {n_layer: 2, n_embd: 64, n_head: 2, n_positions: 128}
tasks:
  - name: reviews
    type: sentiment
    data: {path: reviews.jsonl, text: text, label: label, id: id}
reporters: [json]
"""

#: ``nlpbench`` with every model's answering methods counted: each call appends its
#: time, capability and the example ids it was asked for to a log, before the model
#: answers, so that a call cut short by a kill is counted too. Arguments: the log file,
#: then nlpbench's own.
COUNTING_NLPBENCH = """\
import json, os, sys, time
from nlpbench import CAPABILITIES
from nlpbench.cli import build_cli
from nlpbench.plugins.host import PluginHost

log = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

def counted(capability, method):
    def answer(self, requests):
        ids = [request.example_id for request in requests]
        os.write(log, (json.dumps([time.time(), capability, ids]) + "\\n").encode())
        return method(self, requests)
    return answer

host = PluginHost()
for registered in host.models:
    for capability in CAPABILITIES:
        method = getattr(registered.component, capability, None)
        if callable(method):
            setattr(registered.component, capability, counted(capability, method))
build_cli(host).main(args=sys.argv[2:], prog_name="nlpbench", obj={"host": host})
"""

#: Fields of results.json that differ between two runs of the same suite (when, how
#: fast, where the store is, how much came from it).
VOLATILE_TOP = ("started", "finished", "store")
VOLATILE_CELL = (
    "seconds",
    "load_seconds",
    "examples_per_second",
    "tokens_per_second",
    "peak_memory_mb",
    "peak_gpu_memory_mb",
    "cached",
)


def _review_rows(count: int, seed: int) -> Iterator[dict[str, str]]:
    words = ("good", "bad", "dull", "fine", "warm", "long", "short", "story", "plot", "cast", "music", "jokes", "film",
             "book", "end", "great", "awful")  # fmt: skip
    rng = random.Random(seed)
    for i in range(count):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))
        yield {"id": f"r{i}", "text": text, "label": rng.choice(["positive", "negative"])}


def _kill_suite(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = _review_rows(KILL_EXAMPLES, KILL_SEED)
    (folder / "reviews.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    path = folder / "suite.yaml"
    path.write_text(KILL_SUITE, encoding="utf-8")
    return path


Rows = dict[tuple[str, str], tuple[str, float]]


def _stored(store: Path) -> Rows:
    """Every stored prediction: (cell key, example key) → (example id, when it was written)."""
    if not store.exists():
        return {}
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute("SELECT cell_key, example_key, example_id, created FROM predictions").fetchall()
    except sqlite3.OperationalError:  # killed before it made its tables
        return {}
    finally:
        db.close()
    return {(cell, key): (example_id, created) for cell, key, example_id, created in rows}


Call = tuple[float, str, list[str]]


def _calls(log: Path) -> list[Call]:
    """Each call a model was asked: (when, capability, example ids)."""
    calls = []
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                when, capability, ids = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by the kill: its call never reached the model
                continue
            calls.append((when, capability, ids))
    return calls


@dataclass
class Attempt:
    """One start of the command: how it ended, and what its models were asked."""

    trigger: str
    killed: bool
    calls: list[Call] = field(default_factory=list)


def _stable(results: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(results))
    for key in VOLATILE_TOP:
        copy.pop(key, None)
    for cell in copy["cells"]:
        for key in VOLATILE_CELL:
            cell.pop(key, None)
    return copy


def _differences(one: Any, other: Any, path: str = "") -> list[str]:
    """Where two JSON values differ, as ``path: one | other`` lines."""
    if isinstance(one, dict) and isinstance(other, dict):
        return [
            line
            for key in sorted(set(one) | set(other), key=str)
            for line in (
                _differences(one[key], other[key], f"{path}/{key}")
                if key in one and key in other
                else [f"{path}/{key}: only in {'the first' if key in one else 'the second'}"]
            )
        ]
    if isinstance(one, list) and isinstance(other, list) and len(one) == len(other):
        return [
            line for i, (a, b) in enumerate(zip(one, other, strict=True)) for line in _differences(a, b, f"{path}[{i}]")
        ]
    return [] if one == other else [f"{path}: {one!r:.200} | {other!r:.200}"]


def _batch_times(calls: list[Call]) -> dict[str, float]:
    """Per capability, the shortest time between two calls: how long the quickest batch
    takes. Not the median: a cell's batches are planned longest first, so its last ones
    take a fraction of a typical one, and a kill timed by the median would land after
    the run had finished."""
    times: dict[str, list[float]] = {}
    for when, capability, _ in calls:
        times.setdefault(capability, []).append(when)
    gaps = {}
    for capability, stamps in times.items():
        steps = sorted(b - a for a, b in itertools.pairwise(stamps))
        gaps[capability] = steps[0] if steps else 0.05
    return gaps


def _cell_keys(store: Path, results: dict[str, Any]) -> dict[str, str]:
    """The cell key of each capability the run asked (one model per capability here)."""
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        run = results["store"]["run_id"]
        keys = dict(db.execute("SELECT model, cell_key FROM cells WHERE run_id = ?", (run,)).fetchall())
    finally:
        db.close()
    return {cell["strategy"]: keys[cell["model"]] for cell in results["cells"]}


def _ids(rows: Rows, cell: str) -> set[str]:
    return {example_id for (key, _), (example_id, _) in rows.items() if key == cell}


def _logged(log: Path) -> tuple[int, str]:
    """How many calls an attempt has logged so far, and the capability of the last."""
    try:
        lines = log.read_bytes().split(b"\n")[:-1]  # complete lines only: the child may be writing
    except FileNotFoundError:
        return 0, ""
    return len(lines), str(json.loads(lines[-1])[1]) if lines else ""


def test_twenty_kills_at_random_moments_resume_to_the_uninterrupted_results(tmp_path: Path) -> None:
    suite = _kill_suite(tmp_path / "suite")
    env = child_env(PYTHONDONTWRITEBYTECODE="1")

    def start(out: Path, log: Path) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-c", COUNTING_NLPBENCH, str(log), "run", str(suite), "--out", str(out)]
        return subprocess.Popen([*command, "--no-progress"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    # the uninterrupted run, for reference, and how long its phases take
    began = time.time()
    whole = start(tmp_path / "whole", tmp_path / "whole.log")
    _, stderr = whole.communicate(timeout=600)
    assert whole.returncode == 0, stderr.decode()
    reference_rows = _stored(tmp_path / "whole" / STORE_FILE)
    reference_calls = _calls(tmp_path / "whole.log")
    batch = _batch_times(reference_calls)
    # from the start to the last model's first call: importing, reading, loading, scoring
    span = max(min(when for when, c, _ in reference_calls if c == capability) for capability in batch) - began
    # which cell each capability answers, and how many examples one call asks for
    reference = json.loads((tmp_path / "whole" / "results.json").read_text(encoding="utf-8"))
    reference_cells = _cell_keys(tmp_path / "whole" / STORE_FILE, reference)
    per_call = {capability: max(len(ids) for _, c, ids in reference_calls if c == capability) for capability in batch}

    def calls_left(rows: Rows) -> int:
        """How many calls to a model the run has left to make."""
        return sum(
            math.ceil((KILL_EXAMPLES - len(_ids(rows, reference_cells[capability]))) / size)
            for capability, size in per_call.items()
        )

    out, logs = tmp_path / "killed", tmp_path / "logs"
    logs.mkdir()
    store = out / STORE_FILE
    rng = random.Random(KILL_SEED)
    attempts: list[Attempt] = []
    snapshots: list[Rows] = [{}]  # the store before the first attempt and after each
    while len(attempts) < KILLS:
        left, kills_left = calls_left(snapshots[-1]), KILLS - len(attempts)
        assert left >= kills_left, f"too little work left after {len(attempts)} kills"
        # a moment from the start, cut short by the first call to a model (which it then
        # interrupts); or a moment inside or just after the n-th batch the attempt asks,
        # n about the kills' fair share of the calls left, so that they spread over the
        # whole run, and small enough that each later kill still has a batch to land in
        trigger = "start" if rng.random() < FROM_START else "batch"
        share = rng.random() * (1.0 if trigger == "start" else 1.25)
        nth = rng.randint(1, max(1, min(2 * left // kills_left, left - kills_left)))
        log = logs / f"{len(attempts)}.log"
        process = start(out, log)
        begun = time.monotonic()
        kill_at = begun + share * span if trigger == "start" else None
        while process.poll() is None and time.monotonic() < begun + 300:
            now = time.monotonic()
            calls, capability = _logged(log)
            if calls and trigger == "start":
                kill_at = min(kill_at or now, now)
            elif calls >= nth and kill_at is None:
                kill_at = now + share * batch[capability]
            if kill_at is not None and now >= kill_at:
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.001)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == -signal.SIGKILL, (
            f"attempt {len(attempts) + 1} ({trigger}) ended with exit {process.returncode} before its kill: "
            f"{stderr.decode()[-2000:]}"
        )
        attempts.append(Attempt(trigger, killed=True, calls=_calls(log)))
        snapshots.append(_stored(store))

    # the same command once more completes the run
    final = start(out, logs / "final.log")
    _, stderr = final.communicate(timeout=600)
    assert final.returncode == 0, stderr.decode()
    attempts.append(Attempt("none", killed=False, calls=_calls(logs / "final.log")))
    snapshots.append(_stored(store))

    # the end is the uninterrupted run's
    resumed = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert resumed["status"] == "complete"
    differences = _differences(_stable(resumed), _stable(reference))
    assert not differences, "resumed | uninterrupted:\n" + "\n".join(differences[:40])
    samples = [(out / "samples.jsonl").read_text(encoding="utf-8").splitlines()]
    samples.append((tmp_path / "whole" / "samples.jsonl").read_text(encoding="utf-8").splitlines())
    differences = [f"{a} | {b}" for a, b in zip(*samples, strict=False) if a != b]
    assert not differences and len(samples[0]) == len(samples[1]), "samples.jsonl:\n" + "\n".join(differences[:5])
    assert set(snapshots[-1]) == set(reference_rows)

    # the models were asked again only for the batch in flight at each kill
    cells = _cell_keys(store, resumed)
    redone = 0
    for index, attempt in enumerate(attempts):
        before, after = snapshots[index], snapshots[index + 1]
        rewritten = [key for key, value in before.items() if after.get(key) != value]
        assert not rewritten, f"attempt {index + 1} wrote {len(rewritten)} stored predictions again"
        lost = set()
        for _, capability, ids in attempt.calls:
            again = set(ids) & _ids(before, cells[capability])
            assert not again, f"attempt {index + 1} asked {capability} again for {len(again)} stored examples"
            lost |= {(capability, i) for i in ids} - {(capability, i) for i in _ids(after, cells[capability])}
        if not attempt.killed:
            assert not lost, f"the last run asked for {len(lost)} predictions it did not store"
            continue
        _, capability, ids = attempt.calls[-1] if attempt.calls else (0.0, "", [])
        assert lost <= {(capability, i) for i in ids}, f"kill {index + 1} lost predictions besides its batch in flight"
        assert len(ids) <= CHUNK_SIZE
        redone += len(lost)
    triggers = [a.trigger for a in attempts[:-1]]
    print(
        f"\n{KILLS} kills ({triggers.count('start')} from the start, {triggers.count('batch')} at a batch); "
        f"{redone} of {len(reference_rows)} predictions asked twice; the store had "
        f"{[len(s) for s in snapshots[1:-1]]} after each kill"
    )


# ---------------------------------------------------------------------------
# 2. Fuzzing suite files and the data files they name
# ---------------------------------------------------------------------------

#: Generated cases per test; their sum is the figure docs/reliability.md gives.
SUITE_CASES = 450
SUITE_BYTE_CASES = 300
DATA_CASES = 300
#: Deterministic: the same cases on every machine and every run, no example database.
FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
#: What else a failing command may print on stderr besides its ``Error:`` lines.
LOG_PREFIXES = ("warning: ", "nlpbench: warning: ", "loading model ", "ok ", "n/a ", "report: ", "results: ")

VALID_ROWS = [
    {"id": "a1", "text": "a good film with a good cast", "label": "positive"},
    {"id": "a2", "text": "dull and far too long", "label": "negative"},
    {"id": "a3", "text": "good fun from start to end", "label": "positive"},
    {"id": "a4", "text": "the plot makes no sense", "label": "negative"},
]

#: Valid suites the structured mutations start from: the baselines on every task type,
#: with options of every kind, and small transformers built from configs (validate
#: never loads them).
BASE_SUITES: list[dict[str, Any]] = [
    {
        "name": "fuzz-sentiment",
        "description": "the baselines on a local file",
        "seed": 3,
        "bootstrap": {"resamples": 50, "confidence": 0.9},
        "comparisons": {"correction": "holm", "alpha": 0.05},
        "models": [
            {"name": "wordlist", "type": "wordlist"},
            {"name": "majority", "type": "majority", "params": {"label": "positive"}},
        ],
        "tasks": [
            {
                "name": "reviews",
                "type": "sentiment",
                "data": {"path": "data.jsonl", "text": "text", "label": "label", "id": "id"},
                "limit": 3,
                "metrics": ["accuracy", {"name": "macro-f1"}, {"name": "accuracy", "as": "acc2"}],
            }
        ],
        "reporters": ["json"],
    },
    {
        "name": "fuzz-generation",
        "requires": ["nlpbench-baselines>=0.1"],
        "models": [
            {"name": "window", "type": "sliding-window"},
            {"name": "copy", "type": "copy"},
            {"name": "lead", "type": "lead"},
        ],
        "tasks": [
            {"name": "qa", "type": "qa", "params": {"max_new_tokens": 16}, "sample": 4, "models": ["window"]},
            {
                "name": "translation",
                "type": "translation",
                "params": {"max_new_tokens": 32, "shots": 2},
                "metrics": ["bleu", "chrf", "ter"],
            },
            {"name": "summaries", "type": "summarization", "params": {"max_new_tokens": 32, "max_input_words": 200}},
        ],
        "audits": [{"type": "counterfactual", "tasks": ["summaries"]}],
        "reporters": ["json", {"name": "html", "max_examples": 5}, {"name": "csv"}],
    },
    {
        "name": "fuzz-transformers",
        "seed": 11,
        "models": [
            {"name": "gpt", "type": "gpt", "config": {"n_layer": 1, "n_embd": 32, "n_head": 2, "n_positions": 64},
             "params": {"batch_size": 4, "dtype": "float32"}},
            {"name": "t5", "type": "t5", "config": {"d_model": 32, "d_ff": 64, "num_layers": 1, "num_heads": 2,
                                                  "d_kv": 16}},
        ],
        "tasks": [
            {"name": "reviews", "type": "sentiment", "data": {"path": "data.jsonl", "text": "text", "label": "label"}},
            {"name": "lm", "type": "language-modeling"},
        ],
        "reporters": [{"name": "markdown"}],
    },
]  # fmt: skip

#: Values a mutation puts where another was: every YAML type, the edges of numbers, text
#: that looks like a path or a name.
ODD_NUMBERS = [0, -1, 1, 2, -(10**9), 10**12, 2**63, 10**100, 1e8, 1e308, -0.0, 0.5, 1.5, float("nan"), float("inf")]
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(ODD_NUMBERS),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["", " ", "~", "..", "wordlist", "sentiment", "accuracy", "json", "data.jsonl", "nothing.csv"]),
    st.lists(st.one_of(st.integers(), st.text(max_size=4)), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=4)), max_size=2),
)
TYPO_KEYS = ["nmae", "modles", "taks", "fil", "metric", "param", "limits", "bootstraps", "typ", "lable", "seed "]


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) inside ``value``: each place a mutation can hit."""
    found: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((value, key))
            found += _slots(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((value, index))
            found += _slots(item)
    return found


def _mappings(value: Any) -> list[dict[str, Any]]:
    inner = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return ([value] if isinstance(value, dict) else []) + [m for item in inner for m in _mappings(item)]


def _nested(value: Any, depth: int, as_list: bool) -> Any:
    for _ in range(depth):
        value = [value] if as_list else {"x": value}
    return value


@st.composite
def mutated_suites(draw: st.DrawFn) -> str:
    """A valid suite with one to three fields dropped, retyped, pushed out of range,
    misspelt or nested deep, written as block YAML, flow YAML or JSON."""
    suite = copy.deepcopy(draw(st.sampled_from(BASE_SUITES)))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["drop", "replace", "range", "unknown", "nest"]))
        if action == "unknown":
            target = draw(st.sampled_from(_mappings(suite)))
            target[draw(st.one_of(st.sampled_from(TYPO_KEYS), st.text(min_size=1, max_size=8)))] = draw(ODD_VALUES)
            continue
        slots = _slots(suite)
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        if action == "drop":
            del container[key]
        elif action == "replace":
            container[key] = draw(ODD_VALUES)
        elif action == "range":
            container[key] = draw(st.sampled_from(ODD_NUMBERS))
        else:
            container[key] = _nested(container[key], draw(st.integers(1, 40)), draw(st.booleans()))
    style = draw(st.sampled_from(["block", "flow", "json"]))
    if style == "json":
        return json.dumps(suite, ensure_ascii=draw(st.booleans()))
    return yaml.safe_dump(suite, default_flow_style=style == "flow", allow_unicode=True, sort_keys=False)


def _mutate_bytes(data: bytes, draw: st.DrawFn) -> bytes:
    """One byte-level accident: a BOM, CRLF or CR line ends, bytes that are not UTF-8, a
    NUL, UTF-16, tabs, a cut, a long line, an empty or blank file."""
    kind = draw(
        st.sampled_from(
            ["bom", "crlf", "cr", "not-utf8", "nul", "utf16", "tabs", "cut", "flip", "long-line", "empty", "blank"]
        )
    )
    at = draw(st.integers(0, len(data)))
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    if kind == "cr":
        return data.replace(b"\n", b"\r")
    if kind == "not-utf8":
        bad = draw(st.sampled_from([b"\x80", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"]))
        return data[:at] + bad + data[at:]
    if kind == "nul":
        return data[:at] + b"\x00" + data[at:]
    if kind == "utf16":
        return data.decode("utf-8", "replace").encode("utf-16")
    if kind == "tabs":
        return data.replace(b"  ", b"\t")
    if kind == "cut":
        return data[:at]
    if kind == "flip":
        return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    if kind == "long-line":
        return data[:at] + b"y" * draw(st.integers(1000, 200_000)) + data[at:]
    if kind == "empty":
        return b""
    return b" \n\t\n"


@st.composite
def mangled_bytes(draw: st.DrawFn, strategy: st.SearchStrategy[str]) -> bytes:
    data = draw(strategy).encode("utf-8")
    for _ in range(draw(st.integers(1, 3))):
        data = _mutate_bytes(data, draw)
    return data


WRONG_TYPES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just(""), st.just("   "),
)  # fmt: skip
DATA_FORMATS = ("jsonl", "json", "csv", "tsv")


@st.composite
def data_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(format, content): sentiment rows with columns missing, values of the wrong type,
    unknown labels, repeated ids, extra or missing fields, then maybe byte accidents."""
    kind = draw(st.sampled_from(DATA_FORMATS))
    rows = [dict(row) for row in VALID_ROWS[: draw(st.integers(0, len(VALID_ROWS)))]]
    rows += [
        {"id": f"g{i}", "text": draw(st.text(max_size=30)), "label": draw(st.sampled_from(["positive", "negative"]))}
        for i in range(draw(st.integers(0, 3)))
    ]
    for _ in range(draw(st.integers(0, 3))):
        if not rows:
            break
        row = draw(st.sampled_from(rows))
        column = draw(st.sampled_from(["id", "text", "label"]))
        action = draw(st.sampled_from(["drop", "retype", "label", "repeat-id", "extra"]))
        if action == "drop":
            row.pop(column, None)
        elif action == "retype":
            row[column] = draw(WRONG_TYPES)
        elif action == "label":
            row["label"] = draw(st.sampled_from(["neutral", "Positive", "0", "1", "pos", "-1"]))
        elif action == "repeat-id":
            row["id"] = rows[0].get("id", "a1")
        else:
            row[draw(st.text(min_size=1, max_size=6))] = draw(st.text(max_size=6))
    if kind == "jsonl":
        text = "".join(json.dumps(row) + "\n" for row in rows)
    elif kind == "json":
        text = json.dumps(rows if draw(st.booleans()) else {"data": rows})
    else:
        text = _delimited(rows, "," if kind == "csv" else "\t", draw)
    data = text.encode("utf-8")
    for _ in range(draw(st.integers(0, 2))):
        data = _mutate_bytes(data, draw)
    return kind, data


def _delimited(rows: list[dict[str, Any]], delimiter: str, draw: st.DrawFn) -> str:
    """CSV or TSV of ``rows`` (the header from the first), maybe with a ragged row or a stray quote."""
    header = list(rows[0]) if rows else draw(st.sampled_from([["id", "text", "label"], ["text"], []]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    text = buffer.getvalue()
    accident = draw(st.sampled_from(["none", "ragged", "short", "quote"]))
    if accident == "ragged":
        text += delimiter.join(["x"] * (len(header) + 2)) + "\n"
    elif accident == "short":
        text += "x\n"
    elif accident == "quote":
        text += f'"never closed{delimiter}positive\n'
    return text


@pytest.fixture(scope="module")
def cli_host() -> tuple[click.Group, PluginHost]:
    """The command line with every installed plugin, built once for thousands of cases."""
    host = PluginHost()
    return build_cli(host), host


def _invoke(cli_host: tuple[click.Group, PluginHost], *args: str) -> Result:
    cli, host = cli_host
    return CliRunner().invoke(cli, list(args), obj={"host": host})


def _clip(data: bytes | str, size: int = 300) -> str:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return text if len(text) <= size else f"{text[:size]}… ({len(text)} characters)"


def _assert_clean(result: Result, command: str, case: bytes | str) -> None:
    """No traceback and no escaped exception; exit 0 or 2; at exit 2, one line per error."""
    where = f"{command} on {_clip(case)!r}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"{where}: an exception escaped:\n{trace}")
    assert "Traceback" not in result.output, f"{where}: a traceback:\n{result.output}"
    assert result.exit_code in (0, 2), f"{where}: exit {result.exit_code}:\n{_clip(result.stderr, 2000)}"
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert any(line.startswith("Error: ") for line in lines), f"{where}: exit 2 without an error:\n{lines}"
        stray = [line for line in lines if not line.startswith(("Error: ", *LOG_PREFIXES))]
        assert not stray, f"{where}: an error of more than one line:\n{_clip(result.stderr, 2000)}"


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of its own; every case writes the same file names in it."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in VALID_ROWS), encoding="utf-8")
    return folder


@settings(FUZZ, max_examples=SUITE_CASES)
@given(text=mutated_suites())
def test_validate_reports_a_mutated_suite_in_one_line_errors(
    text: str, cli_host: tuple[click.Group, PluginHost], fuzz_folder: Path
) -> None:
    path = fuzz_folder / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    result = _invoke(cli_host, "validate", str(path))
    _assert_clean(result, "validate", text)
    event(f"validate exit {result.exit_code}")


@settings(FUZZ, max_examples=SUITE_BYTE_CASES)
@given(data=mangled_bytes(mutated_suites()))
def test_validate_reports_a_mangled_suite_file_in_one_line_errors(
    data: bytes, cli_host: tuple[click.Group, PluginHost], fuzz_folder: Path
) -> None:
    path = fuzz_folder / "suite.yaml"
    path.write_bytes(data)
    result = _invoke(cli_host, "validate", str(path))
    _assert_clean(result, "validate", data)
    event(f"validate exit {result.exit_code}")


DATA_SUITE = """\
name: fuzz-data
models: [{name: wordlist, type: wordlist}]
tasks:
  - name: reviews
    type: sentiment
    data: {path: data.%s, text: text, label: label%s}
reporters: [json]
"""


@settings(FUZZ, max_examples=DATA_CASES)
@given(case=data_files(), ids=st.booleans())
def test_validate_and_run_report_a_bad_data_file_in_one_line_errors(
    case: tuple[str, bytes], ids: bool, cli_host: tuple[click.Group, PluginHost], fuzz_folder: Path
) -> None:
    kind, data = case
    (fuzz_folder / f"data.{kind}").write_bytes(data)
    # the labels are named: the wordlist knows only these two (see docs/reliability.md)
    extra = (", id: id" if ids else "") + ", labels: [negative, positive]"
    suite = fuzz_folder / "data-suite.yaml"
    suite.write_text(DATA_SUITE % (kind, extra), encoding="utf-8")
    checked = _invoke(cli_host, "validate", str(suite))
    _assert_clean(checked, f"validate ({kind})", data)
    out = fuzz_folder / "runs" / f"{kind}-{hashlib.sha256(data).hexdigest()[:16]}"
    ran = _invoke(cli_host, "run", str(suite), "--limit", "3", "--out", str(out), "--no-progress")
    _assert_clean(ran, f"run --limit 3 ({kind})", data)
    event(f"{kind}: validate exit {checked.exit_code}, run exit {ran.exit_code}")
    # what validate passes, the run reads: a data problem is never found only later
    assert not (checked.exit_code == 0 and ran.exit_code == 2), f"validate passed, run said:\n{ran.stderr}"


#: How deep the explicit nesting cases go (the issue's case is 5,000 ``[``).
DEPTHS = (50, 500, 5000, 50_000)
TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("shape", ["lists", "mappings", "unclosed"])
def test_a_deeply_nested_suite_is_a_one_line_config_error(
    depth: int, shape: str, cli_host: tuple[click.Group, PluginHost], fuzz_folder: Path
) -> None:
    nested = {
        "lists": "[" * depth + "]" * depth,
        "mappings": "{a: " * depth + "1" + "}" * depth,
        "unclosed": "[" * depth,
    }[shape]
    path = fuzz_folder / "deep.yaml"
    path.write_text(f"name: deep\nmodels: {nested}\ntasks: []\n", encoding="utf-8")
    result = _invoke(cli_host, "validate", str(path))
    _assert_clean(result, "validate", f"{depth} nested {shape}")
    assert result.exit_code == 2


@pytest.mark.parametrize("where", ["description", "comment", "key"])
def test_a_suite_with_a_ten_megabyte_line_is_read_or_refused_in_one_line(
    where: str, cli_host: tuple[click.Group, PluginHost], fuzz_folder: Path
) -> None:
    line = {
        "description": "description: " + "x" * TEN_MB,
        "comment": "# " + "x" * TEN_MB,
        "key": "x" * TEN_MB + ": 1",
    }[where]
    path = fuzz_folder / "long.yaml"
    path.write_text(f"name: long\n{line}\nmodels: [{{name: w, type: wordlist}}]\ntasks: []\n", encoding="utf-8")
    result = _invoke(cli_host, "validate", str(path))
    _assert_clean(result, "validate", f"a 10 MB {where} line")
    assert len(result.stderr) < 10_000, "an error must not repeat the 10 MB line"


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        *[(kind, "row") for kind in DATA_FORMATS],
        *[(kind, "header") for kind in ("csv", "tsv")],
    ],
)
def test_a_data_file_with_a_ten_megabyte_line_is_read_or_refused_in_one_line(
    kind: str, where: str, cli_host: tuple[click.Group, PluginHost], fuzz_folder: Path
) -> None:
    rows = [{"id": "long", "text": "good " * (TEN_MB // 5), "label": "positive"}, *VALID_ROWS]
    if kind == "jsonl":
        text = "".join(json.dumps(row) + "\n" for row in rows)
    elif kind == "json":
        text = json.dumps(rows)
    else:
        delimiter = "," if kind == "csv" else "\t"
        header = ["id", "text", "label" + ("x" * TEN_MB if where == "header" else "")]
        rows = rows if where == "row" else VALID_ROWS
        text = delimiter.join(header) + "\n"
        text += "".join(delimiter.join(row[k] for k in ("id", "text", "label")) + "\n" for row in rows)
    (fuzz_folder / f"data.{kind}").write_text(text, encoding="utf-8")
    suite = fuzz_folder / "data-suite.yaml"
    suite.write_text(DATA_SUITE % (kind, ", id: id, labels: [negative, positive]"), encoding="utf-8")
    _assert_clean(_invoke(cli_host, "validate", str(suite)), f"validate ({kind})", "a 10 MB line")
    out = fuzz_folder / "runs" / f"long-{kind}"
    ran = _invoke(cli_host, "run", str(suite), "--limit", "3", "--out", str(out), "--no-progress")
    _assert_clean(ran, f"run --limit 3 ({kind})", "a 10 MB line")
    assert len(ran.stderr) < 10_000, "an error must not repeat the 10 MB line"


#: A file name longer than any file system takes (ENAMETOOLONG), where a suite or the
#: command line gives a path; the fuzzing above first found it in a data path.
LONG_NAME = "n" * 300
#: The suite's task, for each place in a task entry that gives a path (the rest: a sentiment task on its samples).
LONG_TASKS = {
    "data path": f"{{name: r, type: sentiment, limit: 3, data: {{path: {LONG_NAME}.jsonl, text: text, label: label}}}}",
    "train path": "{name: r, type: sentiment, limit: 3, data: "
    f"{{path: data.jsonl, train: {LONG_NAME}.jsonl, text: text, label: label}}}}",
    "task file": f"{{task: {LONG_NAME}.yaml}}",
}


@pytest.mark.parametrize(
    "where",
    [
        "model path",
        *LONG_TASKS,
        "--out",
        "--store",
        "report --out",
    ],
)
def test_a_path_too_long_for_the_file_system_is_a_one_line_error(
    where: str, cli_host: tuple[click.Group, PluginHost], tmp_path: Path
) -> None:
    models = f"[{{name: g, type: gpt, path: {LONG_NAME}}}]" if where == "model path" else "[{name: w, type: wordlist}]"
    task = LONG_TASKS.get(where, "{name: r, type: sentiment, limit: 3}")
    (tmp_path / "data.jsonl").write_text('{"text": "good", "label": "positive"}\n', encoding="utf-8")
    suite = tmp_path / "suite.yaml"
    suite.write_text(f"name: long\nmodels: {models}\ntasks: [{task}]\nreporters: [json]\n", encoding="utf-8")
    out = tmp_path / (LONG_NAME if where == "--out" else "run")
    command = ["run", str(suite), "--out", str(out), "--no-progress"]
    if where == "--store":
        command += ["--store", str(tmp_path / f"{LONG_NAME}.sqlite")]
    if where == "report --out":
        assert _invoke(cli_host, *command).exit_code == 0
        command = ["report", str(out), "--out", str(tmp_path / f"{LONG_NAME}.html")]
    elif where == "model path" or where in LONG_TASKS:
        command = ["validate", str(suite)]
    result = _invoke(cli_host, *command)
    _assert_clean(result, command[0], where)
    assert result.exit_code == 2


# ---------------------------------------------------------------------------
# 3. Writes confined to the run folder and the paths given
# ---------------------------------------------------------------------------
#
# The rule (docs/reliability.md): a path given on the command line (--out, --store,
# report --out) is the user's explicit choice, written exactly there and nowhere else;
# a path given in the suite file (a reporter's file option) is a file of the run
# folder, and one that leaves it (``..``, absolute, ``~``, through a link) is refused.
# The mlflow reporter writes to the tracking store and artifact location it is given.

#: ``nlpbench`` running several commands, each from its own folder, with every write
#: Python makes (open for writing, create, rename, delete, SQLite) logged by an audit
#: hook as ``[command index, event, absolute path]``. Arguments: the log file, then a
#: JSON list of ``[cwd, [args...]]``; prints each command's exit code.
AUDITED_NLPBENCH = """\
import json, os, sys
log = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
commands = json.loads(sys.argv[2])
current = [-1]  # -1: starting up, before the first command
WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
#: event -> (the argument that is a path, the argument that is the folder it is relative to)
PATHS = {"os.mkdir": [(0, 2)], "os.remove": [(0, 1)], "os.rmdir": [(0, 1)], "os.rename": [(0, 2), (1, 3)],
         "os.symlink": [(1, 2)], "os.link": [(1, 3)], "os.truncate": [(0, None)], "os.chmod": [(0, 2)],
         "os.utime": [(0, None)], "shutil.copyfile": [(1, None)], "shutil.rmtree": [(0, 1)],
         "sqlite3.connect": [(0, None)], "tempfile.mkstemp": [(0, None)], "tempfile.mkdtemp": [(0, None)]}

def record(event, path, folder=None):
    if isinstance(path, (str, bytes, os.PathLike)):
        path = os.fsdecode(path)
        if path.startswith("file:"):  # a SQLite URI
            path = path[5:].split("?")[0]
        if isinstance(folder, int) and folder >= 0:  # relative to an open folder (shutil.rmtree works so)
            path = os.path.join(os.readlink(f"/proc/self/fd/{folder}"), path)
        if path != ":memory:":
            os.write(log, (json.dumps([current[0], event, os.path.abspath(path)]) + "\\n").encode())

def hook(event, args):
    try:
        check(event, args)
    except Exception as error:  # never make the command fail; the test sees it in the log
        os.write(log, (json.dumps([current[0], "hook failed: " + repr(error), event]) + "\\n").encode())

def check(event, args):
    if event == "open":
        path, mode, flags = args
        if (mode and any(c in mode for c in "wax+")) or (not mode and flags & WRITING):
            record(event, path)
    elif event in PATHS:
        for index, folder in PATHS[event]:
            record(event, args[index], args[folder] if folder is not None and folder < len(args) else None)

sys.addaudithook(hook)
from nlpbench.cli import build_cli
from nlpbench.plugins.host import PluginHost
host = PluginHost()
cli = build_cli(host)
codes = []
for index, (cwd, args) in enumerate(commands):
    os.chdir(cwd)
    current[0] = index
    try:
        cli.main(args=args, prog_name="nlpbench", obj={"host": host})
    except SystemExit as done:
        codes.append(done.code or 0)
current[0] = len(commands)  # shutting down
print("\\n" + json.dumps(codes))
"""

#: Not files: terminals and the null device, and the kernel's counters (nlpbench resets
#: the peak memory count through /proc/self/clear_refs to measure each cell's).
SYSTEM_PATHS = ("/dev/", "/proc/self/")

WRITES_SUITE = """\
name: confined
models: [{name: wordlist, type: wordlist}, {name: majority, type: majority, params: {label: positive}}]
tasks: [{name: reviews, type: sentiment, limit: 6}]
bootstrap: {resamples: 20}
reporters: [json, html, markdown, csv%s]
"""


def _tree(root: Path) -> dict[str, tuple[str, int, float]]:
    """Every path under ``root``: its kind, size and modification time."""
    found = {}
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
        found[str(path)] = (kind, info.st_size if kind == "file" else 0, info.st_mtime if kind != "dir" else 0.0)
    return found


def _allowed(path: str, roots: list[Path], creating: bool = False) -> bool:
    """``path`` is one of ``roots`` or under one (a root ending in ``*`` is a prefix of
    names); or, ``creating`` a folder, one of the folders above a root."""
    for root in roots:
        text = str(root)
        if text.endswith("*") and path.startswith(text[:-1]):
            return True
        if path == text or path.startswith(text + os.sep):
            return True
        if creating and text.startswith(path + os.sep):
            return True
    return False


def test_command_line_paths_are_written_exactly_there_and_nowhere_else(tmp_path: Path) -> None:
    sandbox = tmp_path.resolve() / "sandbox"
    home, work, suites, elsewhere, temporary = (
        sandbox / name for name in ("home", "work", "suites", "elsewhere", "tmp")
    )
    for folder in (home, work, suites, elsewhere, temporary, elsewhere / "pages"):
        folder.mkdir(parents=True)
    # the mlflow reporter, when installed, with the tracking store and artifacts it is told
    ml = elsewhere / "ml"
    mlflow = importlib.util.find_spec("nlpbench_mlflow") is not None
    tracking = f", {{name: mlflow, tracking_uri: 'sqlite:///{ml}/mlflow.db', artifact_location: '{ml}/artifacts'}}"
    (suites / "suite.yaml").write_text(WRITES_SUITE % (tracking if mlflow else ""), encoding="utf-8")
    reporting = [ml] if mlflow else []
    default_run = work / "runs" / "confined"
    store = elsewhere / "stores" / "shared.sqlite"
    store_files = Path(f"{store}*")  # the store, and SQLite's -wal, -shm and -journal beside it
    page = elsewhere / "pages" / "page.html"  # report --out writes into a folder that exists
    commands: list[tuple[Path, list[str], list[Path]]] = [
        (work, ["validate", "../suites/suite.yaml"], []),
        (work, ["run", "../suites/suite.yaml", "--no-progress"], [default_run, *reporting]),
        (suites, ["run", "suite.yaml", "--out", "../elsewhere/run-b", "--store", "../elsewhere/stores/shared.sqlite",
                  "--no-progress"], [elsewhere / "run-b", store_files, *reporting]),
        (home, ["run", str(suites / "suite.yaml"), "--out", str(elsewhere / "run-c"), "--store", str(store),
                "--no-progress"], [elsewhere / "run-c", store_files, *reporting]),
        (work, ["report", "runs/confined", "--out", str(page)], [Path(f"{page}*")]),
        (home, ["report", str(default_run)], [Path(f"{default_run / 'report.html'}*")]),
        (work, ["rescore", "runs/confined"], [default_run]),
        (work, ["leaderboard", "runs/confined"], []),
        # reading runs opens their stores (SQLite may touch its -wal and -shm files)
        (work, ["compare", "runs/confined", str(elsewhere / "run-b")], [default_run, elsewhere / "run-b", store_files]),
    ]  # fmt: skip
    before = _tree(sandbox)
    log = tmp_path / "writes.log"
    plan = json.dumps([[str(cwd), args] for cwd, args, _ in commands])
    env = child_env(HOME=str(home), PYTHONDONTWRITEBYTECODE="1", TMPDIR=str(temporary))
    done = subprocess.run(
        [sys.executable, "-c", AUDITED_NLPBENCH, str(log), plan],
        cwd=work, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0] * len(commands), done.stderr

    # every write Python made, wherever it was, is one its command was allowed
    stray = []
    for line in log.read_text(encoding="utf-8").splitlines():
        index, event, path = json.loads(line)
        allowed = [*(commands[index][2] if 0 <= index < len(commands) else []), temporary]
        if not (_allowed(path, allowed, creating=event == "os.mkdir") or path.startswith(SYSTEM_PATHS)):
            command = " ".join(commands[index][1]) if 0 <= index < len(commands) else "starting or stopping"
            stray.append(f"{command}: {event} {path}")
    assert not stray, "written outside the paths given:\n" + "\n".join(stray)
    # and on disk (SQLite's own files included): nothing changed but where a command may write
    roots = [root for _, _, allowed in commands for root in allowed] + [temporary]
    changed = [
        path
        for path, info in _tree(sandbox).items()
        if before.get(path) != info and not _allowed(path, roots, creating=info[0] == "dir")
    ]
    assert not changed, "changed outside the paths given:\n" + "\n".join(changed)
    assert not os.listdir(temporary), "temporary files were left behind"
    assert page.is_file() and not list(page.parent.glob("*.partial"))
    assert (default_run / "results.json").is_file() and (elsewhere / "run-b" / "results.json").is_file()
    assert not (elsewhere / "run-b" / STORE_FILE).exists(), "--store was given: the run folder has no store of its own"


#: Every reporter option that names a file, as (reporter, option).
REPORTER_FILES = [
    ("json", "file"),
    ("markdown", "file"),
    ("csv", "file"),
    ("csv", "comparisons_file"),
    ("html", "file"),
]
#: Values of those options that leave the run folder, and how.
ESCAPES = {
    "dot-dot": "../escape.out",
    "dot-dot-inside": "sub/../../escape.out",
    "absolute": "{elsewhere}/escape.out",
    "home": "~/escape.out",
    "link": "link/escape.out",  # the run folder's ``link`` points outside it
}

REPORTER_SUITE = """\
name: reporting
models: [{name: wordlist, type: wordlist}, {name: majority, type: majority, params: {label: positive}}]
tasks: [{name: reviews, type: sentiment, limit: 4}]
bootstrap: {resamples: 20}
reporters: [json, {name: %s, %s: '%s'}]
"""


@pytest.fixture
def reporting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A sandbox: ``home`` (as $HOME), ``elsewhere``, and a run folder ``run`` whose
    ``link`` points to ``elsewhere``."""
    for name in ("home", "elsewhere", "run"):
        (tmp_path / name).mkdir()
    (tmp_path / "run" / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


@pytest.mark.parametrize(
    ("reporter", "option", "inner"),
    [(reporter, option, inner) for reporter, option in REPORTER_FILES for inner in ("inner.out", "sub/inner.out")],
)
def test_a_reporter_file_inside_the_run_folder_is_written_there(
    reporting: Path, cli_host: tuple[click.Group, PluginHost], reporter: str, option: str, inner: str
) -> None:
    suite = reporting / "suite.yaml"
    suite.write_text(REPORTER_SUITE % (reporter, option, inner), encoding="utf-8")
    before = _tree(reporting)
    result = _invoke(cli_host, "run", str(suite), "--out", str(reporting / "run"), "--no-progress")
    _assert_clean(result, "run", suite.read_text(encoding="utf-8"))
    assert result.exit_code == 0
    assert (reporting / "run" / inner).is_file()
    outside = [
        p for p, info in _tree(reporting).items() if before.get(p) != info and "/run" not in p[len(str(reporting)) :]
    ]
    assert outside == [str(reporting / "suite.yaml")] or not outside


@pytest.mark.parametrize(("reporter", "option"), REPORTER_FILES)
@pytest.mark.parametrize("escape", list(ESCAPES))
def test_a_reporter_file_outside_the_run_folder_is_refused_before_anything_runs(
    reporting: Path, cli_host: tuple[click.Group, PluginHost], reporter: str, option: str, escape: str
) -> None:
    value = ESCAPES[escape].format(elsewhere=reporting / "elsewhere")
    suite = reporting / "suite.yaml"
    suite.write_text(REPORTER_SUITE % (reporter, option, value), encoding="utf-8")
    before = _tree(reporting)
    checked = _invoke(cli_host, "validate", str(suite))
    ran = _invoke(cli_host, "run", str(suite), "--out", str(reporting / "run"), "--no-progress")
    written = [p for p, info in _tree(reporting).items() if before.get(p) != info]
    outside = [p for p in written if not p.startswith(str(reporting / "run") + os.sep)]
    assert not outside, f"{reporter}.{option}: {value} wrote outside the run folder: {outside}"
    if escape != "link":  # the suite alone says it leaves the run folder: validate knows
        for result, command in ((checked, "validate"), (ran, "run")):
            _assert_clean(result, command, value)
            assert result.exit_code == 2 and option in result.stderr, result.stderr
        assert not written, f"a refused suite still wrote {written}"
    else:  # where a link leads is known once the run folder is there: refused before anything runs
        _assert_clean(ran, "run", value)
        assert ran.exit_code == 2 and option in ran.stderr, ran.stderr
        assert not (reporting / "run" / "results.json").exists()


def test_a_link_in_the_run_folder_is_replaced_not_written_through(
    reporting: Path, cli_host: tuple[click.Group, PluginHost]
) -> None:
    """A report file that is a link to a file elsewhere (left by an earlier run, say) is
    replaced by the new report; the file it pointed to is left alone."""
    victim = reporting / "elsewhere" / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    for name in ("report.md", "results.csv", "comparisons.csv", "report.html", "results.json"):
        (reporting / "run" / name).symlink_to(victim)
    suite = reporting / "suite.yaml"
    suite.write_text(REPORTER_SUITE.replace("{name: %s, %s: '%s'}", "markdown, csv, html"), encoding="utf-8")
    result = _invoke(cli_host, "run", str(suite), "--out", str(reporting / "run"), "--no-progress")
    _assert_clean(result, "run", "")
    assert result.exit_code == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    for name in ("report.md", "results.csv", "comparisons.csv", "report.html", "results.json"):
        assert not (reporting / "run" / name).is_symlink()


# ---------------------------------------------------------------------------
# The figures docs/reliability.md gives are these tests'
# ---------------------------------------------------------------------------


def test_the_figures_in_the_docs_are_the_tests() -> None:
    text = " ".join((REPO / "docs" / "reliability.md").read_text(encoding="utf-8").split())
    generated = SUITE_CASES + SUITE_BYTE_CASES + DATA_CASES
    figures = [
        f"**{KILLS} kills**",
        f"on {KILL_EXAMPLES:,} reviews",
        f"**{generated:,} generated cases** ({SUITE_CASES} + {SUITE_BYTE_CASES} + {DATA_CASES})",
        f"{len(DEPTHS) * 3} suites nested {DEPTHS[0]} to {DEPTHS[-1]:,} deep",
        "9 files with a 10 MB line",
        "7 paths too long for the file system",
        f"**{len(REPORTER_FILES) * 2} reporter files inside** and **{len(REPORTER_FILES) * len(ESCAPES)} escapes**",
    ]
    # the faulty-plugin matrix is another module's: its cases as pytest collects them
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests/test_faulty_plugins.py"],
        cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    cases = [line for line in collected.stdout.splitlines() if "::" in line]
    matrix = [line for line in cases if "::test_a_faulty_method_fails_its_cells_and_nothing_else[" in line]
    figures.append(f"**{len(cases)} cases**, {len(matrix)} of them the method matrix")
    missing = [figure for figure in figures if figure not in text]
    assert not missing, f"docs/reliability.md does not say: {missing}"
