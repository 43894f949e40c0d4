"""The ``nlpbench`` command line.

User mistakes (:class:`NlpbenchError`) print one line and exit 2; ``--debug`` shows
the traceback. Exit codes: 0 every cell ok or not applicable, 1 a cell or reporter
failed (the rest ran), 2 a usage, config or data error, 130 Ctrl-C, 143 SIGTERM (during
``run``), 141 stdout's reader went away (``nlpbench validate SUITE | head -1``).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from nlpbench.contracts.errors import ConfigError, NlpbenchError, one_line
from nlpbench.contracts.options import problems_of
from nlpbench.plugins.host import PluginHost
from nlpbench.running.interrupts import Terminated, sigterm_interrupts
from nlpbench.running.interrupts import exit_code as interrupt_exit_code

KIND_CHOICES = ("models", "tasks", "metrics", "audits", "reporters")


class _Group(click.Group):
    """Turns our errors into one line on stderr and the right exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except NlpbenchError as error:
            if debug:
                for text in getattr(error, "tracebacks", ()):  # the plugin bugs behind it (a check_spec that raised)
                    _echo_err(text.rstrip("\n"))
                raise
            for message in problems_of(error) if isinstance(error, ConfigError) else [one_line(error)]:
                click.echo(f"Error: {message}", err=True)  # several problems: one line each
            ctx.exit(2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM during a run
            _echo_err("Terminated." if isinstance(interrupt, Terminated) else "Interrupted.")
            ctx.exit(interrupt_exit_code(interrupt))
        except BrokenPipeError:  # `nlpbench validate SUITE | head -1`: the reader has all it wants
            _drop_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)
        except Exception as error:  # a bug: still one line unless asked for more
            if debug:
                raise
            click.echo(f"Error: {one_line(error)} (rerun with --debug for the traceback)", err=True)
            ctx.exit(1)


#: The exit code when stdout's reader went away (128 + SIGPIPE, as a shell reports a
#: command that the signal ended): `set -o pipefail` scripts see what they see for any tool.
EXIT_BROKEN_PIPE = 141


def _drop_stdout() -> None:
    """Send whatever stdout still holds, and writes to it from now on, to /dev/null: its
    reader is gone, and Python would otherwise complain about it on the way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no stdout at all: nothing to drop
        pass


def _echo_err(message: str) -> None:
    """A line on stderr, if there is anywhere to write it."""
    with contextlib.suppress(OSError, ValueError):
        click.echo(message, err=True)


def _host(ctx: click.Context) -> PluginHost:
    host: PluginHost = ctx.find_root().obj["host"]
    return host


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="nlpbench", prog_name="nlpbench")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Evaluate language models on NLP tasks, and know whether the differences are real."""


