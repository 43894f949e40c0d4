"""The HTML report in a real browser: Debian's chromium, headless, renders a run's page
with a planted script in a model's prediction; the page's own script runs, the planted
one does not, and the key parts are in the DOM. A quick-suite-sized page is measured and
photographed at 1,280 and 390 px wide (over the DevTools protocol, see chromium.py):
short, never wider than the screen. `.ci/run` installs chromium; without it the tests
are skipped with the reason."""

from __future__ import annotations

import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from nlpbench.report.html import HtmlReporter, render_html

from .chromium import Browser
from .test_report import AUDITS, PLANTED, comparison, planted_run
from .test_report_answer import quick_sized

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


#: The default page of a quick-suite-sized run (details collapsed) stays shorter than this.
MOST_HEIGHT = 10_000


@pytest.fixture
def quick_page(tmp_path: Path) -> Path:
    """The report of a run the size of the quick suite's, with families and a cross-task ranking."""
    results, samples = quick_sized()
    page = tmp_path / "quick-sized.html"
    page.write_text(render_html(results, samples), encoding="utf-8")
    return page


def _browser(tmp_path: Path) -> Browser:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (`apt-get install chromium`; .ci/run installs it)")
    return Browser(tmp_path / "devtools-profile")


@pytest.mark.parametrize(("width", "mobile"), [(1280, False), (390, True)])
def test_the_report_opens_on_a_short_page_that_fits_the_screen(
    tmp_path: Path, quick_page: Path, width: int, mobile: bool, record_property: Callable[[str, object], None]
) -> None:
    """A screenshot of the whole default page at a desktop's and a phone's width, kept in
    the test's folder and named at the end of pytest's output (`report screenshots:`)."""
    shot = tmp_path / f"report-{width}px.png"
    with _browser(tmp_path) as browser:
        browser.open(quick_page.resolve().as_uri(), width, mobile=mobile)
        ready, height, scroll_width = browser.evaluate(
            "[document.body.dataset.ready, document.documentElement.scrollHeight, document.documentElement.scrollWidth]"
        )
        browser.screenshot(shot)
    record_property(f"screenshot {width}px", str(shot))
    assert ready == "1"
    assert height <= MOST_HEIGHT, f"the default page is {height} px tall at {width} px wide"
    assert scroll_width <= width, f"the page scrolls sideways: {scroll_width} px wide at {width} px"
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (width, height)
    # a blank or single-colour page compresses to a few kilobytes; text and tables do not
    assert len(data) > 30_000, len(data)


def test_opened_details_still_fit_and_matrix_cells_stay_in_their_columns(tmp_path: Path, quick_page: Path) -> None:
    with _browser(tmp_path) as browser:
        # a link into a collapsed part opens it
        browser.open(quick_page.resolve().as_uri() + "#matrix-0", 1280)
        opened = browser.evaluate("document.getElementById('matrix-0').closest('details').open")
        browser.open(quick_page.resolve().as_uri(), 1280)
        displays, scroll_width = browser.evaluate(
            "document.querySelectorAll('details').forEach(function (d) { d.open = true; });"
            "[Array.from(document.querySelectorAll('table.matrix td'), function (td) {"
            "  return getComputedStyle(td).display; }), document.documentElement.scrollWidth]"
        )
    assert displays and set(displays) == {"table-cell"}  # `.tie{display:inline-block}` made grey cells float
    assert scroll_width <= 1280
    assert opened is True
