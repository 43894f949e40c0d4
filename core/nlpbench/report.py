"""The built-in HTML report: one self-contained page per run."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ReporterError
from .leaderboard import boards, format_score, model_label

REPORT_FILE = "report.html"

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 2rem}th,td{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}
th{background:#f4f4f4}td.num{font-variant-numeric:tabular-nums}.failed{color:#b00}.not_applicable{color:#777}
code{background:#f4f4f4;padding:0 .2rem}
"""


class HtmlReporter:
    """A self-contained HTML page: leaderboards with confidence intervals, failures and provenance."""

    def __init__(self, file: str = REPORT_FILE) -> None:
        self.file = file

    def write(self, results: Mapping[str, Any], out_dir: Path) -> str | None:
        path = out_dir / self.file
        try:
            path.write_text(render_html(results), encoding="utf-8")
        except OSError as error:
            raise ReporterError(f"cannot write {path}: {error}") from error
        return str(path)


def render_html(results: Mapping[str, Any]) -> str:
    e = html.escape
    suite = results.get("suite", {})
    confidence = results.get("bootstrap", {}).get("confidence", 0.95)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>nlpbench: {e(str(suite.get('name', '')))}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(str(suite.get('name', '')))}</h1>",
        f"<p>Run {e(str(results.get('started')))} → {e(str(results.get('finished')))}, "
        f"status <b>{e(str(results.get('status')))}</b>, seed {e(str(suite.get('seed')))}, "
        f"suite <code>{e(str(suite.get('hash', '')))}</code>. Intervals are {confidence:.0%} "
        f"percentile bootstrap intervals over examples.</p>",
    ]
    for board in boards(results):
        parts.append(f"<h2>{e(board.task)}</h2><table><tr><th>#</th><th>model</th>")
        parts += [f"<th>{e(m)} {'↑' if board.directions[m] else '↓'}</th>" for m in board.metrics]
        parts.append("<th>n</th><th>strategy</th><th>seconds</th><th>status</th></tr>")
        rank = 0
        for cell in board.rows:
            rank += cell["status"] == "ok"
            detail = cell.get("error") or cell.get("reason") or ""
            parts.append(
                f"<tr class='{e(cell['status'])}'><td>{rank if cell['status'] == 'ok' else '-'}</td>"
                f"<td>{e(model_label(cell))}</td>"
                + "".join(
                    f"<td class='num'>{e(format_score(cell.get('metrics', {}).get(m)))}</td>" for m in board.metrics
                )
                + f"<td class='num'>{cell.get('n', 0)}</td><td>{e(str(cell.get('strategy') or ''))}</td>"
                f"<td class='num'>{e(str(cell.get('seconds') or ''))}</td>"
                f"<td>{e(cell['status'])}{': ' + e(detail) if detail else ''}</td></tr>"
            )
        parts.append("</table>")
    plugins = results.get("nlpbench", {}).get("plugins", {})
    parts.append("<h2>Versions</h2><ul>")
    parts += [f"<li><code>{e(name)}</code> {e(str(version))}</li>" for name, version in plugins.items()]
    parts.append("</ul></body></html>\n")
    return "".join(parts)
