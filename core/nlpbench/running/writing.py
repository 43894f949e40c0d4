"""Writing a run's outputs: the results document as it starts, the folder it goes in,
and the suite's reporters at the end."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nlpbench.contracts.errors import ConfigError
from nlpbench.results.documents import utc_now
from nlpbench.running.failures import Failure
from nlpbench.running.log import RunLog
from nlpbench.suites.suite import Suite


def new_document(
    suite: Suite,
    versions: Mapping[str, Any],
    tasks: Mapping[str, Mapping[str, Any]],
    store: Mapping[str, Any],
) -> dict[str, Any]:
    """results.json as a run starts: what ran, and empty lists the run fills in."""
    return {
        "nlpbench": {"version": versions["nlpbench"], "plugins": dict(versions)},
        "suite": {"name": suite.name, "hash": suite.hash, "seed": suite.seed, "path": str(suite.path)},
        "started": utc_now(),
        "finished": None,
        "status": "running",
        "bootstrap": {"method": "percentile", "resamples": suite.resamples, "confidence": suite.confidence},
        "comparing": {"correction": suite.correction, "alpha": suite.alpha, "family": suite.family},
        "tasks": dict(tasks),
        **(
            {
                "groups": [],
                "task_groups": {
                    g.name: {"members": list(g.members), "description": g.description, "file": g.source}
                    for g in suite.groups
                },
            }
            if suite.groups
            else {}
        ),
        "cells": [],
        "comparisons": [],
        "audits": [],
        "store": dict(store),
    }


def check_writable(out_dir: Path) -> bool:
    """ConfigError unless the output folder exists (made now) and takes files: a file
    made and removed at once, so a refused run leaves nothing there. Whether the
    folder was made now."""
    try:
        made = not out_dir.is_dir()
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir, prefix=".nlpbench-"):
            pass
    except OSError as error:
        raise unwritable(out_dir, error) from None
    return made


def unwritable(out_dir: Path, error: OSError) -> ConfigError:
    return ConfigError(f"output folder {out_dir}: cannot write: {error.strerror or error}")


def report(document: Mapping[str, Any], reporters: Sequence[tuple[str, Any]], out_dir: Path, log: RunLog) -> list[str]:
    """Run the suite's reporters; a reporter that fails is a warning, not lost results."""
    warnings = []
    for name, reporter in reporters:
        if isinstance(reporter, Failure):  # it could not be built
            warnings.append(reporter.error)
            log.traceback(reporter.traceback)
            continue
        try:
            where = reporter.write(document, out_dir)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            failure = Failure.of(error, f"reporter '{name}' failed")
            warnings.append(failure.error)
            log.traceback(failure.traceback)
            continue
        if where:
            log(f"report: {where}")
    for warning in warnings:
        log(f"warning: {warning}")
    return warnings
