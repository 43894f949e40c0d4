"""The built-in HTML report: one self-contained page per run.

The page needs no server and fetches nothing: its CSS, script and SVG charts are inline.
It shows the leaderboards (intervals and tie groups), a chart per task and metric with
error bars, the pairwise significance matrices, an efficiency panel, the bias audits
(a forest plot of shifts and flip-rate bars per audit and task, and every entry in a
table, with the reason where a measure was not computed), a per-example browser with a
disagreements view, and the run's provenance.

Everything that comes from a model or a data set is escaped: the static parts with
``html.escape``; the examples travel as JSON in a ``<script type="application/json">``
block whose ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes (so neither
``</script>`` nor ``<!--`` can end the block), and the page's script shows them with
``textContent``, never as markup. So that a run of tens of thousands of examples still
opens quickly, the page embeds at most ``max_examples`` examples per model and task (the
first ones, in the task's order, so every model shows the same examples) and clips long
texts; it says so where it does. ``samples.jsonl`` keeps everything.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from .errors import ConfigError, DataError, ReporterError
from .leaderboard import Board, boards, format_score, model_label
from .options import Options

REPORT_FILE = "report.html"
RESULTS_FILE = "results.json"
SAMPLES_FILE = "samples.jsonl"
#: Examples embedded per model × task; the rest stay in samples.jsonl.
MAX_EXAMPLES = 2000
#: The most a suite may ask to embed: a page with more does not open in a browser.
MOST_EXAMPLES = 100_000
#: Characters kept of each input, prompt, prediction and reference.
MAX_TEXT = 4000
#: Significance level assumed for a comparison entry that does not say which model is better.
_ALPHA = 0.05

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

    file: str = Field(REPORT_FILE, min_length=1, description="the page to write, relative to the run folder")
    max_examples: int = Field(
        MAX_EXAMPLES,
        ge=0,
        le=MOST_EXAMPLES,
        description="examples embedded per model × task (the rest stay in samples.jsonl); 0: none",
    )


class HtmlReporter:
    """A self-contained HTML page: leaderboards, charts, significance, efficiency, examples, provenance.

    Options: ``file`` (default ``report.html``), ``max_examples`` (examples embedded per
    model × task, default 2000).
    """

    options: ClassVar[type[Options]] = HtmlOptions

    def __init__(self, file: str = REPORT_FILE, max_examples: int = MAX_EXAMPLES) -> None:
        if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 0:
            raise ConfigError(f"reporter 'html': max_examples must be a whole number >= 0, not {max_examples!r}")
        self.file = file
        self.max_examples = max_examples

    def write(self, results: Mapping[str, Any], out_dir: Path) -> str | None:
        samples = read_samples(out_dir / SAMPLES_FILE, max_examples=self.max_examples)
        path = out_dir / self.file
        _write_atomically(path, render_html(results, samples))
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
    _write_atomically(target, page)
    return target


def _check_results(results: Any, path: Path) -> None:
    if not isinstance(results, dict) or not isinstance(results.get("cells"), list):
        raise DataError(f"{path} is not nlpbench results: it has no list of cells")
    for index, cell in enumerate(results["cells"]):
        if not isinstance(cell, dict) or not all(isinstance(cell.get(k), str) for k in ("model", "task", "status")):
            raise DataError(f"{path}: cell {index} lacks a model, task or status")


def _write_atomically(path: Path, text: str) -> None:
    """The old report stays whole until the new one is complete."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ReporterError(f"cannot write {path}: {error}") from error


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
    return _clip(json.dumps(_finite(value), ensure_ascii=False, sort_keys=True))


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


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def script_json(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``
    survive (they become ``\\u003c``, ``\\u003e``, ``\\u0026``), so ``</script>`` and
    ``<!--`` in the data cannot end the block; JSON.parse reads it back unchanged."""
    text = json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


# -- the page ------------------------------------------------------------------------

e = html.escape

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:1.5rem auto;max-width:80rem;padding:0 1rem;color:#222}
nav a{margin-right:1rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd}h3{margin-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{padding:.25rem .7rem;border-bottom:1px solid #ddd;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.num,.num{font-variant-numeric:tabular-nums;
white-space:nowrap}.failed{color:#b00}.not_applicable{color:#777}code{background:#f4f4f4;padding:0 .2rem}
.tie{display:inline-block;margin-left:.3rem;padding:0 .35rem;border-radius:.6rem;background:#e4ecf7;
font-size:80%;color:#234}.note{color:#555;font-size:90%}figure{margin:0 0 1rem}figcaption{font-weight:600}
svg.chart text{font:12px system-ui,sans-serif;fill:#333}
table.matrix td{text-align:center;min-width:5rem}table.matrix td.win{background:#cfeccf}
table.matrix td.loss{background:#f5cccc}table.matrix td.tie{background:#eee}table.matrix td.self{background:#fff}
table.matrix td.none{background:#fff;color:#aaa}.legend.win{background:#cfeccf}.legend.loss{background:#f5cccc}table.examples td{max-width:28rem}
.text{white-space:pre-wrap;word-break:break-word}pre{white-space:pre-wrap;word-break:break-word;
background:#f7f7f7;padding:.4rem;margin:.2rem 0}label{margin-right:1rem}details summary{cursor:pointer;color:#345}
.figures{display:flex;flex-wrap:wrap;column-gap:2rem}.controls{margin:.5rem 0;padding:.5rem;background:#f7f7f7}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var PAGE = 50;
  var data = JSON.parse(document.getElementById("browser-data").textContent);
  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function fmt(v) {
    if (v === null || v === undefined) { return "—"; }
    return Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(2);
  }
  function fill(select, values, first) {
    var keep = select.value;
    while (select.firstChild) { select.removeChild(select.firstChild); }
    if (first) { var all = el("option", first[1]); all.value = first[0]; select.appendChild(all); }
    values.forEach(function (v) { var o = el("option", v); o.value = v; select.appendChild(o); });
    if (keep && (values.indexOf(keep) >= 0 || (first && keep === first[0]))) { select.value = keep; }
  }
  var byTask = {};
  data.tasks.forEach(function (t) { byTask[t.task] = t; });
  function cellsOf(task) { return byTask[task] ? byTask[task].cells : []; }
  function cellOf(task, model) {
    var found = null;
    cellsOf(task).forEach(function (c) { if (c.model === model) { found = c; } });
    return found;
  }
  function textCell(row, value, withPrompt) {
    var td = el("td");
    td.appendChild(el("div", value === null ? "—" : value, "text"));
    if (withPrompt !== undefined && withPrompt !== null) {
      var details = el("details");
      details.appendChild(el("summary", "prompt"));
      details.appendChild(el("pre", withPrompt));
      td.appendChild(details);
    }
    row.appendChild(td);
  }
  function refsCell(row, refs) {
    var td = el("td");
    refs.forEach(function (r) { td.appendChild(el("div", r === null ? "—" : r, "text")); });
    row.appendChild(td);
  }
  function scoresCell(row, scores) {
    var td = el("td", null, "num");
    Object.keys(scores).forEach(function (k) { td.appendChild(el("div", k + ": " + fmt(scores[k]))); });
    row.appendChild(td);
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  var taskSel = $("browser-task"), modelSel = $("browser-model"), findBox = $("browser-find");
  var body = $("browser-rows"), more = $("browser-more"), note = $("browser-note");
  var aSel = $("disagree-a"), bSel = $("disagree-b"), dBody = $("disagree-rows"), dNote = $("disagree-note");
  var rows = [], shown = 0;

  function matches(ex, needle) {
    if (!needle) { return true; }
    return [ex.id, ex.input, ex.prediction].concat(ex.references).some(function (s) {
      return s !== null && String(s).toLowerCase().indexOf(needle) >= 0;
    });
  }
  function truncationNote(cells) {
    var cut = cells.filter(function (c) { return c.total > c.examples.length; });
    if (!cut.length) { return ""; }
    return " Truncated: this report embeds at most " + data.max_examples + " examples per model and task (" +
      cut.map(function (c) { return c.model + ": " + c.examples.length + " of " + c.total; }).join(", ") +
      "); samples.jsonl has them all.";
  }
  function renderBrowser() {
    var task = taskSel.value, model = modelSel.value, needle = findBox.value.trim().toLowerCase();
    var cells = cellsOf(task).filter(function (c) { return model === "*" || c.model === model; });
    rows = [];
    cells.forEach(function (c) {
      c.examples.forEach(function (ex) { if (matches(ex, needle)) { rows.push([c.model, ex]); } });
    });
    var total = 0;
    cells.forEach(function (c) { total += c.examples.length; });
    note.textContent = rows.length + " of " + total + " embedded examples match." + truncationNote(cells);
    clear(body);
    shown = 0;
    showMore();
  }
  function showMore() {
    var end = Math.min(rows.length, shown + PAGE);
    for (; shown < end; shown++) {
      var model = rows[shown][0], ex = rows[shown][1], tr = el("tr");
      tr.appendChild(el("td", ex.id));
      tr.appendChild(el("td", model));
      textCell(tr, ex.input, ex.prompt);
      textCell(tr, ex.prediction);
      refsCell(tr, ex.references);
      scoresCell(tr, ex.scores);
      body.appendChild(tr);
    }
    more.hidden = shown >= rows.length;
    more.textContent = "show " + Math.min(PAGE, rows.length - shown) + " more (" + (rows.length - shown) + " left)";
  }
  function renderDisagreements() {
    var task = taskSel.value, a = cellOf(task, aSel.value), b = cellOf(task, bSel.value);
    clear(dBody);
    if (!a || !b || a === b) { dNote.textContent = "Pick two different models of this task."; return; }
    var other = {};
    b.examples.forEach(function (ex) { other[ex.id] = ex; });
    var shared = 0, differ = [];
    a.examples.forEach(function (ex) {
      var twin = other[ex.id];
      if (!twin) { return; }
      shared += 1;
      if (ex.prediction !== twin.prediction) { differ.push([ex, twin]); }
    });
    dNote.textContent = differ.length + " of " + shared + " shared examples get different predictions" +
      (differ.length > 500 ? " (the first 500 are shown)." : ".");
    differ.slice(0, 500).forEach(function (pair) {
      var tr = el("tr");
      tr.appendChild(el("td", pair[0].id));
      textCell(tr, pair[0].input, pair[0].prompt);
      textCell(tr, pair[0].prediction);
      textCell(tr, pair[1].prediction);
      refsCell(tr, pair[0].references);
      scoresCell(tr, pair[0].scores);
      scoresCell(tr, pair[1].scores);
      dBody.appendChild(tr);
    });
  }
  function onTask() {
    var models = cellsOf(taskSel.value).map(function (c) { return c.model; });
    fill(modelSel, models, ["*", "all models"]);
    fill(aSel, models);
    fill(bSel, models);
    if (models.length > 1 && aSel.value === bSel.value) { bSel.value = models[1]; }
    $("disagree-a-head").textContent = "prediction: " + aSel.value;
    $("disagree-b-head").textContent = "prediction: " + bSel.value;
    renderBrowser();
    renderDisagreements();
  }
  function onPair() {
    $("disagree-a-head").textContent = "prediction: " + aSel.value;
    $("disagree-b-head").textContent = "prediction: " + bSel.value;
    renderDisagreements();
  }
  fill(taskSel, data.tasks.map(function (t) { return t.task; }));
  taskSel.addEventListener("change", onTask);
  modelSel.addEventListener("change", renderBrowser);
  findBox.addEventListener("input", renderBrowser);
  more.addEventListener("click", showMore);
  aSel.addEventListener("change", onPair);
  bSel.addEventListener("change", onPair);
  onTask();
  document.body.setAttribute("data-ready", "1");
})();
"""


def render_html(
    results: Mapping[str, Any],
    samples: Samples | Iterable[Mapping[str, Any]] | None = None,
    *,
    max_examples: int = MAX_EXAMPLES,
) -> str:
    """The whole report page for ``results`` (a results.json document) and ``samples``
    (a :class:`Samples`, or the run's parsed samples.jsonl lines; none: no examples)."""
    if samples is None:
        samples = Samples(max_examples, found=False)
    elif not isinstance(samples, Samples):
        samples = collect_samples(samples, max_examples=max_examples)
    suite = results.get("suite", {}) or {}
    name = str(suite.get("name", ""))
    all_boards = boards(results)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>nlpbench: {e(name)}</title><style>{_STYLE}</style></head><body data-ready='0'>",
        f"<h1>{e(name)}</h1>",
        _summary(results),
        "<nav><a href='#leaderboards'>Leaderboards</a><a href='#charts'>Charts</a>"
        "<a href='#significance'>Significance</a><a href='#efficiency'>Efficiency</a>"
        + ("<a href='#audits'>Bias audits</a>" if _audit_entries(results) else "")
        + "<a href='#examples'>Examples</a><a href='#provenance'>Provenance</a></nav>",
        _leaderboards(results, all_boards),
        _charts(results, all_boards),
        _significance(results, all_boards),
        _efficiency(results),
        _audits(results),
        _browser(all_boards, samples),
        _provenance(results, all_boards),
        f"<script>{_SCRIPT}</script></body></html>\n",
    ]
    return "".join(parts)


