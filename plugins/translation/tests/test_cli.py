"""Bad data through the real command line: exit code 2, one line on stderr, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = """\
name: bad-lines
models:
  - {name: copy, type: copy}
tasks:
  - name: de-en
    type: translation
    data: {source: src.de, references: [ref.A.en, ref.B.en], source_lang: de, target_lang: en}
"""


@pytest.mark.slow  # a child process: about a second
def test_mismatched_line_counts_exit_2_with_one_line(tmp_path: Path) -> None:
    pytest.importorskip("nlpbench_baselines", reason="the suite's model is the copy baseline")
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    (tmp_path / "src.de").write_text("Ja.\nNein.\nGut.\n", encoding="utf-8")
    (tmp_path / "ref.A.en").write_text("Yes.\nNo.\nGood.\n", encoding="utf-8")
    (tmp_path / "ref.B.en").write_text("Yes.\nNo.\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NLPBENCH_STRICT_PLUGINS", "PYTEST_ADDOPTS", "PYTHONPATH")}
    done = subprocess.run(
        [sys.executable, "-c", "from nlpbench.cli import main; main()", "run", "suite.yaml", "--out", "out"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "line counts differ" in lines[0] and "src.de has 3 lines but" in lines[0] and "ref.B.en has 2" in lines[0]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "results.json").exists()
