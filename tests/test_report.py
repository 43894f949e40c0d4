"""The HTML report: escaping, the embedded examples, truncation, matrices, efficiency, `nlpbench report`."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result

from nlpbench import ConfigError, hookimpl
from nlpbench.cli import build_cli
from nlpbench.contracts.components import Example, GenerateRequest
from nlpbench.report.html import MAX_TEXT, HtmlReporter, collect_samples, read_samples, render_html, script_json
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite
from nlpbench.testing.tiny import TinyModel, TinyTask

#: What a hostile or merely unlucky model might answer.
PLANTED = '<script>window.__pwned = 1; document.title = "PWNED"</script>'
#: An input that would end a naive JSON block or open an HTML comment.
HOSTILE_INPUT = "a good </script><!-- comment & <b>bold</b>"


class PlantedModel(TinyModel):
    """Answers 'good' inputs with a script tag, the rest with 'negative'."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate"})

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        return [PLANTED if "good" in r.prompt else "negative" for r in requests]

    def describe(self) -> dict[str, Any]:
        return {"parameters": 1_234_567}


class WholeAnswerTask(TinyTask):
    """The tiny task by generation, keeping the whole answer, plus one hostile input."""

    strategies: ClassVar[tuple[str, ...]] = ("generate",)

    def examples(self) -> Any:
        yield from super().examples()
        yield Example("hostile", HOSTILE_INPUT, ("positive",), {"text": HOSTILE_INPUT, "label": "positive"})

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        return str(answers[0]).strip()


class PlantedPlugin:
    NLPBENCH_PLUGIN_NAME = "planted"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(PlantedModel, name="planted")

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(WholeAnswerTask, name="whole-answer")


def planted_run(directory: Path) -> Any:
    """A real in-process run: the tiny model and the planted one on the whole-answer task."""
    suite = tiny_suite(
        models=[{"name": "tiny", "type": "tiny"}, {"name": "planted", "type": "planted"}],
        tasks=[{"name": "words", "type": "whole-answer"}],
    )
    return run_suite_text(suite, directory, host=make_host(PlantedPlugin()))


def comparison(a: str, b: str, delta: float, better: str | None, **extra: Any) -> dict[str, Any]:
    entry = {
        "task": "words",
        "metric": "tiny-match",
        "a": a,
        "b": b,
        "delta": delta,
        "ci_low": delta - 0.1,
        "ci_high": delta + 0.1,
        "test": "paired-bootstrap+mcnemar-exact",
        "p_value": 0.001,
        "p_adjusted": 0.003 if better else 0.5,
        "correction": "holm",
        "n": 9,
        "n_dropped": 0,
        "higher_is_better": True,
        "better": better,
    }
    return {**entry, **extra}


def embedded(page: str) -> Any:
    """The JSON the page's example browser reads."""
    found = re.search(r"<script type='application/json' id='browser-data'>(.*?)</script>", page, re.S)
    assert found, "no browser data"
    return json.loads(found.group(1))