def _summary(results: Mapping[str, Any]) -> str:
    suite = results.get("suite", {}) or {}
    confidence = _confidence(results)
    return (
        f"<p id='summary'>Run {e(str(results.get('started')))} → {e(str(results.get('finished')))}, "
        f"status <b>{e(str(results.get('status')))}</b>, seed {e(str(suite.get('seed')))}, "
        f"suite <code>{e(str(suite.get('hash', '')))}</code>. Intervals are {confidence:.0%} "
        "percentile bootstrap intervals over examples.</p>"
    )


def _confidence(results: Mapping[str, Any]) -> float:
    value = (results.get("bootstrap") or {}).get("confidence", 0.95)
    return float(value) if isinstance(value, int | float) else 0.95


def _ok_cells(board: Board) -> list[Mapping[str, Any]]:
    return [cell for cell in board.rows if cell["status"] == "ok"]


def _leaderboards(results: Mapping[str, Any], all_boards: Sequence[Board]) -> str:
    parts = ["<section id='leaderboards'><h2>Leaderboards</h2>"]
    if not all_boards:
        parts.append("<p>This run has no cells.</p>")
    has_groups = any("tie_group" in (s or {}) for c in results.get("cells", []) for s in c.get("metrics", {}).values())
    if has_groups:
        parts.append(
            "<p class='note'>The small number beside a score is the model's tie group for that metric: "
            "models in one group are not significantly different from the group's best (corrected paired tests).</p>"
        )
    open_group: str | None = None
    for index, board in enumerate(all_boards):
        if open_group is not None and board.group != open_group:
            parts.append("</details>")
            open_group = None
        if board.group is not None and open_group is None:  # a group's members, shown on demand
            open_group = board.group
            parts.append(f"<details class='members'><summary>the members of {e(board.group)}</summary>")
        parts.append(f"<div class='board' id='leaderboard-{index}'><h3>{e(board.task)}</h3>")
        if board.members:
            parts.append(
                f"<p class='note'>A group of {len(board.members)} tasks: each score is the micro mean (every "
                "member's examples pooled), and its macro mean (each member counting once) beside it.</p>"
            )
        parts.append("<table><tr><th>#</th>")
        parts.append("<th>model</th>")
        parts += [f"<th>{e(m)} {'↑' if board.directions[m] else '↓'}</th>" for m in board.metrics]
        parts.append("<th>n</th><th>strategy</th><th>seconds</th><th>status</th></tr>")
        rank = 0
        for cell in board.rows:
            rank += cell["status"] == "ok"
            detail = cell.get("error") or cell.get("reason") or ""
            parts.append(
                f"<tr class='{e(cell['status'])}'><td>{rank if cell['status'] == 'ok' else '-'}</td>"
                f"<td>{e(model_label(cell))}</td>"
                + "".join(_score_cell((cell.get("metrics") or {}).get(m)) for m in board.metrics)
                + f"<td class='num'>{e(str(cell.get('n', 0)))}</td><td>{e(str(cell.get('strategy') or ''))}</td>"
                f"<td class='num'>{e(_plain(cell.get('seconds')))}</td>"
                f"<td>{e(cell['status'])}{': ' + e(str(detail)) if detail else ''}</td></tr>"
            )
        parts.append("</table></div>")
    if open_group is not None:
        parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)


