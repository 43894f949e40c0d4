"""The report page: the data the templates need, gathered from results.json and the
embedded samples, rendered by Jinja2 with autoescaping on.

Every value a model, a data set or a suite supplies reaches the page through a template
variable, so it is escaped; the only text the templates mark ``|safe`` is the page's own
CSS and script (package files) and the example data, already made safe for its
``<script>`` block by :func:`.escaping.script_json`."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2

from nlpbench.report.data_quality import is_data_quality, task_checks
from nlpbench.report.leaderboard import boards
from nlpbench.report.page.across import cross_task
from nlpbench.report.page.attributions import attribution_panels
from nlpbench.report.page.audits import MOST_EFFECTS, audit_entries, largest_effects, panels, table_rows
from nlpbench.report.page.browser import browser
from nlpbench.report.page.charts import score_chart
from nlpbench.report.page.escaping import script_json
from nlpbench.report.page.judgements import judgement_rows
from nlpbench.report.page.matrices import matrices
from nlpbench.report.page.pairs import ALPHA, CORRECTIONS, Pairs, comparison_entries
from nlpbench.report.page.provenance import provenance
from nlpbench.report.page.tables import by_group, efficiency, from_store, leaderboards
from nlpbench.report.page.verdicts import primary_metric, verdicts

if TYPE_CHECKING:
    from nlpbench.report.html import Samples

#: What a family of comparisons is, by the kind results.json's ``comparing.family`` names.
FAMILIES = {
    "metric": "each task and metric: every pair of models compared on it",
    "task": "each task: every pair of models on every metric of it",
    "run": "the whole run: every comparison it made",
}


def source_environment(loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    """The page's Jinja2 environment, its templates read (and compiled) from the package."""
    return jinja2.Environment(
        loader=loader or jinja2.PackageLoader("nlpbench.report.page", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,  # a misspelt variable is an error, never an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The page's environment, its templates taken compiled where the package ships them
    compiled and current (see :mod:`nlpbench.report.page.precompiled`)."""
    from nlpbench.report.page.precompiled import PrecompiledLoader, shipped

    return source_environment(PrecompiledLoader(jinja2.PackageLoader("nlpbench.report.page", "templates"), shipped()))


@lru_cache(maxsize=2)
def _static(name: str) -> str:
    """A package file, inlined as it is (the templates mark it ``|safe``): the page fetches nothing."""
    return resources.files("nlpbench.report.page").joinpath("static", name).read_text(encoding="utf-8")


def _confidence(results: Mapping[str, Any]) -> float:
    value = (results.get("bootstrap") or {}).get("confidence", 0.95)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.95


def _comparing(results: Mapping[str, Any]) -> dict[str, Any]:
    """How the run decided significance: correction, family and alpha, as results.json says."""
    comparing = results.get("comparing")
    comparing = comparing if isinstance(comparing, Mapping) else {}
    alpha = comparing.get("alpha")
    family = comparing.get("family")
    correction = comparing.get("correction")
    return {
        "correction": CORRECTIONS.get(str(correction), str(correction)) if correction not in (None, "none") else None,
        "alpha": alpha if isinstance(alpha, int | float) and not isinstance(alpha, bool) else ALPHA,
        "family": FAMILIES.get(str(family), str(family)) if family is not None else None,
    }


def _stored_cells(results: Mapping[str, Any]) -> tuple[int, int, int]:
    """(cells wholly from the store, cells partly from it, ok cells)."""
    ok = [c for c in results.get("cells", []) if c.get("status") == "ok"]
    served = [from_store(c) for c in ok]
    return sum(s == "all" for s in served), sum(s not in (None, "all") for s in served), len(ok)


def named(entries: list[Mapping[str, Any]], key: str) -> str:
    """The distinct values of ``key`` among ``entries``, sorted and joined: the tests, the corrections."""
    return ", ".join(sorted({str(entry[key]) for entry in entries if entry.get(key)}))


def render_page(results: Mapping[str, Any], samples: Samples) -> str:
    """The whole report page for ``results`` (a results.json document) and ``samples``."""
    all_boards = boards(results)
    pairs = Pairs(comparison_entries(results))
    primary = {board.task: primary_metric(results, board) for board in all_boards}
    audits = [entry for entry in audit_entries(results) if not is_data_quality(entry)]  # bias audits
    comparing = _comparing(results)
    effects = largest_effects(audits, comparing["alpha"])
    examples = browser(all_boards, samples)
    suite = results.get("suite", {}) or {}
    context = {
        "css": _static("report.css"),
        "script": _static("report.js"),
        "name": str(suite.get("name", "")),
        "results": results,
        "suite": suite,
        "confidence": _confidence(results),
        "stored": _stored_cells(results),
        "comparing": comparing,
        "verdicts": verdicts(results, all_boards, pairs),
        "across": cross_task(results),
        "boards": by_group(leaderboards(all_boards)),
        "has_tie_groups": any(
            "tie_group" in (s or {}) for c in results.get("cells", []) for s in (c.get("metrics") or {}).values()
        ),
        "charts": [
            (board.task, charts)
            for ti, board in enumerate(all_boards)
            if (charts := [c for mi, m in enumerate(board.metrics) if (c := score_chart(f"chart-{ti}-{mi}", board, m))])
        ],
        "comparisons": comparison_entries(results),
        "named": named,
        "matrices": matrices(comparison_entries(results), all_boards, primary),
        "efficiency": efficiency(results),
        "judgements": judgement_rows(results),
        "audits": audits,
        "effects": effects[:MOST_EFFECTS],
        "effects_total": len(effects),
        "panels": panels(audits, comparing["alpha"]),
        "audit_rows": table_rows(audits),
        "data_quality": task_checks(audit_entries(results)),
        "attributions": attribution_panels(results, samples),
        "browser": examples,
        "browser_json": script_json(examples.data),  # safe in its <script> block: see script_json
        "provenance": provenance(results, all_boards),
    }
    return environment().get_template("page.html.j2").render(context)
