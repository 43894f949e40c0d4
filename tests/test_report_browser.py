"""The HTML report in a real browser: Debian's chromium, headless, renders a run's page
with a planted script in a model's prediction; the page's own script runs, the planted
one does not, and the key parts are in the DOM. `.ci/run` installs chromium; without it
the test is skipped with the reason."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from nlpbench.report import HtmlReporter

from .test_report import AUDITS, PLANTED, comparison, planted_run

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=2000",
)


def _chromium(tmp_path: Path, *args: str) -> str:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (`apt-get install chromium`; .ci/run installs it)")
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"chromium did not finish within 120 s: {' '.join(command)}")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture
def page(tmp_path: Path) -> Path:
    """A real run's report, with a comparison and a tie group if the runner made none, and audit entries."""
    run = planted_run(tmp_path / "suite")
    results = dict(run.results)
    if not results.get("comparisons"):
        results["comparisons"] = [comparison("tiny", "planted", 0.4, "a")]
        for cell in results["cells"]:
            cell["metrics"]["tiny-match"].setdefault("tie_group", 1 if cell["model"] == "tiny" else 2)
    results.setdefault("audits", [])
    results["audits"] = results["audits"] or AUDITS
    HtmlReporter().write(results, run.out_dir)
    return run.out_dir / "report.html"


def test_the_report_renders_in_chromium_and_the_planted_script_never_runs(tmp_path: Path, page: Path) -> None:
    url = page.resolve().as_uri()
    dom = _chromium(tmp_path, "--dump-dom", url)
    assert '<body data-ready="1">' in dom, "the page's own script did not run to its end"
    assert "<title>nlpbench: tiny</title>" in dom and "PWNED</title>" not in dom
    assert PLANTED not in dom
    assert '&lt;script&gt;window.__pwned = 1; document.title = "PWNED"&lt;/script&gt;' in dom
    assert "a good &lt;/script&gt;&lt;!-- comment &amp; &lt;b&gt;bold&lt;/b&gt;" in dom
    for element in (
        'id="leaderboard-0"',
        'id="chart-0-0"',
        'id="matrix-0"',
        'id="efficiency-table"',
        'id="browser-task"',
        'id="browser-model"',
        'id="disagree-a"',
        'id="disagree-b"',
        'id="provenance"',
        'id="audits"',
        'id="audit-forest-0"',
        'id="audit-flips-0"',
        'id="audit-table"',
    ):
        assert element in dom, element
    assert '<option value="planted">planted</option>' in dom  # the script filled the selects
    browsed = dom[dom.index('id="browser-rows"') : dom.index("</tbody>", dom.index('id="browser-rows"'))]
    assert browsed.count("<tr>") == 18  # 9 examples × 2 models
    differ = dom[dom.index('id="disagree-rows"') : dom.index("</tbody>", dom.index('id="disagree-rows"'))]
    assert differ.count("<tr>") == 6  # the six inputs with 'good' get the planted answer instead of 'positive'
    assert "6 of 9 shared examples get different predictions." in dom


def test_the_report_screenshot_is_a_real_picture(tmp_path: Path, page: Path) -> None:
    shot = tmp_path / "report.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page.resolve().as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    # a blank or single-colour page compresses to a few kilobytes; text, tables and charts do not
    assert len(data) > 30_000, len(data)