def cell(model: str, task: str = "t", status: str = "ok", **extra: Any) -> dict[str, Any]:
    metrics = {"acc": {"value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "higher_is_better": True, "scale": [0.0, 1.0]}}
    return {"model": model, "task": task, "status": status, "n": 3, "metrics": metrics, **extra}


def line(model: str, index: int, task: str = "t", **extra: Any) -> dict[str, Any]:
    return {
        "model": model,
        "task": task,
        "id": f"x{index}",
        "strategy": "generate",
        "input": f"in {index}",
        "prompt": f"prompt {index}",
        "prediction": f"out {index}",
        "references": [f"ref {index}"],
        "scores": {"acc": 1.0},
        **extra,
    }


# -- escaping ----------------------------------------------------------------------------


def test_script_json_cannot_end_its_block_and_reads_back_unchanged() -> None:
    value = {"s": "</script><!-- & </SCRIPT > \u2028", "n": [1.5, float("nan")]}
    text = script_json(value)
    assert not set("<>&") & set(text)
    assert json.loads(text) == {"s": value["s"], "n": [1.5, None]}


def test_model_output_and_data_are_escaped_everywhere(tmp_path: Path) -> None:
    run = planted_run(tmp_path)
    page = (run.out_dir / "report.html").read_text(encoding="utf-8")
    assert PLANTED not in page and "<!-- comment" not in page and "<b>bold</b>" not in page
    # the page's own two scripts, and nothing that could end one early
    assert page.count("</script>") == 2
    assert page.count("<script") == 2
    data = embedded(page)
    (task,) = data["tasks"]
    by_model = {c["model"]: c for c in task["cells"]}
    planted = {ex["id"]: ex for ex in by_model["planted"]["examples"]}
    assert planted["tiny-0"]["prediction"] == PLANTED
    assert planted["hostile"]["input"] == HOSTILE_INPUT
    assert by_model["planted"]["total"] == 9 and by_model["tiny"]["total"] == 9


def test_a_name_with_markup_is_escaped_in_tables_and_charts() -> None:
    results = {"cells": [cell("<i>m</i>"), cell("n", status="failed", error="boom <b>x</b>", metrics={})]}
    page = render_html(results)
    assert "<i>m</i>" not in page and "&lt;i&gt;m&lt;/i&gt;" in page
    assert "boom &lt;b&gt;x&lt;/b&gt;" in page


# -- the examples ------------------------------------------------------------------------


def test_examples_beyond_the_limit_are_cut_and_the_page_says_so() -> None:
    samples = collect_samples([line("m", i) for i in range(5)] + [line("n", i) for i in range(2)], max_examples=2)
    page = render_html({"cells": [cell("m"), cell("n")]}, samples)
    data = embedded(page)
    cells = {c["model"]: c for c in data["tasks"][0]["cells"]}
    assert [ex["id"] for ex in cells["m"]["examples"]] == ["x0", "x1"] and cells["m"]["total"] == 5
    assert len(cells["n"]["examples"]) == 2 and cells["n"]["total"] == 2
    assert data["max_examples"] == 2
    assert "Truncated: this report embeds at most 2 examples per model and task; 1 of 2" in page


def test_long_texts_are_clipped() -> None:
    samples = collect_samples([line("m", 0, prediction="y" * (MAX_TEXT + 7), references={"text": ["a"]})])
    example = embedded(render_html({"cells": [cell("m")]}, samples))["tasks"][0]["cells"][0]["examples"][0]
    assert example["prediction"].endswith("… [clipped: 7 more characters]")
    assert example["references"] == ['{"text": ["a"]}']  # non-text references shown as JSON


def test_audit_lines_and_unreadable_lines_are_counted_not_shown(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    rows = [json.dumps(line("m", 0)), json.dumps(line("m", 1, audit="gender-swap")), "{not json", "[1]", ""]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    samples = read_samples(path)
    assert samples.totals == {("m", "t"): 1} and samples.audit_lines == 1 and samples.unreadable == 2
    page = render_html({"cells": [cell("m")]}, samples)
    assert "1 audit lines of samples.jsonl are not shown here." in page
    assert "2 lines of samples.jsonl could not be read" in page


def test_a_run_without_samples_says_so(tmp_path: Path) -> None:
    samples = read_samples(tmp_path / "samples.jsonl")
    assert not samples.found
    assert "This run has no samples.jsonl" in render_html({"cells": [cell("m")]}, samples)


# -- the panels --------------------------------------------------------------------------


def test_empty_comparisons_are_said_in_words() -> None:
    page = render_html({"cells": [cell("m")], "comparisons": []})
    assert "id='no-comparisons'>No comparisons were made in this run." in page
    assert "class='matrix'" not in page


def test_the_matrix_colours_cells_by_who_is_better_after_correction() -> None:
    results = {
        "cells": [cell("a", "words"), cell("b", "words"), cell("c", "words")],
        "comparisons": [comparison("a", "b", 0.25, "a"), comparison("a", "c", -0.05, None)],
    }
    page = render_html(results)
    matrix = page[page.index("id='matrix-0'") : page.index("</table>", page.index("id='matrix-0'"))]
    rows = re.findall(r"<tr><th>(\w)</th>(.*?)</tr>", matrix)
    classes = {row: re.findall(r"<td class='(\w+)'", cells) for row, cells in rows}
    assert classes == {"a": ["self", "win", "tie"], "b": ["loss", "self", "none"], "c": ["tie", "none", "self"]}
    assert "+0.250" in matrix and "−0.250" not in matrix and "-0.250" in matrix  # b − a is the flipped delta
    assert "correction: holm" in page


def test_tie_groups_show_when_cells_carry_them() -> None:
    grouped = cell("m")
    grouped["metrics"]["acc"]["tie_group"] = 2
    assert "title='tie group 2'>2</span>" in render_html({"cells": [grouped]})
    assert "tie group" not in render_html({"cells": [cell("m")]})


def test_charts_draw_a_whisker_per_model_and_skip_failed_cells() -> None:
    results = {"cells": [cell("a"), cell("b"), cell("c", status="failed", error="x", metrics={})]}
    page = render_html(results)
    chart = page[page.index("id='chart-0-0'") : page.index("</svg>", page.index("id='chart-0-0'"))]
    assert chart.count("<circle") == 2 and chart.count("stroke='#234'") == 2  # a dot and a whisker each
    assert ">a</text>" in chart and ">c</text>" not in chart
    assert "text-anchor='middle'>0</text>" in chart and "text-anchor='middle'>1</text>" in chart  # acc's 0–1 scale


def test_the_efficiency_panel_shows_speed_memory_and_parameters() -> None:
    results = {
        "cells": [
            cell(
                "m",
                seconds=2.0,
                examples_per_second=1.5,
                peak_memory_mb=900.0,
                peak_gpu_memory_mb=321.0,
                model_info={"parameters": 22713216},
            ),
            cell("n", status="failed", error="x", metrics={}),
        ]
    }
    page = render_html(results)
    panel = page[page.index("id='efficiency-table'") : page.index("</table>", page.index("id='efficiency-table'"))]
    assert "22.7 M" in panel and "900" in panel and "1.5" in panel and "failed" in panel
    assert "<th>peak GPU memory (MB)</th>" in panel and "321" in panel
    assert "GPU memory" not in render_html({"cells": [cell("m", peak_memory_mb=900.0)]})


def test_the_efficiency_panel_shows_a_served_models_tokens_and_cost() -> None:
    served = cell("served", usage={"input_tokens": 12345.0, "output_tokens": 678.0, "requests": 8.0, "cost": 0.00123})
    local = cell("local", task="t2")
    page = render_html({"cells": [served, local]})
    panel = page[page.index("id='efficiency-table'") : page.index("</table>", page.index("id='efficiency-table'"))]
    assert "<th>tokens in</th><th>tokens out</th><th>cost</th>" in panel
    row = panel[panel.index("<td>served</td>") : panel.index("</tr>", panel.index("<td>served</td>"))]
    assert "<td class='num'>12,345</td><td class='num'>678</td><td class='num'>0.00123</td>" in row
    other = panel[panel.index("<td>local</td>") : panel.index("</tr>", panel.index("<td>local</td>"))]
    assert other.count("<td class='num'>—</td>") >= 3  # the local model counted none of it
    # no cell counted tokens or cost: no such columns
    assert "tokens in" not in render_html({"cells": [local]})
    uncosted = cell("served", usage={"input_tokens": 10.0, "output_tokens": 2.0})
    page = render_html({"cells": [uncosted]})
    assert "<th>tokens in</th>" in page and "<th>cost</th>" not in page


def test_provenance_lists_versions_settings_and_metric_info() -> None:
    info_cell = cell("m", task_info={"prompt": {"template": "{{ text }}"}})
    info_cell["metrics"]["acc"]["info"] = {"signature": "nrefs:1|case:mixed"}
    results = {
        "nlpbench": {"version": "0.1.0", "plugins": {"nlpbench-x": "9.9"}},
        "suite": {"name": "s", "hash": "sha256:abc", "seed": 7},
        "bootstrap": {"method": "percentile", "resamples": 1000, "confidence": 0.9},
        "cells": [info_cell],
    }
    page = render_html(results)
    provenance = page[page.index("id='provenance'") :]
    for text in ("sha256:abc", "nlpbench-x", "9.9", "resamples 1000", "nrefs:1|case:mixed", "{{ text }}"):
        assert text in provenance
    assert "90% percentile bootstrap intervals" in page


def test_non_finite_numbers_do_not_break_the_page() -> None:
    broken = cell("m")
    broken["metrics"]["acc"].update(value=float("nan"), ci_low=None, ci_high=None)
    samples = collect_samples([line("m", 0, scores={"acc": float("inf")})])
    page = render_html({"cells": [broken]}, samples)
    assert embedded(page)["tasks"][0]["cells"][0]["examples"][0]["scores"] == {"acc": None}


# -- bias audits ---------------------------------------------------------------------------


def audit_entry(model: str, group: str, measure: str, value: float | None, **extra: Any) -> dict[str, Any]:
    """An entry of results.json's ``audits``, shaped as the runner writes them."""
    entry: dict[str, Any] = {
        "audit": "counterfactual",
        "model": model,
        "task": "words",
        "group": group,
        "measure": measure,
        "value": value,
        "ci_low": None,
        "ci_high": None,
        "n": 4,
        "n_affected": 4,
        "n_examples": 9,
        "reason": None,
    }
    return {**entry, **extra}


def flip(model: str, group: str, k: int, m: int, low: float, high: float) -> dict[str, Any]:
    return audit_entry(model, group, "flip", k / m, ci_low=low, ci_high=high, k=k, m=m, interval="exact-binomial")


def shift(model: str, group: str, value: float, low: float, high: float) -> dict[str, Any]:
    return audit_entry(
        model,
        group,
        "metric:tiny-match",
        value,
        ci_low=low,
        ci_high=high,
        original_value=0.75,
        perturbed_value=0.75 + value,
        test="mcnemar-exact",
        p_value=0.125,
        interval="paired-bootstrap",
    )


AUDITS = [
    flip("tiny", "to-female", 0, 4, 0.0, 0.6024),
    flip("biased", "to-female", 3, 4, 0.1941, 0.9937),
    shift("tiny", "to-female", 0.0, 0.0, 0.0),
    shift("biased", "to-female", -0.5, -1.0, -0.25),
    audit_entry("biased", "to-female", "probability_change", 0.6, ci_low=0.6, ci_high=0.6, interval="bootstrap"),
    audit_entry("biased", "all", "worst-case:tiny-match", 0.25, original_value=0.75, n=9, n_affected=4),
]


def _section(page: str, start: str, end: str = "</figure>") -> str:
    at = page.index(start)
    return page[at : page.index(end, at)]


def test_audits_get_a_forest_plot_flip_bars_and_a_table() -> None:
    page = render_html({"cells": [cell("tiny", "words"), cell("biased", "words")], "audits": AUDITS})
    assert "<a href='#audits'>Bias audits</a>" in page
    assert "<summary>counterfactual — words <span class='note'>(6 entries, 1 significant)</span></summary>" in page
    forest = _section(page, "id='audit-forest-0'")
    # one small plot per measure: the metric's shift and the audit's own mean measure, never flips or worst case
    assert "id='audit-forest-0-0'" in forest and "id='audit-forest-0-1'" in forest
    assert "id='audit-forest-0-2'" not in forest and "worst-case" not in forest and ">flip<" not in forest
    assert forest.count("<circle") == 3 and forest.count("stroke-dasharray") == 2  # a point per row, zero lines
    assert "biased · to-female: -0.5 [-1, -0.25]" in forest and "p 0.125" in forest
    flips = _section(page, "id='audit-flips-0'")
    assert flips.count("<rect") == 2
    assert "3/4 = 0.75 [0.194, 0.994]" in flips and "0/4 = 0.00 [0.000, 0.602]" in flips
    table = _section(page, "id='audit-table'", "</table>")
    assert table.count("<tr class='ok'>") == len(AUDITS)
    assert "0.750 [0.194, 0.994] (3/4)" in table
    assert "0.75 → 0.25" in table and "mcnemar-exact, p 0.125" in table
    assert "original 0.75" in table  # the worst case beside the original score


def test_a_proportion_tested_against_a_null_shows_the_null_line() -> None:
    preference = flip("gpt", "race", 30, 40, 0.588, 0.873)
    preference.update(measure="prefers_stereotype", test="binomial-exact", null=0.5, p_value=0.0022)
    page = render_html({"cells": [], "audits": [preference]})
    bars = _section(page, "id='audit-flips-0'")
    assert "<figcaption>Proportions</figcaption>" in bars and bars.count("stroke-dasharray") == 1
    assert "p 0.002 against 0.5" in bars and "30/40 = 0.75 [0.588, 0.873]" in bars


def test_audit_group_and_model_names_are_escaped() -> None:
    hostile = "<b>x</b>&"
    entries = [flip(hostile, hostile, 1, 2, 0.01, 0.99), shift(hostile, hostile, 0.5, 0.0, 1.0)]
    entries += [audit_entry(hostile, hostile, "metric:acc", None, reason=f"not computed: {hostile}")]
    page = render_html({"cells": [], "audits": entries})
    section = _section(page, "<section id='audits'>", "</section>")
    assert "<b>x</b>" not in section
    assert section.count("&lt;b&gt;x&lt;/b&gt;&amp;") >= 10  # labels, titles, table cells and the reason


def test_entries_not_computed_show_their_reason_never_a_zero() -> None:
    entries = [
        audit_entry("m", "to-male", "metric:bleu", None, reason="not computed: 'bleu' gives no per-example score"),
        audit_entry("m", "to-male", "flip", None, reason="failed: the model crashed", interval="exact-binomial"),
        audit_entry("m", "all", "worst-case:bleu", None, reason="not computed: no example was changed"),
    ]
    page = render_html({"cells": [], "audits": entries})
    table = _section(page, "id='audit-table'", "</table>")
    assert table.count("<tr class='not-computed'>") == 3 and "0.000" not in table
    assert "<td class='not_applicable'>not computed: &#39;bleu&#39; gives no per-example score</td>" in table
    assert "<td class='failed'>failed: the model crashed</td>" in table
    assert "<td class='not_applicable'>not computed: no example was changed</td>" in table
    forest, flips = _section(page, "id='audit-forest-0'"), _section(page, "id='audit-flips-0'")
    for figure in (forest, flips):
        assert "<circle" not in figure and "<rect" not in figure and ">not computed</text>" in figure


def test_a_run_without_audits_has_no_audit_panel() -> None:
    for audits in (None, [], "nonsense", [1, "x"]):
        page = render_html({"cells": [cell("m")], "audits": audits})
        assert "id='audits'" not in page and "audit-forest" not in page and "#audits" not in page


# -- the reporter and the command ----------------------------------------------------------


def _invoke(*args: str) -> Result:
    host = make_host()
    return CliRunner().invoke(build_cli(host), list(args), obj={"host": host})


def test_the_reporter_writes_the_page_of_a_run(tmp_path: Path) -> None:
    run = planted_run(tmp_path)
    assert HtmlReporter(file="other.html", max_examples=3).write(run.results, run.out_dir) == str(
        run.out_dir / "other.html"
    )
    data = embedded((run.out_dir / "other.html").read_text(encoding="utf-8"))
    assert [len(c["examples"]) for c in data["tasks"][0]["cells"]] == [3, 3]
    assert not list(run.out_dir.glob("*.partial"))


def test_the_reporter_checks_its_options() -> None:
    with pytest.raises(ConfigError, match=r"^reporter 'html': max_examples must be a whole number >= 0, not -1$"):
        HtmlReporter(max_examples=-1)


def test_nlpbench_report_regenerates_the_page(tmp_path: Path) -> None:
    run = planted_run(tmp_path)
    (run.out_dir / "report.html").unlink()
    result = _invoke("report", str(run.out_dir))
    assert result.exit_code == 0, result.output
    assert result.output == f"report: {run.out_dir / 'report.html'}\n"
    assert embedded((run.out_dir / "report.html").read_text(encoding="utf-8"))["tasks"]
    elsewhere = tmp_path / "elsewhere.html"
    assert _invoke("report", str(run.out_dir), "--out", str(elsewhere)).exit_code == 0
    assert elsewhere.read_text(encoding="utf-8") == (run.out_dir / "report.html").read_text(encoding="utf-8")


def test_nlpbench_report_refuses_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    result = _invoke("report", str(tmp_path), "--out", str(target))
    assert result.exit_code == 2
    assert result.output == f"Error: {tmp_path} is not a run folder: it has no results.json\n"
    assert not target.exists()


def test_nlpbench_report_refuses_results_that_are_not_json(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "report.html").write_text("the old report", encoding="utf-8")
    result = _invoke("report", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {tmp_path / 'results.json'} is not valid JSON: ")
    assert result.output.count("\n") == 1
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "the old report"


def test_nlpbench_report_refuses_json_that_is_not_results(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text('{"cells": [{"model": 1}]}', encoding="utf-8")
    result = _invoke("report", str(tmp_path))
    assert result.exit_code == 2
    assert result.output == f"Error: {tmp_path / 'results.json'}: cell 0 lacks a model, task or status\n"
    assert not (tmp_path / "report.html").exists()


def test_the_shipped_compiled_templates_are_current() -> None:
    """``templates/compiled.json`` is what Jinja2 makes of the templates as they are: after
    editing one, run ``python -m nlpbench.report.page.precompiled``."""
    from nlpbench.report.page.page import source_environment
    from nlpbench.report.page.precompiled import compiled_templates, shipped

    assert shipped() == compiled_templates(source_environment()), (
        "templates/compiled.json is stale: run .venv/bin/python -m nlpbench.report.page.precompiled"
    )


def test_a_stale_compiled_template_is_compiled_again_never_used(tmp_path: Path) -> None:
    import jinja2

    from nlpbench.report.page.page import source_environment
    from nlpbench.report.page.precompiled import PrecompiledLoader, compiled_templates

    (tmp_path / "a.j2").write_text("Hello {{ who }}!")
    made = compiled_templates(source_environment(jinja2.FileSystemLoader(tmp_path)))
    loader = PrecompiledLoader(jinja2.FileSystemLoader(tmp_path), made)
    assert source_environment(loader).get_template("a.j2").render(who="<b>") == "Hello &lt;b&gt;!"
    (tmp_path / "a.j2").write_text("Goodbye {{ who }}!")  # edited since it was compiled
    fresh = source_environment(PrecompiledLoader(jinja2.FileSystemLoader(tmp_path), made))
    assert fresh.get_template("a.j2").render(who="x") == "Goodbye x!"
    other = PrecompiledLoader(jinja2.FileSystemLoader(tmp_path), {**made, "jinja2": "0.0"})
    assert other.compiled == {}  # made by another Jinja2: not used