@cli.command()
@click.argument("suite", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Output folder (default runs/<suite name>).")
@click.option("--limit", type=click.IntRange(min=1), help="Use at most N examples per task.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), help="Run every model on this device.")
@click.option("--progress/--no-progress", default=None, help="Show progress bars (default: when stderr is a terminal).")
@click.option(
    "--store",
    type=click.Path(path_type=Path),
    help="A results store to share between runs (default: store.sqlite in the output folder).",
)
@click.option("--no-cache", is_flag=True, help="Ask the models again, even for predictions the store already has.")
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    help="Where models run: this process, one after another (local), or as Ray actors, all at once (ray). "
    "Default: the suite's executor, else local.",
)
@click.option(
    "--ray-address",
    metavar="ADDRESS",
    help="The Ray cluster to use (HOST:PORT; implies --executor ray); without it --executor ray starts a local one.",
)
@click.pass_context
def run(
    ctx: click.Context,
    suite: Path,
    out: Path | None,
    limit: int | None,
    device: str | None,
    progress: bool | None,
    store: Path | None,
    no_cache: bool,
    executor: str | None,
    ray_address: str | None,
) -> None:
    """Run SUITE: every model on every task, then the leaderboard.

    Predictions are kept in a store as they are made: the same command, run again,
    asks the models only for what is missing (an interrupted run resumes). Ctrl-C and
    SIGTERM stop it the same way: what finished is kept and reported (exit 130, 143)."""
    from nlpbench.report.leaderboard import render_text
    from nlpbench.running.executors.choosing import choose_executor
    from nlpbench.running.runner import run_suite
    from nlpbench.suites.suite import load_suite

    host = _host(ctx)
    debug = bool(ctx.find_root().params.get("debug"))
    with sigterm_interrupts():
        loaded = load_suite(suite, host).with_overrides(limit=limit, device=device, host=host)
        chosen = choose_executor(loaded, host, executor, ray_address)
        outcome = run_suite(
            loaded, host, out, progress=progress, store=store, use_cache=not no_cache, debug=debug, executor=chosen
        )
        try:
            click.echo(render_text(outcome.results), nl=False)
        except (OSError, ValueError):  # stdout's reader went away: the run's files are written, its exit code stands
            _drop_stdout()
        _echo_err(f"results: {outcome.out_dir / 'results.json'}")
    ctx.exit(outcome.exit_code)


@cli.command()
@click.argument("suite", type=click.Path(path_type=Path))
@click.pass_context
def validate(ctx: click.Context, suite: Path) -> None:
    """Check SUITE without running it: the file, every component's options, and each
    task's data; every problem on a line of its own (exit 2), then the planned cells."""
    from nlpbench.contracts.options import ConfigErrors
    from nlpbench.suites.validating import validate_suite

    found = validate_suite(suite, _host(ctx))
    for note in found.notes:
        click.echo(f"note: {note}", err=True)
    if found.problems:
        raise ConfigErrors(found.problems, found.tracebacks)  # printed one a line, exit 2
    cells = found.cells
    failing = [cell for cell in cells if found.cell_failure(cell)]
    runnable = sum(1 for c in cells if c.strategy and c not in failing)
    click.echo(
        f"{suite}: ok — {len(found.suite.models)} models × {len(found.suite.tasks)} tasks = {len(cells)} cells "
        f"({runnable} runnable, {sum(1 for c in cells if not c.strategy and c not in failing)} not applicable"
        + (f", {len(failing)} will fail" if failing else "")
        + ")"
    )
    for cell in cells:
        failure = found.cell_failure(cell)
        how = (
            f"will fail: {failure}"
            if failure
            else f"via {cell.strategy}"
            if cell.strategy
            else f"not applicable: {cell.reason}"
        )
        click.echo(f"  {cell.model.name} × {cell.task.name}: {how}")
    for failure in found.failures:
        click.echo(f"warning: {failure} (its plugin's bug: it will fail in the run)", err=True)
    if failing or found.failures:
        ctx.exit(1)  # as the run would: a plugin's bug fails its part, the rest runs


@cli.command()
@click.option(
    "--suite", "suite_path", required=True, type=click.Path(path_type=Path), help="The suite naming the model and task."
)
@click.option("--model", "model_name", required=True, help="The suite's model to fine-tune (its name).")
@click.option("--task", "task_name", required=True, help="The suite's task whose train split it learns (its name).")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="A new or empty folder for the fine-tuned model."
)
@click.option(
    "--epochs", type=click.IntRange(min=1), default=3, show_default=True, help="Passes over the train examples."
)
@click.option(
    "--lr",
    type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
    default=5e-5,
    show_default=True,
    help="Peak learning rate (AdamW, linear warm-up and decay).",
)
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=16, show_default=True, help="Train examples per step."
)
@click.option(
    "--seed",
    type=int,
    help="Seeds the data order and new weights (default: the suite's seed, which always draws the held-out split).",
)
@click.option(
    "--max-steps", type=click.IntRange(min=1), help="Train for exactly N steps, however many epochs that takes."
)
@click.option(
    "--eval-every",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Evaluate on the held-out examples every N steps (and after the last).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Show a progress bar (default: when stderr is a terminal)."
)
@click.pass_context
def finetune(
    ctx: click.Context,
    suite_path: Path,
    model_name: str,
    task_name: str,
    out: Path,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int | None,
    max_steps: int | None,
    eval_every: int,
    progress: bool | None,
) -> None:
    """Fine-tune a suite's model on the train split of one of its tasks; save a folder a suite can load."""
    from nlpbench.contracts.components import FinetuneSettings
    from nlpbench.suites.suite import load_suite
    from nlpbench.training.finetuning import run_finetune

    host = _host(ctx)
    loaded = load_suite(suite_path, host)
    settings = FinetuneSettings(
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        seed=loaded.seed if seed is None else seed,
        max_steps=max_steps,
        eval_every=eval_every,
    )
    outcome = run_finetune(loaded, host, model_name, task_name, out, settings, progress=progress)
    final = outcome.report.evals[-1] if outcome.report.evals else {}
    scores = ", ".join(f"{k} {v:.4g}" for k, v in final.items() if k not in ("step", "epoch") and isinstance(v, float))
    click.echo(
        f"fine-tuned {model_name} on {task_name}: {outcome.report.steps} steps"
        + (f"; held-out {scores}" if scores else "")
    )
    click.echo(f"saved: {outcome.out_dir} (card: {outcome.card.name}, README.md)")
    click.echo(
        f"use it in a suite:  - {{name: {model_name}-{task_name}, type: {outcome.model.type}, path: {outcome.out_dir}}}"
    )


