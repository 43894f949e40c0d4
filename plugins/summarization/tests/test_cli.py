"""Bad data through the real command line: exit code 2, one line on stderr, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = """\
name: bad-summaries
models:
  - {name: lead-3, type: lead}
tasks:
  - name: news
    type: summarization
    data: {path: news.jsonl, document: article, summary: highlights}
"""


@pytest.mark.slow  # a child process: about a second
def test_an_empty_document_exits_2_with_one_line(tmp_path: Path) -> None:
    pytest.importorskip("nlpbench_baselines", reason="the suite's model is the lead baseline")
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    rows = '{"article": "A story.", "highlights": "Short."}\n{"article": " ", "highlights": "Brief."}\n'
    (tmp_path / "news.jsonl").write_text(rows, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NLPBENCH_STRICT_PLUGINS", "PYTEST_ADDOPTS", "PYTHONPATH")}
    done = subprocess.run(
        [sys.executable, "-c", "from nlpbench.cli import main; main()", "run", "suite.yaml", "--out", "out"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "news.jsonl:2: column 'article' (mapped by data.document) is empty" in lines[0]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "results.json").exists()
