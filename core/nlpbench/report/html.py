"""The built-in HTML report: one self-contained page per run.

The page needs no server and fetches nothing: its CSS, script and SVG charts are inline.
It opens on the answer: per task, a sentence naming the leader (or the models tied at
the top) on the task's primary metric, with its interval and whether the lead is
significant after correction; then, for a run of several tasks, each model's rank per
task, its mean rank and a win matrix. The details follow, collapsed: the leaderboards
(intervals and tie groups), a chart per task and metric, the pairwise significance
matrices, an efficiency panel, the bias audits (the largest significant effects first,
each audit's charts on demand, every entry in a table), a per-example browser with a
disagreements view, and the run's provenance. The page is laid out by the Jinja2
templates of :mod:`nlpbench.report.page`; this module is the reporter and reads the
samples it embeds.

Everything that comes from a model or a data set is escaped: the templates autoescape
every value; the examples travel as JSON in a ``<script type="application/json">``
block whose ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes (so neither
``</script>`` nor ``<!--`` can end the block), and the page's script shows them with
``textContent``, never as markup. So that a run of tens of thousands of examples still
opens quickly, the page embeds at most ``max_examples`` examples per model and task (the
first ones, in the task's order, so every model shows the same examples) and clips long
texts; it says so where it does. ``samples.jsonl`` keeps everything.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from nlpbench.contracts.errors import ConfigError, DataError
from nlpbench.contracts.options import Options
from nlpbench.report.page.escaping import finite, script_json
from nlpbench.results.run_files import RunFile, run_file, write_atomic

REPORT_FILE = "report.html"
RESULTS_FILE = "results.json"
SAMPLES_FILE = "samples.jsonl"
#: Examples embedded per model × task; the rest stay in samples.jsonl.
MAX_EXAMPLES = 2000
#: The most a suite may ask to embed: a page with more does not open in a browser.
MOST_EXAMPLES = 100_000
#: Characters kept of each input, prompt, prediction and reference.
MAX_TEXT = 4000

__all__ = [
    "MAX_EXAMPLES",
    "MAX_TEXT",
    "REPORT_FILE",
    "HtmlReporter",
    "Samples",
    "collect_samples",
    "read_samples",
    "render_html",
    "script_json",
    "write_report",
]


class HtmlOptions(Options):
    """What the ``html`` reporter takes."""

    file: RunFile = Field(REPORT_FILE, description="the page to write, a path inside the run folder")
    max_examples: int = Field(
        MAX_EXAMPLES,
        ge=0,
        le=MOST_EXAMPLES,
        description="examples embedded per model × task (the rest stay in samples.jsonl); 0: none",
    )


class HtmlReporter:
    """A self-contained HTML page: leaderboards, charts, significance, efficiency, examples, provenance.

    Options: ``file`` (default ``report.html``, a path inside the run folder),
    ``max_examples`` (examples embedded per model × task, default 2000).
    """

    options: ClassVar[type[Options]] = HtmlOptions

    def __init__(self, file: str = REPORT_FILE, max_examples: int = MAX_EXAMPLES) -> None:
        if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 0:
            raise ConfigError(f"reporter 'html': max_examples must be a whole number >= 0, not {max_examples!r}")
        self.file = file
        self.max_examples = max_examples

    def write(self, results: Mapping[str, Any], out_dir: Path) -> str | None:
        samples = read_samples(out_dir / SAMPLES_FILE, max_examples=self.max_examples)
        path = run_file(out_dir, self.file)
        write_atomic(path, render_html(results, samples))
        return str(path)


def write_report(run_dir: Path, out: Path | None = None, *, max_examples: int = MAX_EXAMPLES) -> Path:
    """Render the report of the run in ``run_dir`` (its results.json and samples.jsonl) to
    ``out`` (default ``run_dir/report.html``). A folder that is not a run, or results that
    are not JSON, raise :class:`DataError` before anything is written."""
    results_path = run_dir / RESULTS_FILE
    if not results_path.is_file():
        raise DataError(f"{run_dir} is not a run folder: it has no {RESULTS_FILE}")
    try:
        results = json.loads(results_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataError(f"{results_path} is not valid JSON: {error.msg} (line {error.lineno})") from error
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"cannot read {results_path}: {error}") from error
    _check_results(results, results_path)
    page = render_html(results, read_samples(run_dir / SAMPLES_FILE, max_examples=max_examples))
    target = out if out is not None else run_dir / REPORT_FILE
    write_atomic(target, page, make_folders=False)  # --out names a file in a folder that exists
    return target


def _check_results(results: Any, path: Path) -> None:
    if not isinstance(results, dict) or not isinstance(results.get("cells"), list):
        raise DataError(f"{path} is not nlpbench results: it has no list of cells")
    for index, cell in enumerate(results["cells"]):
        if not isinstance(cell, dict) or not all(isinstance(cell.get(k), str) for k in ("model", "task", "status")):
            raise DataError(f"{path}: cell {index} lacks a model, task or status")


# -- samples -------------------------------------------------------------------------


@dataclass
class Samples:
    """The examples a report embeds: per (model, task), the first ``max_examples`` lines."""

    max_examples: int = MAX_EXAMPLES
    cells: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    totals: dict[tuple[str, str], int] = field(default_factory=dict)
    audit_lines: int = 0
    unreadable: int = 0
    found: bool = True
    #: per (model, task), every example with token attributions (however far down the file)
    attributed: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, line: Any) -> None:
        if not isinstance(line, Mapping) or not isinstance(line.get("model"), str) or "task" not in line:
            self.unreadable += 1
            return
        if line.get("audit") is not None:
            self.audit_lines += 1
            return
        key = (line["model"], str(line["task"]))
        self.totals[key] = self.totals.get(key, 0) + 1
        shown = self.cells.setdefault(key, [])
        if len(shown) < self.max_examples:
            shown.append(_example(line))
        if isinstance(line.get("attributions"), Mapping):  # few per cell (the entry's ``examples``)
            self.attributed.setdefault(key, []).append({**_example(line), "attributions": line["attributions"]})

    @property
    def truncated(self) -> list[tuple[str, str]]:
        return [key for key, total in self.totals.items() if total > len(self.cells.get(key, []))]


def collect_samples(lines: Iterable[Any], *, max_examples: int = MAX_EXAMPLES) -> Samples:
    """Samples from parsed ``samples.jsonl`` lines (audit lines are counted, not kept)."""
    samples = Samples(max_examples)
    for line in lines:
        samples.add(line)
    return samples


def read_samples(path: Path, *, max_examples: int = MAX_EXAMPLES) -> Samples:
    """Samples from a ``samples.jsonl`` file, streamed; a line that is not JSON is counted
    and skipped; an absent file gives empty samples."""
    samples = Samples(max_examples)
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        samples.found = False
        return samples
    except OSError as error:
        raise DataError(f"cannot read {path}: {error}") from error
    with handle:
        for raw in handle:
            if not raw.strip():
                continue
            try:
                samples.add(json.loads(raw))
            except ValueError:
                samples.unreadable += 1
    return samples


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [clipped: {len(text) - limit} more characters]"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return _clip(value)
    return _clip(json.dumps(finite(value), ensure_ascii=False, sort_keys=True))


def _example(line: Mapping[str, Any]) -> dict[str, Any]:
    references = line.get("references")
    if not isinstance(references, list):
        references = [] if references is None else [references]
    scores = line.get("scores")
    if not isinstance(scores, Mapping):
        scores = {}
    return {
        "id": _text(line.get("id")),
        "input": _text(line.get("input")),
        "prompt": _text(line.get("prompt")),
        "prediction": _text(line.get("prediction")),
        "references": [_text(r) for r in references],
        "scores": {str(k): _number_or_none(v) for k, v in scores.items()},
    }


def _number_or_none(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


# -- the page ------------------------------------------------------------------------


def render_html(
    results: Mapping[str, Any],
    samples: Samples | Iterable[Mapping[str, Any]] | None = None,
    *,
    max_examples: int = MAX_EXAMPLES,
) -> str:
    """The whole report page for ``results`` (a results.json document) and ``samples``
    (a :class:`Samples`, or the run's parsed samples.jsonl lines; none: no examples).
    The page itself is laid out by the templates of :mod:`nlpbench.report.page`."""
    if samples is None:
        samples = Samples(max_examples, found=False)
    elif not isinstance(samples, Samples):
        samples = collect_samples(samples, max_examples=max_examples)
    from nlpbench.report.page.page import render_page  # Jinja2 and the templates: only when a page is made

    return render_page(results, samples)