def _score_cell(score: Mapping[str, Any] | None) -> str:
    group = (score or {}).get("tie_group")
    badge = (
        f"<span class='tie' title='tie group {e(str(group))}'>{e(str(group))}</span>"
        if isinstance(group, int) and not isinstance(group, bool)
        else ""
    )
    return f"<td class='num'>{e(format_score(score))}{badge}</td>"


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


# -- charts --------------------------------------------------------------------------


def _charts(results: Mapping[str, Any], all_boards: Sequence[Board]) -> str:
    confidence = _confidence(results)
    parts = [
        "<section id='charts'><h2>Charts</h2>",
        f"<p class='note'>Each model's score (dot and bar) with its {confidence:.0%} interval (whiskers).</p>",
    ]
    drawn = 0
    for ti, board in enumerate(all_boards):
        figures = [
            _chart(f"chart-{ti}-{mi}", board, metric)
            for mi, metric in enumerate(board.metrics)
            if any(_value(c, metric) is not None for c in _ok_cells(board))
        ]
        if figures:
            parts.append(f"<h3>{e(board.task)}</h3><div class='figures'>")
            parts += figures
            parts.append("</div>")
            drawn += len(figures)
    if not drawn:
        parts.append("<p>No scores to chart.</p>")
    parts.append("</section>")
    return "".join(parts)


def _value(cell: Mapping[str, Any], metric: str, key: str = "value") -> float | None:
    score = (cell.get("metrics") or {}).get(metric) or {}
    return _number_or_none(score.get(key))