@cli.command()
@click.option(
    "--type", "model_type", required=True, help="The model type (family) to pretrain: one that can, such as gpt."
)
@click.option(
    "--corpus",
    required=True,
    multiple=True,
    type=click.Path(path_type=Path),
    help="A plain text file to train on (one document per line); repeat the option or list several.",
)
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(path_type=Path),
    help="A YAML file of architecture settings (n_layer, n_embd, ...).",
)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="A new or empty folder for the model.")
@click.option("--steps", type=click.IntRange(min=1), default=200, show_default=True, help="Optimizer steps.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds the weights, data order and masking.")
@click.option("--batch-size", type=click.IntRange(min=1), default=8, show_default=True, help="Sequences per step.")
@click.option(
    "--lr",
    type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
    default=5e-4,
    show_default=True,
    help="Peak learning rate (AdamW, linear warm-up and decay).",
)
@click.option(
    "--vocab-size", type=click.IntRange(min=100), default=8000, show_default=True, help="Tokenizer size (at most)."
)
@click.option(
    "--max-length", type=click.IntRange(min=8), default=128, show_default=True, help="Tokens per training sequence."
)
@click.option(
    "--progress/--no-progress", default=None, help="Show a progress bar (default: when stderr is a terminal)."
)
@click.argument("more_corpus", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def pretrain(
    ctx: click.Context,
    model_type: str,
    corpus: tuple[Path, ...],
    config_path: Path,
    out: Path,
    steps: int,
    seed: int,
    batch_size: int,
    lr: float,
    vocab_size: int,
    max_length: int,
    progress: bool | None,
    more_corpus: tuple[Path, ...],
) -> None:
    """Pretrain a tokenizer and a small model from scratch on text files; save a folder a suite can load."""
    from nlpbench.contracts.components import PretrainSettings
    from nlpbench.training.pretraining import run_pretrain

    host = _host(ctx)
    settings = PretrainSettings(
        steps=steps, seed=seed, batch_size=batch_size, lr=lr, vocab_size=vocab_size, max_length=max_length
    )
    files = [*corpus, *more_corpus]
    outcome = run_pretrain(host, model_type, files, config_path, out, settings, progress=progress)
    losses = outcome.report.losses
    click.echo(
        f"pretrained a {model_type} model: {outcome.report.steps} steps"
        + (f"; training loss {losses[0]:.4g} → {losses[-1]:.4g}" if losses else "")
    )
    click.echo(f"saved: {outcome.out_dir} (card: {outcome.card.name}, README.md)")
    click.echo(f"use it in a suite:  - {{name: {out.name}, type: {model_type}, path: {outcome.out_dir}}}")


@cli.command()
@click.argument("run_dir", metavar="RUN", type=click.Path(path_type=Path))
@click.option("--metrics", help="Comma-separated metrics to score with instead of the run's own.")
@click.pass_context
def rescore(ctx: click.Context, run_dir: Path, metrics: str | None) -> None:
    """Recompute the metrics, intervals and comparisons of the run in folder RUN from its
    stored predictions, without loading any model; rewrites RUN/results.json."""
    from nlpbench.report.leaderboard import render_text
    from nlpbench.results.runs import rescore as rescore_run

    names = [m.strip() for m in metrics.split(",") if m.strip()] if metrics else None
    results = rescore_run(run_dir, _host(ctx), names, log=lambda line: click.echo(line, err=True))
    click.echo(render_text(results), nl=False)
    click.echo(f"results: {run_dir / 'results.json'}", err=True)


@cli.command()
@click.argument("runs", metavar="RUN...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--correction", type=click.Choice(["holm", "bh", "none"]), help="Family-wise correction (default: the run's)."
)
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), help="Significance level.")
@click.option(
    "--family",
    type=click.Choice(["metric", "task", "run"]),
    help="The p-values corrected together: one task and metric, one task, or all (default: the run's).",
)
@click.option("--metrics", help="Comma-separated metrics to compare on (default: every metric of the runs).")
@click.option(
    "--format", "output", type=click.Choice(["table", "markdown", "csv", "json"]), default="table", show_default=True
)
@click.pass_context
def compare(
    ctx: click.Context,
    runs: tuple[Path, ...],
    correction: str | None,
    alpha: float | None,
    family: str | None,
    metrics: str | None,
    output: str,
) -> None:
    """Paired significance tests between every pair of models of the runs RUN..., on the
    tasks they share, corrected within each family (see docs/comparing.md)."""
    from nlpbench.results.runs import compare_runs, read_results
    from nlpbench.statistics.significance import comparisons_csv, comparisons_markdown, comparisons_table

    names = [m.strip() for m in metrics.split(",") if m.strip()] if metrics else None
    entries = compare_runs(
        list(runs),
        _host(ctx),
        correction=correction,
        alpha=alpha,
        family=family,
        metrics=names,
        log=lambda line: click.echo(line, err=True),
    )
    if not entries:
        click.echo("nothing to compare: no task has two models that answered it", err=True)
        return
    first = read_results(runs[0])  # the level of the intervals, and the alpha the verdicts used
    confidence = float((first.get("bootstrap") or {}).get("confidence", 0.95))
    level = alpha if alpha is not None else float((first.get("comparing") or {}).get("alpha", 0.05))
    if output == "json":
        click.echo(json.dumps(entries, indent=2))
    elif output == "csv":
        click.echo(comparisons_csv(entries), nl=False)
    else:
        render = comparisons_table if output == "table" else comparisons_markdown
        click.echo(render(entries, confidence=confidence, alpha=level), nl=output == "table")


