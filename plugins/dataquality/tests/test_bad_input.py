"""Bad input is a one-line error or a marked entry, never a traceback or a silent zero;
a corpus is read a line at a time."""

from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from nlpbench_dataquality import DataQualityAudit, plugin
from nlpbench_dataquality.contamination import corpus_hits, ngram_table
from nlpbench_dataquality.corpus import Corpus, documents, file_lines

from nlpbench import DataAuditInput, DataError, Example
from nlpbench.testing import assert_conformant

_spec = importlib.util.spec_from_file_location("dataquality_planted", Path(__file__).with_name("planted.py"))
assert _spec is not None and _spec.loader is not None
planted = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(planted)

NLPBENCH = [sys.executable, "-c", "from nlpbench.cli import main; main()"]


def _audit(folder: Path, params: str) -> subprocess.CompletedProcess[str]:
    planted.write_planted(folder)
    (folder / "suite.yaml").write_text(planted.suite_text(params), encoding="utf-8")
    return subprocess.run([*NLPBENCH, "data", "audit", "suite.yaml", "--json"], cwd=folder, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_the_plugin_conforms() -> None:
    assert_conformant(plugin)


def test_a_corpus_that_is_not_utf8_is_one_line_naming_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("fine line\nsecond line\nun caf\xe9 cr\xe8me\n".encode("latin-1"))
    done = _audit(tmp_path, "corpus: [latin1.txt]")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "Error: audits[0] (data-quality): task 'planted': latin1.txt:3: not UTF-8 "
        "(byte 0xe9 at column 7); save the corpus as UTF-8"
    ]


def test_a_corpus_file_that_is_not_there_is_a_config_error(tmp_path: Path) -> None:
    done = _audit(tmp_path, "corpus: [missing.txt]")
    assert done.returncode == 2
    assert done.stderr.strip() == "Error: audits[0] (data-quality): corpus[0]: missing.txt: no such file"


def test_a_bad_option_is_said_with_its_key(tmp_path: Path) -> None:
    done = _audit(tmp_path, "threshold: 1.5")
    assert done.returncode == 2
    assert "audits[0].params.threshold" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_task_without_a_train_split_marks_what_needs_one(tmp_path: Path) -> None:
    planted.write_planted(tmp_path)
    text = planted.suite_text().replace("{path: test.jsonl, train: train.jsonl}", "{path: test.jsonl}")
    (tmp_path / "suite.yaml").write_text(text, encoding="utf-8")
    done = subprocess.run([*NLPBENCH, "data", "audit", "suite.yaml", "--json"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    entries = [e for e in json.loads(done.stdout) if e["task"] == "planted"]
    missing = [e for e in entries if e["check"] == "train-test-overlap" or e.get("group") == "train"]
    assert len(missing) == 3
    for entry in missing:
        assert entry["value"] is None
        assert entry["reason"].startswith("not computed: task 'planted' has no train split (")
    corpus = next(e for e in entries if e["check"] == "contamination" and e["group"] == "corpus.txt")
    assert corpus["example_ids"] == ["t06"]  # the other corpus is still read


def test_a_corpus_is_read_a_line_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "corpus.txt"
    path.write_bytes(b"one two\nthree\n\xff broken\n")
    lines = file_lines(path)
    assert next(lines) == (1, "one two\n")  # given before the bad line is read
    assert next(lines) == (2, "three\n")
    with pytest.raises(DataError, match=r"corpus.txt:3: not UTF-8"):
        next(lines)


def test_streaming_a_corpus_keeps_memory_flat(tmp_path: Path) -> None:
    """A corpus of ~6 MB streamed through the contamination check: the memory traced stays
    under a megabyte (what the lines in flight need), not the file's size."""
    path = tmp_path / "big.txt.gz"
    line = " ".join(f"filler{k}" for k in range(60)) + "\n"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        for _ in range(10_000):
            stream.write(line)
        stream.write("and then every frame of this documentary about arctic whales was shot with enormous care\n")
    examples = [Example("leak", f"so {planted.LEAKED} indeed", ("positive",)),
                Example("clean", " ".join(f"other{k}" for k in range(20)), ("positive",))]  # fmt: skip
    table = ngram_table(examples, 13)
    tracemalloc.start()
    try:
        hits = corpus_hits(table, documents(Corpus("big.txt.gz", path), "text", lambda: ()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert hits == {0}
    assert peak < 1_000_000, peak


def test_jsonl_corpora_read_their_field_and_say_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps({"text": f"x {planted.LEAKED} y", "meta": 1}) + "\n{broken\n", encoding="utf-8")
    table = ngram_table([Example("leak", planted.LEAKED, ("positive",))], 13)
    documents_ = documents(Corpus("corpus.jsonl", path), "text", lambda: ())
    assert corpus_hits(table, [next(documents_)]) == {0}
    with pytest.raises(DataError, match=r"corpus.jsonl:2: not JSON"):
        next(documents_)


def test_examples_shorter_than_the_ngram_are_counted_apart_never_clean(tmp_path: Path) -> None:
    audit = DataQualityAudit(base_dir=tmp_path, checks=["contamination"], corpus=["train"])
    short = tuple(Example(f"s{k}", f"just {k} words", ("a",)) for k in range(3))
    result = audit.audit_data(DataAuditInput("t", short, train=lambda: short))
    [entry] = result.entries
    assert entry["value"] is None and entry["n_too_short"] == 3
    assert entry["reason"] == "not computed: every example is shorter than 13 words (lower params.ngram)"
    assert result.excluded is None  # nothing was looked at: no clean subset to score


def test_a_threshold_too_high_for_the_permutations_is_said_up_front(tmp_path: Path) -> None:
    done = _audit(tmp_path, "threshold: 0.995")
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert "threshold 0.995 is too high for num_perm 128" in line and "raise num_perm" in line
    assert _audit(tmp_path, "threshold: 0.995, num_perm: 1024").returncode == 0