def _chart(chart_id: str, board: Board, metric: str) -> str:
    rows = [
        (model_label(c), _value(c, metric), _value(c, metric, "ci_low"), _value(c, metric, "ci_high"))
        for c in _ok_cells(board)
    ]
    rows = [row for row in rows if row[1] is not None]
    points = [v for row in rows for v in row[1:] if v is not None]
    # a bounded scale (accuracy's 0–1) keeps the bars comparable; an open one (perplexity's) is left out
    scale = [
        bound
        for cell in _ok_cells(board)
        for bound in (((cell.get("metrics") or {}).get(metric) or {}).get("scale") or ())
        if _number_or_none(bound) is not None
    ]
    low, high = min([*points, *scale, 0.0]), max([*points, *scale, 0.0])  # bars start at zero
    if high - low <= 0:
        high = low + 1.0
    left, width, row_h, top = 170, 320, 22, 8
    height = top + row_h * len(rows) + 28

    def x(v: float) -> float:
        return left + (v - low) / (high - low) * width

    svg = [
        f"<figure><figcaption>{e(metric)} {'↑' if board.directions[metric] else '↓'}</figcaption>"
        f"<svg class='chart' id='{chart_id}' xmlns='http://www.w3.org/2000/svg' width='{left + width + 90}' "
        f"height='{height}' role='img' aria-label='{e(board.task)} {e(metric)}'>",
    ]
    for i, (label, value, ci_low, ci_high) in enumerate(rows):
        assert value is not None
        mid = top + i * row_h + row_h / 2
        short = label if len(label) <= 26 else label[:25] + "…"
        interval = f" [{ci_low:.4g}, {ci_high:.4g}]" if ci_low is not None and ci_high is not None else ""
        svg.append(f"<g><title>{e(label)}: {value:.4g}{e(interval)}</title>")
        svg.append(f"<text x='{left - 8}' y='{mid + 4:.1f}' text-anchor='end'>{e(short)}</text>")
        start, end = sorted((x(0.0), x(value)))
        svg.append(
            f"<rect x='{start:.1f}' y='{mid - 6:.1f}' width='{max(end - start, 0.5):.1f}' height='12' fill='#9ec5e8'/>"
        )
        if ci_low is not None and ci_high is not None:
            a, b = x(ci_low), x(ci_high)
            svg.append(
                f"<path d='M{a:.1f},{mid:.1f}H{b:.1f}M{a:.1f},{mid - 5:.1f}V{mid + 5:.1f}M{b:.1f},{mid - 5:.1f}"
                f"V{mid + 5:.1f}' stroke='#234' stroke-width='1.5' fill='none'/>"
            )
        svg.append(f"<circle cx='{x(value):.1f}' cy='{mid:.1f}' r='3.5' fill='#123'/>")
        svg.append(f"<text x='{left + width + 6}' y='{mid + 4:.1f}'>{value:.4g}</text></g>")
    axis = top + row_h * len(rows) + 4
    svg.append(f"<path d='M{left},{axis}H{left + width}' stroke='#888'/>")
    for tick in sorted({low, 0.0, high} if low <= 0.0 <= high else {low, high}):
        svg.append(
            f"<path d='M{x(tick):.1f},{axis}v4' stroke='#888'/>"
            f"<text x='{x(tick):.1f}' y='{axis + 16}' text-anchor='middle'>{tick:.4g}</text>"
        )
    svg.append("</svg></figure>")
    return "".join(svg)


# -- significance --------------------------------------------------------------------


def _significance(results: Mapping[str, Any], all_boards: Sequence[Board]) -> str:
    entries = [c for c in results.get("comparisons") or [] if isinstance(c, Mapping)]
    parts = ["<section id='significance'><h2>Pairwise significance</h2>"]
    if not entries:
        parts.append("<p id='no-comparisons'>No comparisons were made in this run.</p></section>")
        return "".join(parts)
    corrections = sorted({str(c.get("correction")) for c in entries if c.get("correction")})
    tests = sorted({str(c.get("test")) for c in entries if c.get("test")})
    parts.append(
        "<p class='note'>Each cell compares the row's model with the column's, on the examples both answered: "
        "Δ = row − column on the metric's own scale, then the corrected p-value. "
        "<span class='legend win'>green</span>: the row's model is significantly better after correction; "
        "<span class='legend loss'>red</span>: the column's; grey: no significant difference. "
        f"Tests: {e(', '.join(tests) or 'not named')}; correction: {e(', '.join(corrections) or 'not named')}.</p>"
    )
    order = {board.task: [c["model"] for c in board.rows] for board in all_boards}
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for entry in entries:
        groups.setdefault((str(entry.get("task")), str(entry.get("metric"))), []).append(entry)
    for index, ((task, metric), group) in enumerate(groups.items()):
        present = {str(x) for entry in group for x in (entry.get("a"), entry.get("b"))}
        models = [m for m in order.get(task, []) if m in present]
        models += sorted(present - set(models))
        pairs = {(str(entry.get("a")), str(entry.get("b"))): entry for entry in group}
        parts.append(
            f"<h3>{e(task)} — {e(metric)}</h3><table class='matrix' id='matrix-{index}'><tr><th>row vs column</th>"
        )
        parts += [f"<th>{e(m)}</th>" for m in models]
        parts.append("</tr>")
        for row in models:
            parts.append(f"<tr><th>{e(row)}</th>")
            for column in models:
                parts.append(_matrix_cell(row, column, pairs))
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("</section>")
    return "".join(parts)