@cli.command()
@click.argument("runs", metavar="RUN...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--members", is_flag=True, help="Show each member of a group, not only the group's means.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "markdown", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to print the boards (csv: one row per task, model and metric).",
)
@click.pass_context
def leaderboard(ctx: click.Context, runs: tuple[Path, ...], members: bool, output: str) -> None:
    """Print the leaderboard of the run in folder RUN (a group as one table of its means).

    Given several runs, one board across them: the models of every run on the tasks they
    all have, compared again from the runs' stores with the same tests, families and tie
    groups as one run holding them all (a model name two runs use is prefixed with its
    run's folder)."""
    from nlpbench.report.leaderboard import render_text
    from nlpbench.report.leaderboard_formats import leaderboard_csv, leaderboard_json, leaderboard_markdown
    from nlpbench.results.runs import read_results, run_labels

    if len(runs) == 1:  # the run's own verdicts, as results.json has them: no store needed
        results = read_results(runs[0])
        results["runs"] = [{"label": run_labels(list(runs))[0], "path": str(runs[0])}]
    else:
        from nlpbench.results.across_runs import combine_runs

        results = combine_runs(runs, _host(ctx), log=lambda line: click.echo(line, err=True))
    if output == "json":
        click.echo(json.dumps(leaderboard_json(results, members), indent=2))
        return
    render = {"table": render_text, "markdown": leaderboard_markdown, "csv": leaderboard_csv}[output]
    if output == "table" and len(runs) > 1:
        for run in results["runs"]:
            models = sorted({c["model"] for c in results["cells"] if c["run"] == run["label"]})
            click.echo(f"{run['label']}: {', '.join(models)}")
        click.echo()
    click.echo(render(results, members), nl=False)


