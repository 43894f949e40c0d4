"""The built-in text reporters: ``json`` (the default output), ``markdown`` and ``csv``.

Each writes into the run folder (its ``file``, a path inside the run folder: see
:mod:`nlpbench.results.run_files`) atomically, through a temporary file beside the target, so a
reader never sees half a file and a failed write leaves the previous file as it was.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from nlpbench.contracts.options import Options
from nlpbench.report.leaderboard import boards, format_score, model_label
from nlpbench.results.documents import COMPARISON_KEYS, RESULTS_FILE, jsonable
from nlpbench.results.run_files import RunFile, run_file, write_atomic

MARKDOWN_FILE = "report.md"
CSV_FILE = "results.csv"
COMPARISONS_CSV_FILE = "comparisons.csv"

#: The columns of ``results.csv``: one row per cell and metric (a cell without metrics
#: gets one row with the metric columns empty, so failures are not lost). ``cached`` is
#: how many of the cell's ``n`` predictions came from the store (``cached == n``: the
#: model answered none in this run, so ``examples_per_second`` is empty).
CSV_COLUMNS = (
    "model",
    "task",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "higher_is_better",
    "n",
    "cached",
    "status",
    "strategy",
    "seconds",
    "examples_per_second",
    "tie_group",
    "detail",
)

_SCORE_COLUMNS = ("value", "ci_low", "ci_high", "higher_is_better", "tie_group")

#: The columns of ``comparisons.csv``: the fields of each ``comparisons`` entry (``n``,
#: the examples compared, and ``n_dropped``, those only one model answered, when present).
COMPARISON_COLUMNS = COMPARISON_KEYS[: COMPARISON_KEYS.index("n_dropped") + 1]


# ---------------------------------------------------------------------------
# json
# ---------------------------------------------------------------------------


class JsonOptions(Options):
    """What the ``json`` reporter takes."""

    file: RunFile = Field(RESULTS_FILE, description="the file to write, a path inside the run folder")


class JsonReporter:
    """results.json: the whole results document (the default output; every run writes it).

    The runner always writes ``results.json`` into the run folder, so this reporter only
    has work to do when given another ``file``: it writes the same document there.
    Rewriting an identical file is skipped, so running it again changes nothing.

    Options: ``file`` (default ``results.json``, a path inside the run folder).
    """

    options: ClassVar[type[Options]] = JsonOptions

    def __init__(self, file: str = RESULTS_FILE) -> None:
        self.file = file

    def write(self, results: Mapping[str, Any], out_dir: Path) -> str | None:
        path = run_file(out_dir, self.file)
        text = render_json(results)
        try:
            if path.is_file() and path.read_text(encoding="utf-8") == text:
                return str(path)
        except (OSError, UnicodeDecodeError):
            pass  # unreadable or not ours: overwrite it below
        return str(write_atomic(path, text))


def render_json(results: Mapping[str, Any]) -> str:
    """The results document exactly as the runner writes ``results.json``."""
    return json.dumps(jsonable(results), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------
# markdown
# ---------------------------------------------------------------------------


class MarkdownOptions(Options):
    """What the ``markdown`` reporter takes."""

    file: RunFile = Field(MARKDOWN_FILE, description="the file to write, a path inside the run folder")


class MarkdownReporter:
    """report.md: leaderboards with intervals and tie groups, paired comparisons, provenance.

    Options: ``file`` (default ``report.md``, a path inside the run folder).
    """

    options: ClassVar[type[Options]] = MarkdownOptions

    def __init__(self, file: str = MARKDOWN_FILE) -> None:
        self.file = file

    def write(self, results: Mapping[str, Any], out_dir: Path) -> str | None:
        return str(write_atomic(run_file(out_dir, self.file), render_markdown(results)))


_MARKDOWN_SPECIAL = "\\`*_[]<>|~#"


def escape_markdown(value: Any) -> str:
    """``value`` as text safe inside a Markdown table cell: punctuation that Markdown
    or HTML would interpret (pipes included) is backslash-escaped, line breaks become
    ``<br>`` so a cell stays on its row."""
    text = "" if value is None else str(value)
    escaped = "".join(f"\\{c}" if c in _MARKDOWN_SPECIAL else c for c in text)
    return "<br>".join(escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def _number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return escape_markdown(value)
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.6g}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---:" if n else "---" for n in numeric) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_markdown(results: Mapping[str, Any]) -> str:
    """The run as a Markdown document (GitHub-flavoured tables)."""
    suite = results.get("suite", {})
    bootstrap = results.get("bootstrap", {})
    confidence = float(bootstrap.get("confidence", 0.95))
    lines = [
        f"# nlpbench: {escape_markdown(suite.get('name', ''))}",
        "",
        f"- run: {escape_markdown(results.get('started'))} → {escape_markdown(results.get('finished'))}, "
        f"status **{escape_markdown(results.get('status'))}**",
        f"- suite: `{suite.get('hash', '')}`, seed {escape_markdown(suite.get('seed'))}",
        f"- intervals: {confidence:.0%} {escape_markdown(bootstrap.get('method', 'percentile'))} bootstrap "
        f"over examples ({escape_markdown(bootstrap.get('resamples', '?'))} resamples)",
        "",
        "## Leaderboards",
        "",
    ]
    for board in boards(results):
        tied = [m for m in board.metrics if any("tie_group" in (c.get("metrics") or {}).get(m, {}) for c in board.rows)]
        header = ["#", "model"]
        numeric = [True, False]
        for metric in board.metrics:
            header.append(f"{escape_markdown(metric)} {'↑' if board.directions[metric] else '↓'}")
            numeric.append(True)
            if metric in tied:
                header.append(f"{escape_markdown(metric)} tie group")
                numeric.append(True)
        header += ["n", "status"]
        numeric += [True, False]
        rows, rank = [], 0
        for cell in board.rows:
            ok = cell["status"] == "ok"
            rank += ok
            metrics = cell.get("metrics") or {}
            row = [str(rank) if ok else "-", escape_markdown(model_label(cell))]
            for metric in board.metrics:
                row.append(format_score(metrics.get(metric), _number))
                if metric in tied:
                    row.append(escape_markdown(metrics.get(metric, {}).get("tie_group", "")))
            detail = cell.get("error") or cell.get("reason")
            status = f"{cell['status']}: {detail}" if detail else str(cell["status"])
            rows.append([*row, str(cell.get("n", 0)), escape_markdown(status)])
        lines += [f"### {escape_markdown(board.task)}", "", *_table(header, rows, numeric), ""]
    lines += ["## Comparisons", ""]
    comparisons = list(results.get("comparisons") or [])
    if comparisons:
        from nlpbench.statistics.significance import (  # numpy: only when there is something to show
            disagreement,
            format_p,
            short_test,
        )

        corrections = sorted({str(c.get("correction")) for c in comparisons if c.get("correction")})
        alpha = float((results.get("comparing") or {}).get("alpha", 0.05))
        lines += [
            f"Paired tests of model a against model b on the examples both answered; delta is a − b with its "
            f"{confidence:.0%} paired-bootstrap interval; p is from the test each row names (McNemar: the exact "
            "McNemar test; randomization: approximate randomization), adjusted "
            f"({escape_markdown(', '.join(corrections) or 'none')}) within the family the row names "
            f"(its p-values corrected together, how many in brackets); better: adjusted p < {alpha:g}.",
            "",
        ]
        header = ["task", "metric", "a", "b", "delta", f"{confidence:.0%} CI", "test", "p", "p adjusted", "family"]
        header += ["better", "note"]
        rows = [
            [
                escape_markdown(c.get("task")),
                escape_markdown(c.get("metric")),
                escape_markdown(c.get("a")),
                escape_markdown(c.get("b")),
                _number(c.get("delta")),
                f"[{_number(c.get('ci_low'))}, {_number(c.get('ci_high'))}]",
                escape_markdown(short_test(c.get("test"))),
                # never printed on the other side of alpha from the verdict (0.04995 is not "0.050")
                format_p(c.get("p_value"), alpha),
                format_p(c.get("p_adjusted"), alpha),
                escape_markdown(f"{c.get('family') or '—'} ({c.get('family_size', '?')})"),
                escape_markdown(c.get(c["better"]) if c.get("better") in ("a", "b") else "—"),
                escape_markdown(disagreement(c, alpha) or ""),
            ]
            for c in comparisons
        ]
        lines += [*_table(header, rows, [False] * 4 + [True] * 2 + [False, True, True, False, False, False]), ""]
    else:
        lines += ["No comparisons in these results (a comparison needs two models with results on the same task).", ""]
    nlpbench = results.get("nlpbench", {})
    lines += ["## Provenance", ""]
    if suite.get("path"):
        lines.append(f"- suite file: `{suite['path']}`")
    lines += [f"- nlpbench {escape_markdown(nlpbench.get('version', '?'))}", ""]
    plugins = nlpbench.get("plugins") or {}
    if plugins:
        rows = [[escape_markdown(name), escape_markdown(version)] for name, version in plugins.items()]
        lines += [*_table(["distribution", "version"], rows, [False, False]), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# csv
# ---------------------------------------------------------------------------


class CsvOptions(Options):
    """What the ``csv`` reporter takes."""

    file: RunFile = Field(
        CSV_FILE, description="the results table (a row per cell and metric), a path inside the run folder"
    )
    comparisons_file: RunFile = Field(
        COMPARISONS_CSV_FILE, description="the paired comparisons (a row per test), a path inside the run folder"
    )


class CsvReporter:
    """results.csv (one row per cell and metric) and comparisons.csv (one row per paired test).

    Options: ``file`` (default ``results.csv``) and ``comparisons_file`` (default
    ``comparisons.csv``), both paths inside the run folder.
    """

    options: ClassVar[type[Options]] = CsvOptions

    def __init__(self, file: str = CSV_FILE, comparisons_file: str = COMPARISONS_CSV_FILE) -> None:
        self.file = file
        self.comparisons_file = comparisons_file

    def write(self, results: Mapping[str, Any], out_dir: Path) -> str | None:
        # both checked before either is written: a refused one leaves no half-done pair
        path = run_file(out_dir, self.file)
        comparisons = run_file(out_dir, self.comparisons_file, "comparisons_file")
        write_atomic(path, render_results_csv(results))
        write_atomic(comparisons, render_comparisons_csv(results))
        return str(path)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_csv_value(v) for v in row] for row in rows)
    return buffer.getvalue()


def render_results_csv(results: Mapping[str, Any]) -> str:
    """``results.csv``: the columns :data:`CSV_COLUMNS`, one row per cell and metric."""
    rows = []
    for cell in results.get("cells", []):
        common = {
            "model": cell.get("model"),
            "task": cell.get("task"),
            "n": cell.get("n"),
            # how many of the n predictions came from the store, as results.json says
            "cached": cell.get("cached"),
            "status": cell.get("status"),
            "strategy": cell.get("strategy"),
            "seconds": cell.get("seconds"),
            "examples_per_second": cell.get("examples_per_second"),
            "detail": cell.get("error") or cell.get("reason"),
        }
        scores: list[tuple[str | None, Mapping[str, Any]]] = list((cell.get("metrics") or {}).items()) or [(None, {})]
        for metric, score in scores:
            row = {**common, "metric": metric, **{k: score.get(k) for k in _SCORE_COLUMNS}}
            rows.append([row.get(column) for column in CSV_COLUMNS])
    return _csv(CSV_COLUMNS, rows)


def render_comparisons_csv(results: Mapping[str, Any]) -> str:
    """``comparisons.csv``: the columns :data:`COMPARISON_COLUMNS`, one row per paired test."""
    return _csv(
        COMPARISON_COLUMNS,
        ([entry.get(column) for column in COMPARISON_COLUMNS] for entry in results.get("comparisons") or []),
    )