def _matrix_cell(row: str, column: str, pairs: Mapping[tuple[str, str], Mapping[str, Any]]) -> str:
    if row == column:
        return "<td class='self'>·</td>"
    entry, flipped = pairs.get((row, column)), False
    if entry is None:
        entry, flipped = pairs.get((column, row)), True
    if entry is None:
        return "<td class='none'>not compared</td>"
    delta = _number_or_none(entry.get("delta"))
    ci_low, ci_high = _number_or_none(entry.get("ci_low")), _number_or_none(entry.get("ci_high"))
    if flipped:
        delta = -delta if delta is not None else None
        ci_low, ci_high = (-ci_high if ci_high is not None else None), (-ci_low if ci_low is not None else None)
    better = _better(entry)
    winner = {"a": column if flipped else row, "b": row if flipped else column}.get(better or "")
    kind = "win" if winner == row else "loss" if winner == column else "tie"
    p_adjusted, p_value = _number_or_none(entry.get("p_adjusted")), _number_or_none(entry.get("p_value"))
    interval = f" [{_signed(ci_low)}, {_signed(ci_high)}]" if ci_low is not None and ci_high is not None else ""
    title = (
        f"{row} − {column}: Δ {_signed(delta)}{interval}; p {_p(p_value)}, adjusted {_p(p_adjusted)} "
        f"({entry.get('correction') or 'no correction named'}); test {entry.get('test') or '?'}; n {entry.get('n', '?')}"
        + (f" ({entry.get('n_dropped')} dropped)" if entry.get("n_dropped") else "")
        + (f"; better: {winner}" if winner else "; no significant difference")
    )
    return (
        f"<td class='{kind}' title='{e(title)}'><span class='num'>{e(_signed(delta))}</span>"
        f"<br><small>p={e(_p(p_adjusted))}</small></td>"
    )


def _better(entry: Mapping[str, Any]) -> str | None:
    if "better" in entry:
        better = entry.get("better")
        return better if better in ("a", "b") else None
    p, delta = _number_or_none(entry.get("p_adjusted")), _number_or_none(entry.get("delta"))
    if p is None or delta is None or p >= _ALPHA or delta == 0:
        return None
    return "a" if (delta > 0) == bool(entry.get("higher_is_better", True)) else "b"


def _signed(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.3f}" if abs(value) < 10 else f"{value:+.2f}"


def _p(value: float | None) -> str:
    if value is None:
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


# -- efficiency and audits -------------------------------------------------------------

_PARAMETER_KEYS = ("parameters", "parameter_count", "num_parameters", "n_parameters")


def _parameters(cell: Mapping[str, Any]) -> str:
    info = cell.get("model_info") or {}
    for key in _PARAMETER_KEYS:
        value = info.get(key) if isinstance(info, Mapping) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
                if value >= size:
                    return f"{value / size:.1f} {unit}"
            return str(int(value))
    return "—"


def _speed(cell: Mapping[str, Any], field: str) -> str:
    """A cell's speed as HTML: the figure, "from the store" when the model answered none of
    its examples in this run, and how many were from the store when some were."""
    cached, n = cell.get("cached"), cell.get("n")
    if cell.get("status") != "ok" or not isinstance(cached, int) or isinstance(cached, bool) or cached <= 0:
        return e(_plain(cell.get(field)))
    if isinstance(n, int) and cached >= n:
        return "<span class='cached'>from the store</span>"
    return f"{e(_plain(cell.get(field)))} <span class='cached'>({cached} of {e(str(n))} from the store)</span>"


def _efficiency(results: Mapping[str, Any]) -> str:
    cells = [c for c in results.get("cells", []) if c.get("status") != "not_applicable"]
    tokens = any(c.get("tokens_per_second") is not None for c in cells)
    gpu = any(c.get("peak_gpu_memory_mb") is not None for c in cells)
    parts = [
        "<section id='efficiency'><h2>Efficiency</h2>",
        "<p class='note'>Wall-clock time of each cell on this machine (loading the model is not counted), "
        "peak memory as the runner measured it, and the model's parameter count when the model reports one. "
        "Speeds count only the examples the model answered in this run: a cell served from the store says "
        "<i>from the store</i>, and a partly served one how many of its examples were.</p>",
        "<table class='efficiency' id='efficiency-table'><tr><th>model</th><th>task</th><th>status</th><th>n</th>"
        "<th>seconds</th><th>examples/s</th>"
        + ("<th>tokens/s</th>" if tokens else "")
        + "<th>peak memory (MB)</th>"
        + ("<th>peak GPU memory (MB)</th>" if gpu else "")
        + "<th>parameters</th></tr>",
    ]
    for cell in cells:
        parts.append(
            f"<tr class='{e(str(cell.get('status')))}'><td>{e(model_label(cell))}</td><td>{e(str(cell['task']))}</td>"
            f"<td>{e(str(cell.get('status')))}</td><td class='num'>{e(str(cell.get('n', 0)))}</td>"
            f"<td class='num'>{e(_plain(cell.get('seconds')))}</td>"
            f"<td class='num'>{_speed(cell, 'examples_per_second')}</td>"
            + (f"<td class='num'>{_speed(cell, 'tokens_per_second')}</td>" if tokens else "")
            + f"<td class='num'>{e(_plain(cell.get('peak_memory_mb')))}</td>"
            + (f"<td class='num'>{e(_plain(cell.get('peak_gpu_memory_mb')))}</td>" if gpu else "")
            + f"<td class='num'>{e(_parameters(cell))}</td></tr>"
        )
    parts.append("</table></section>")
    return "".join(parts)


def _audits(results: Mapping[str, Any]) -> str:
    """Per audit and task: a forest plot of the mean shifts, flip-rate bars, then every entry in a table."""
    entries = _audit_entries(results)
    if not entries:
        return ""
    confidence = _confidence(results)
    parts = [
        "<section id='audits'><h2>Bias audits</h2>",
        "<p class='note'>Per audit and task. <b>Shifts</b>: each model's change under each group's "
        "perturbation (for <code>metric:</code> measures, the metric on the perturbed minus the original "
        f"predictions of the examples the swap changed), dot at the estimate, whiskers its {confidence:.0%} "
        "interval, a dashed line at zero: an interval that excludes zero is a shift this run can tell from noise. "
        "<b>Flip rates</b>: the share of perturbed examples whose prediction changed, k of m, with the exact "
        "(Clopper–Pearson) interval. A measure that could not be computed is listed with its reason, "
        "never drawn as zero.</p>",
    ]
    panels: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for entry in entries:
        panels.setdefault((str(entry.get("audit")), str(entry.get("task"))), []).append(entry)
    for index, ((audit, task), group) in enumerate(panels.items()):
        figures = [_audit_forest(f"audit-forest-{index}", group), _audit_flips(f"audit-flips-{index}", group)]
        figures = [f for f in figures if f]
        if figures:
            parts.append(f"<h3>{e(audit)} — {e(task)}</h3><div class='figures'>{''.join(figures)}</div>")
    parts.append(_audit_table(entries))
    parts.append("</section>")
    return "".join(parts)