@cli.command()
@click.argument("run_dir", metavar="RUN", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Where to write the page (default RUN/report.html).")
def report(run_dir: Path, out: Path | None) -> None:
    """Regenerate the HTML report of the run in folder RUN from its results.json and samples.jsonl."""
    from nlpbench.report.html import write_report

    click.echo(f"report: {write_report(run_dir, out)}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def plugins(ctx: click.Context, as_json: bool) -> None:
    """List installed plugins, their versions and what each registers (with --debug, the
    traceback of each plugin that failed to load, on stderr)."""
    host = _host(ctx)
    debug = bool(ctx.find_root().params.get("debug"))
    rows = [info.as_json() for info in host.plugins]
    # the core's built-ins appear once, however many modules they live in
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["name"] in merged:
            for kind in KIND_CHOICES:
                if kind in row:
                    merged[row["name"]].setdefault(kind, []).extend(row[kind])
        else:
            merged[row["name"]] = row
    if as_json:
        click.echo(json.dumps(list(merged.values()), indent=2))
        return
    for row in merged.values():
        version = row["version"] or "?"
        if row["status"] == "ok":
            given = "; ".join(f"{kind}: {', '.join(row[kind])}" for kind in KIND_CHOICES if row.get(kind))
            click.echo(f"{row['name']} {version}  {given or '(registers nothing)'}")
        else:
            click.echo(
                f"{row['name']} {version}  {row['status'].upper()}" + (f": {row['error']}" if row["error"] else "")
            )
            if debug and row.get("traceback"):
                click.echo(row["traceback"].rstrip("\n"), err=True)


@cli.command("list")
@click.argument("kind", type=click.Choice(KIND_CHOICES))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def list_(ctx: click.Context, kind: str, as_json: bool) -> None:
    """List the models, tasks, metrics, audits or reporters that plugins registered."""
    from nlpbench.contracts.options import CONFIG_OPTIONS, options_json_schema, options_schema_of

    host = _host(ctx)
    rows = []
    for item in host.registries[kind]:
        row: dict[str, Any] = {
            "name": item.name,
            "plugin": item.plugin,
            "aliases": list(item.aliases),
            "description": item.description,
        }
        component = item.component
        if kind == "models":
            row["capabilities"] = sorted(getattr(component, "capabilities", ()))
            row["finetunable"] = (
                sorted(getattr(component, "finetunable", ())) if callable(getattr(component, "finetune", None)) else []
            )
        elif kind == "tasks":
            row["kind"] = "type"
            row["strategies"] = list(getattr(component, "strategies", ()))
            row["default_metrics"] = list(getattr(component, "default_metrics", ()))
        elif kind == "metrics":
            row["higher_is_better"] = getattr(component, "higher_is_better", None)
            # an unbounded end (perplexity, TER) is null, as results write it: JSON has no infinity
            bounds = list(getattr(component, "scale", ()) or ())
            row["scale"] = [None if math.isinf(bound) else bound for bound in bounds] or None
        schema = options_schema_of(component)  # JSON Schema of what the suite may give it; null: not declared
        row["options"] = options_json_schema(schema) if schema is not None else None
        if kind == "models":  # what the entry's config: takes (an untrained model's architecture); null: unsaid
            config = options_schema_of(component, CONFIG_OPTIONS)
            row["config_options"] = options_json_schema(config) if config is not None else None
        rows.append(row)
    problems = []
    if kind == "tasks":  # the task library: task files and groups, read (never their data) only here
        from nlpbench.suites.taskfiles import library_of

        library = library_of(host)
        try:
            rows += [
                {
                    "name": entry.name,
                    "plugin": entry.plugin,
                    "aliases": [],
                    "description": entry.description,
                    "kind": entry.kind,
                    "file": str(entry.path),
                    **({"members": list(entry.members)} if entry.kind == "group" else {}),
                }
                for entry in sorted(library.index.values(), key=lambda e: e.name)
            ]
        except NlpbenchError as error:
            problems.append(str(error))
        problems += library.problems
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no {kind} are installed")
    failed = [p.name for p in host.failed()]
    if failed:
        names = ", ".join(f"'{name}'" for name in failed)
        click.echo(f"(plugin {names} failed to load; its {kind} are missing: see `nlpbench plugins`)", err=True)
    for row in rows:
        extra = ""
        if kind == "models":
            extra = f" [{', '.join(row['capabilities'])}]"
            if row["finetunable"]:
                extra += f" (fine-tunable: {', '.join(row['finetunable'])})"
        elif kind == "tasks" and row["kind"] == "type":
            extra = f" [{', '.join(row['strategies'])}]"
        elif kind == "tasks":
            extra = f" [{row['kind']}" + (f" of {len(row['members'])}" if "members" in row else "") + "]"
        aliases = f" (also {', '.join(row['aliases'])})" if row["aliases"] else ""
        click.echo(f"{row['name']}{aliases}{extra}  — {row['description']}  [{row['plugin']}]")


@cli.group()
def data() -> None:
    """Look at a suite's data, without any model."""


@data.command("audit")
@click.argument("suite", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the entries as a JSON array.")
@click.option(
    "--run",
    "run_dir",
    type=click.Path(path_type=Path),
    help="A finished run of the suite: score each of its ok cells again on the clean subset, beside the full score.",
)
@click.pass_context
def data_audit(ctx: click.Context, suite: Path, as_json: bool, run_dir: Path | None) -> None:
    """Audit the data of every task of SUITE (duplicates, train/test overlap,
    contamination, empty fields, label balance, lengths; see docs/data-quality.md) with
    the suite's data-only audits, or each installed one with its defaults. No model is
    loaded. Exit 1 when an audit failed, 2 for a config or data error."""
    from nlpbench.report.data_quality import entries_text
    from nlpbench.results.documents import jsonable
    from nlpbench.running.data_auditing import audit_suite

    entries, code = audit_suite(suite, _host(ctx), run_dir)
    shown = [{k: v for k, v in entry.items() if k != "traceback"} for entry in entries]
    click.echo(json.dumps(jsonable(shown), indent=2) if as_json else entries_text(shown), nl=as_json)
    for entry in entries:
        if ctx.find_root().params.get("debug") and entry.get("traceback"):
            _echo_err(str(entry["traceback"]).rstrip("\n"))
    ctx.exit(code)


@cli.group()
def plugin() -> None:
    """Write plugins."""


@plugin.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the plugin's folder.",
)
def plugin_new(name: str, directory: Path) -> None:
    """Scaffold an installable plugin called NAME (distribution nlpbench-NAME)."""
    from nlpbench.scaffold import scaffold

    target = scaffold(name, directory)
    click.echo(f"created {target}")
    click.echo(f"next: pip install -e {target} && nlpbench plugins")


@plugin.command("check")
@click.argument("target", metavar="[PATH]", required=False, default=".")
@click.pass_context
def plugin_check(ctx: click.Context, target: str) -> None:
    """Check a plugin against the contract (the conformance check of nlpbench.testing).

    PATH is a plugin's folder (with its pyproject.toml; the default is the current
    folder), its package folder or plugin module, imported from there without
    installing it, or the name of an installed plugin. Prints one line per problem and
    exits 1 if there is any; exits 0 when the plugin conforms."""
    from nlpbench.testing.conformance import check_plugin

    report = check_plugin(target)
    for problem in report.problems:
        click.echo(problem)
    names = ", ".join(f"'{p.name}'" for p in report.checked) or report.what
    if report.problems:
        count = len(report.problems)
        click.echo(f"plugin {names}: {count} problem{'s' if count != 1 else ''}", err=True)
        ctx.exit(1)
    for plugin_name, given in report.registered.items():
        what = "; ".join(f"{kind}: {', '.join(ids)}" for kind, ids in given.items()) or "nothing"
        click.echo(f"ok: plugin '{plugin_name}' conforms ({what})")


def build_cli(host: PluginHost) -> click.Group:
    """The command line with every plugin's commands added."""
    for warning in host.register_commands(cli):
        click.echo(f"nlpbench: warning: {warning}", err=True)
    return cli


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``nlpbench`` command."""
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        host = PluginHost()
    except NlpbenchError as error:  # strict mode
        if debug:
            raise
        click.echo(f"Error: {one_line(error)}", err=True)
        sys.exit(2)
    host.warn_failures()
    build_cli(host).main(args=list(argv) if argv is not None else None, prog_name="nlpbench", obj={"host": host})