def _audit_entries(results: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    audits = results.get("audits")
    return [a for a in audits if isinstance(a, Mapping)] if isinstance(audits, list) else []


def _audit_label(entry: Mapping[str, Any]) -> str:
    return f"{entry.get('model')} · {entry.get('group')}"


def _is_proportion(entry: Mapping[str, Any]) -> bool:
    return entry.get("interval") == "exact-binomial"


def _is_shift(entry: Mapping[str, Any]) -> bool:
    """A mean that belongs on the forest plot: a metric's shift, or an audit's own averaged measure."""
    measure = str(entry.get("measure"))
    if entry.get("group") is None or _is_proportion(entry) or measure.startswith("worst-case:"):
        return False
    return measure.startswith("metric:") or entry.get("interval") in ("bootstrap", "stratified-bootstrap")


def _by_measure(entries: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    found: dict[str, list[Mapping[str, Any]]] = {}
    for entry in entries:
        found.setdefault(str(entry.get("measure")), []).append(entry)
    return found


def _interval_of(entry: Mapping[str, Any]) -> tuple[float | None, float | None]:
    low, high = _number_or_none(entry.get("ci_low")), _number_or_none(entry.get("ci_high"))
    return (low, high) if low is not None and high is not None else (None, None)


def _audit_forest(figure_id: str, entries: Sequence[Mapping[str, Any]]) -> str:
    """One small forest plot per measure, each on its own axis (an accuracy shift and a
    probability change are not on one scale), rows labelled model · group."""
    measures = _by_measure(entry for entry in entries if _is_shift(entry))
    if not measures:
        return ""
    svgs = [_forest_svg(f"{figure_id}-{mi}", measure, rows) for mi, (measure, rows) in enumerate(measures.items())]
    # a perturbing audit's values are shifts; a group breakdown's are levels per group, with their gaps
    breakdown = any(measure.startswith(("gap:", "difference:")) for measure in measures)
    caption = "Per group, gaps and differences" if breakdown else "Shifts"
    return f"<figure id='{figure_id}' class='audit-forest'><figcaption>{caption}</figcaption>{''.join(svgs)}</figure>"


def _whisker(a: float, b: float, mid: float) -> str:
    return (
        f"<path d='M{a:.1f},{mid:.1f}H{b:.1f}M{a:.1f},{mid - 5:.1f}V{mid + 5:.1f}M{b:.1f},{mid - 5:.1f}"
        f"V{mid + 5:.1f}' stroke='#234' stroke-width='1.5' fill='none'/>"
    )


def _forest_svg(svg_id: str, measure: str, rows: Sequence[Mapping[str, Any]]) -> str:
    points = [0.0]
    for row in rows:
        points += [v for v in (_number_or_none(row.get("value")), *_interval_of(row)) if v is not None]
    low, high = min(points), max(points)
    if high - low <= 0:
        low, high = low - 1.0, high + 1.0
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    left, width, row_h, top = 190, 280, 22, 8
    height = top + row_h * len(rows) + 28

    def x(v: float) -> float:
        return left + (v - low) / (high - low) * width

    svg = [
        f"<div class='note'>{e(measure)}</div><svg class='chart' id='{svg_id}' xmlns='http://www.w3.org/2000/svg' "
        f"width='{left + width + 200}' height='{height}' role='img' aria-label='{e(measure)}'>",
        f"<path d='M{x(0.0):.1f},{top}V{top + row_h * len(rows)}' stroke='#b55' stroke-dasharray='3,3'/>",
    ]
    for i, row in enumerate(rows):
        mid = top + i * row_h + row_h / 2
        label = _audit_label(row)
        short = label if len(label) <= 30 else label[:29] + "…"
        value = _number_or_none(row.get("value"))
        ci_low, ci_high = _interval_of(row)
        if value is None:
            why = str(row.get("reason") or "not computed")
            svg.append(f"<g class='not-computed'><title>{e(label)}: {e(why)}</title>")
            svg.append(f"<text x='{left - 8}' y='{mid + 4:.1f}' text-anchor='end'>{e(short)}</text>")
            svg.append(f"<text x='{left + 4}' y='{mid + 4:.1f}' fill='#777'>not computed</text></g>")
            continue
        interval = f" [{ci_low:+.4g}, {ci_high:+.4g}]" if ci_low is not None and ci_high is not None else ""
        extra = f", n {row.get('n')}" + (f", p {_p(_number_or_none(row.get('p_value')))}" if "p_value" in row else "")
        svg.append(f"<g><title>{e(label)}: {value:+.4g}{e(interval)}{e(extra)}</title>")
        svg.append(f"<text x='{left - 8}' y='{mid + 4:.1f}' text-anchor='end'>{e(short)}</text>")
        if ci_low is not None and ci_high is not None:
            svg.append(_whisker(x(ci_low), x(ci_high), mid))
        svg.append(f"<circle cx='{x(value):.1f}' cy='{mid:.1f}' r='3.5' fill='#123'/>")
        note = interval.strip() or "no interval"
        svg.append(f"<text x='{left + width + 6}' y='{mid + 4:.1f}'>{value:+.3g} {e(note)}</text></g>")
    axis = top + row_h * len(rows) + 4
    svg.append(f"<path d='M{left},{axis}H{left + width}' stroke='#888'/>")
    ticks = [0.0]  # zero first: it is the line to read against; an end too close to it is left unlabelled
    ticks += [t for t in (low, high) if all(abs(x(t) - x(kept)) >= 36 for kept in ticks)]
    for tick in sorted(ticks):
        svg.append(
            f"<path d='M{x(tick):.1f},{axis}v4' stroke='#888'/>"
            f"<text x='{x(tick):.1f}' y='{axis + 16}' text-anchor='middle'>{tick:.3g}</text>"
        )
    svg.append("</svg>")
    return "".join(svg)


def _audit_flips(figure_id: str, entries: Sequence[Mapping[str, Any]]) -> str:
    """Bars from 0 to each (model, group)'s rate on a 0–1 axis, the exact interval as whisker, k/m beside."""
    measures = _by_measure(entry for entry in entries if _is_proportion(entry))
    if not measures:
        return ""
    svgs = [_flips_svg(f"{figure_id}-{mi}", measure, rows) for mi, (measure, rows) in enumerate(measures.items())]
    caption = "Flip rates" if set(measures) == {"flip"} else "Proportions"
    return f"<figure id='{figure_id}' class='audit-flips'><figcaption>{caption}</figcaption>{''.join(svgs)}</figure>"


def _flips_svg(svg_id: str, measure: str, rows: Sequence[Mapping[str, Any]]) -> str:
    left, width, row_h, top = 190, 240, 22, 8
    height = top + row_h * len(rows) + 28

    def x(v: float) -> float:
        return left + min(max(v, 0.0), 1.0) * width

    svg = [
        f"<div class='note'>{e(measure)}</div><svg class='chart' id='{svg_id}' xmlns='http://www.w3.org/2000/svg' "
        f"width='{left + width + 230}' height='{height}' role='img' aria-label='{e(measure)}'>",
    ]
    # a proportion tested against a null (a likelihood preference against 0.5) shows that null as a dashed line
    nulls = sorted({v for row in rows if (v := _number_or_none(row.get("null"))) is not None and 0.0 <= v <= 1.0})
    svg += [
        f"<path d='M{x(v):.1f},{top}V{top + row_h * len(rows)}' stroke='#b55' stroke-dasharray='3,3'/>" for v in nulls
    ]
    for i, row in enumerate(rows):
        mid = top + i * row_h + row_h / 2
        label = _audit_label(row)
        short = label if len(label) <= 30 else label[:29] + "…"
        value = _number_or_none(row.get("value"))
        if value is None:
            why = str(row.get("reason") or "not computed")
            svg.append(f"<g class='not-computed'><title>{e(label)}: {e(why)}</title>")
            svg.append(f"<text x='{left - 8}' y='{mid + 4:.1f}' text-anchor='end'>{e(short)}</text>")
            svg.append(f"<text x='{left + 4}' y='{mid + 4:.1f}' fill='#777'>not computed</text></g>")
            continue
        ci_low, ci_high = _interval_of(row)
        counts = f"{row.get('k')}/{row.get('m')}" if "k" in row and "m" in row else f"n {row.get('n')}"
        interval = f" [{ci_low:.3f}, {ci_high:.3f}]" if ci_low is not None and ci_high is not None else ""
        test = f"; p {_p(_number_or_none(row.get('p_value')))} against {row.get('null')}" if "null" in row else ""
        svg.append(f"<g><title>{e(label)}: {value:.3f}{e(interval)} ({e(counts)}){e(test)}</title>")
        svg.append(f"<text x='{left - 8}' y='{mid + 4:.1f}' text-anchor='end'>{e(short)}</text>")
        svg.append(
            f"<rect x='{left}' y='{mid - 6:.1f}' width='{max(x(value) - left, 0.5):.1f}' height='12' fill='#f0b27a'/>"
        )
        if ci_low is not None and ci_high is not None:
            svg.append(_whisker(x(ci_low), x(ci_high), mid))
        svg.append(f"<text x='{left + width + 6}' y='{mid + 4:.1f}'>{e(counts)} = {value:.2f}{e(interval)}</text></g>")
    axis = top + row_h * len(rows) + 4
    svg.append(f"<path d='M{left},{axis}H{left + width}' stroke='#888'/>")
    for tick in (0.0, 0.5, 1.0):
        svg.append(
            f"<path d='M{x(tick):.1f},{axis}v4' stroke='#888'/>"
            f"<text x='{x(tick):.1f}' y='{axis + 16}' text-anchor='middle'>{tick:g}</text>"
        )
    svg.append("</svg>")
    return "".join(svg)


def _audit_table(entries: Sequence[Mapping[str, Any]]) -> str:
    parts = [
        "<details open><summary>All audit entries</summary><table class='audits' id='audit-table'><tr>"
        "<th>audit</th><th>model</th><th>task</th><th>group</th><th>measure</th><th>value [interval]</th>"
        "<th>original → perturbed</th><th>test, p</th><th>n</th><th>affected</th><th>examples</th></tr>"
    ]
    for a in entries:
        reason = a.get("reason")
        if a.get("value") is None:
            why = str(reason or "not computed")
            kind = "failed" if why.startswith("failed") else "not_applicable"
            score = f"<td class='{kind}'>{e(why)}</td>"
        else:
            counts = f" ({a.get('k')}/{a.get('m')})" if _is_proportion(a) and "k" in a and "m" in a else ""
            score = f"<td class='num'>{e(format_score(a))}{e(counts)}</td>"
        original = _number_or_none(a.get("original_value"))
        perturbed = _number_or_none(a.get("perturbed_value"))
        if str(a.get("measure")).startswith("worst-case:"):
            beside = f"original {_plain(original)}" if original is not None else ""
        elif original is not None or perturbed is not None:
            beside = f"{_plain(original)} → {_plain(perturbed)}"
        else:
            beside = ""
        test = f"{a.get('test')}, p {_p(_number_or_none(a.get('p_value')))}" if a.get("test") else ""
        parts.append(
            f"<tr class='{'not-computed' if a.get('value') is None else 'ok'}'>"
            + "".join(
                f"<td>{e(str(a.get(k) if a.get(k) is not None else '—'))}</td>"
                for k in ("audit", "model", "task", "group", "measure")
            )
            + score
            + f"<td class='num'>{e(beside)}</td><td>{e(test)}</td>"
            + "".join(f"<td class='num'>{e(str(a.get(k, '')))}</td>" for k in ("n", "n_affected", "n_examples"))
            + "</tr>"
        )
    parts.append("</table></details>")
    return "".join(parts)


# -- the example browser -----------------------------------------------------------------


def _browser(all_boards: Sequence[Board], samples: Samples) -> str:
    tasks = []
    for board in all_boards:
        cells = [
            {"model": c["model"], "total": samples.totals.get((c["model"], board.task), 0), "examples": examples}
            for c in board.rows
            if (examples := samples.cells.get((c["model"], board.task))) is not None
        ]
        if cells:
            tasks.append({"task": board.task, "cells": cells})
    data = {"max_examples": samples.max_examples, "tasks": tasks}
    notes = []
    if not samples.found:
        notes.append("This run has no samples.jsonl, so there are no examples to show.")
    truncated = samples.truncated
    if truncated:
        notes.append(
            f"Truncated: this report embeds at most {samples.max_examples} examples per model and task; "
            f"{len(truncated)} of {len(samples.totals)} model × task cells have more "
            "(samples.jsonl has them all; `nlpbench report RUN` regenerates this page)."
        )
    if samples.audit_lines:
        notes.append(f"{samples.audit_lines} audit lines of samples.jsonl are not shown here.")
    if samples.unreadable:
        notes.append(f"{samples.unreadable} lines of samples.jsonl could not be read and were skipped.")
    return (
        "<section id='examples'><h2>Examples</h2>"
        + "".join(f"<p class='note'>{e(n)}</p>" for n in notes)
        + "<noscript><p>The example browser needs JavaScript.</p></noscript>"
        "<div class='controls'><label>task <select id='browser-task'></select></label>"
        "<label>model <select id='browser-model'></select></label>"
        "<label>find <input id='browser-find' type='search' placeholder='id, input, prediction…'></label></div>"
        "<p id='browser-note' class='note'></p>"
        "<table class='examples' id='browser-table'><thead><tr><th>id</th><th>model</th><th>input</th>"
        "<th>prediction</th><th>references</th><th>scores</th></tr></thead><tbody id='browser-rows'></tbody></table>"
        "<button id='browser-more' type='button' hidden>show more</button>"
        "<h3 id='disagreements'>Disagreements</h3>"
        "<div class='controls'><label>model A <select id='disagree-a'></select></label>"
        "<label>model B <select id='disagree-b'></select></label> (on the task picked above)</div>"
        "<p id='disagree-note' class='note'></p>"
        "<table class='examples' id='disagree-table'><thead><tr><th>id</th><th>input</th>"
        "<th id='disagree-a-head'>prediction A</th><th id='disagree-b-head'>prediction B</th><th>references</th>"
        "<th>scores A</th><th>scores B</th></tr></thead><tbody id='disagree-rows'></tbody></table>"
        f"<script type='application/json' id='browser-data'>{script_json(data)}</script></section>"
    )


# -- provenance ------------------------------------------------------------------------


def _pretty(value: Any) -> str:
    return e(json.dumps(_finite(value), ensure_ascii=False, indent=2, sort_keys=True, default=str))


def _distinct(items: Iterable[tuple[str, Any]]) -> list[tuple[list[str], Any]]:
    """Group equal values, keeping who had each: [(names, value)]."""
    found: list[tuple[list[str], Any]] = []
    for who, value in items:
        for names, seen in found:
            if seen == value:
                names.append(who)
                break
        else:
            found.append(([who], value))
    return found


def _provenance(results: Mapping[str, Any], all_boards: Sequence[Board]) -> str:
    suite = results.get("suite", {}) or {}
    versions = results.get("nlpbench", {}) or {}
    bootstrap = results.get("bootstrap", {}) or {}
    facts = [
        ("nlpbench", versions.get("version")),
        ("suite", suite.get("name")),
        ("suite file", suite.get("path")),
        ("suite hash", suite.get("hash")),
        ("seed", suite.get("seed")),
        ("status", results.get("status")),
        ("started", results.get("started")),
        ("finished", results.get("finished")),
        ("bootstrap", ", ".join(f"{k} {v}" for k, v in bootstrap.items()) or None),
    ]
    parts = ["<section id='provenance'><h2>Provenance</h2><table class='facts'>"]
    parts += [f"<tr><th>{e(k)}</th><td><code>{e(str(v))}</code></td></tr>" for k, v in facts if v is not None]
    parts.append("</table><h3>Plugins</h3><table class='plugins'><tr><th>distribution</th><th>version</th></tr>")
    parts += [
        f"<tr><td><code>{e(str(n))}</code></td><td>{e(str(v))}</td></tr>"
        for n, v in (versions.get("plugins") or {}).items()
    ]
    parts.append("</table><h3>Tasks and metrics</h3>")
    for board in all_boards:
        parts.append(f"<h4>{e(board.task)}</h4>")
        for names, info in _distinct((c["model"], c.get("task_info")) for c in board.rows):
            if info:
                parts.append(
                    f"<details><summary>task info ({e(', '.join(names))})</summary><pre>{_pretty(info)}</pre></details>"
                )
        for metric in board.metrics:
            infos = _distinct(
                (c["model"], ((c.get("metrics") or {}).get(metric) or {}).get("info"))
                for c in board.rows
                if metric in (c.get("metrics") or {})
            )
            for names, info in infos:
                if info:
                    parts.append(
                        f"<details><summary>{e(metric)} ({e(', '.join(names))})</summary><pre>{_pretty(info)}</pre></details>"
                    )
    parts.append("<h3>Models</h3>")
    models = _distinct((f"{c['model']} ({c['task']})", c.get("model_info")) for c in results.get("cells", []))
    for names, info in models:
        if info:
            parts.append(f"<details><summary>{e(', '.join(names))}</summary><pre>{_pretty(info)}</pre></details>")
    parts.append("</section>")
    return "".join(parts)
