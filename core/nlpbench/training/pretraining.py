"""Pretraining: train a tokenizer and a small model of one family from scratch on plain
text files, and save a folder that a suite loads with ``path:``.

The core does what is the same for every family: it checks the corpus files and the
YAML architecture config, finds the model type and hands them to its ``pretrain``
classmethod, which trains the tokenizer and the model and saves both. The core then
writes the card beside them (``nlpbench-pretrain.json`` and ``README.md``): which files,
with their sizes and sha256, which config and settings, and the losses.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpbench.contracts.components import PretrainReport, PretrainSettings, PretrainStepped
from nlpbench.contracts.errors import ConfigError, DataError, ModelError, NlpbenchError
from nlpbench.plugins.host import PluginHost
from nlpbench.results.documents import jsonable, utc_now
from nlpbench.running.progress import Progress
from nlpbench.suites.yamlfile import line_of, load_yaml
from nlpbench.training.finetuning import _check_out_dir, _make_out_dir

#: The card a pretrained folder carries, beside the weights.
CARD_FILE = "nlpbench-pretrain.json"
README_FILE = "README.md"

#: Keys of the config that the command sets itself, with the option that does.
SET_BY_THE_COMMAND = {"vocab_size": "--vocab-size"}


@dataclass(frozen=True)
class CorpusFile:
    """One file of the corpus, as the card records it."""

    path: Path
    bytes: int
    sha256: str


@dataclass(frozen=True)
class PretrainOutcome:
    """What ``run_pretrain`` did: the model's report and what the core checked."""

    report: PretrainReport
    model_type: str
    corpus: list[CorpusFile]
    config_path: Path
    config: dict[str, Any]
    seconds: float
    out_dir: Path

    @property
    def card(self) -> Path:
        return self.out_dir / CARD_FILE


def can_pretrain(model_type: Any) -> bool:
    """Whether ``model_type`` has a ``pretrain`` classmethod."""
    return callable(getattr(model_type, "pretrain", None))


def pretrainable_types(host: PluginHost) -> list[str]:
    """The names of every registered model type that can be pretrained, sorted."""
    return sorted(item.name for item in host.models if can_pretrain(item.component))


def read_corpus(paths: Sequence[Path]) -> list[CorpusFile]:
    """Each corpus file's size and sha256; DataError (one line) for a file that is
    missing, a folder, unreadable, not UTF-8 or without any text."""
    if not paths:
        raise ConfigError("give at least one corpus file (--corpus FILE)")
    files = []
    for path in paths:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DataError(f"corpus file {path}: no such file") from None
        except IsADirectoryError:
            raise DataError(f"corpus file {path}: is a folder, not a text file") from None
        except OSError as error:
            raise DataError(f"corpus file {path}: cannot read: {error.strerror or error}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DataError(f"corpus file {path}: is not UTF-8 text (byte {error.start})") from None
        if not text.strip():
            raise DataError(f"corpus file {path}: is empty (no text to train on)")
        files.append(CorpusFile(path, len(data), hashlib.sha256(data).hexdigest()))
    return files


def read_config(path: Path) -> dict[str, Any]:
    """The architecture settings in the YAML file ``path`` (a mapping: n_layer, n_embd...);
    ConfigError with the file and line for anything wrong."""
    document = load_yaml(path)
    if document is None:
        raise ConfigError(f"{path}: is empty; give the model's architecture settings (n_layer: 2, ...)")
    if not isinstance(document, dict):
        raise ConfigError(
            f"{path}:{line_of(document) or 1}: must be a mapping of architecture settings, "
            f"not a {'list' if isinstance(document, list) else type(document).__name__}"
        )
    for key, option in SET_BY_THE_COMMAND.items():
        if key in document:
            raise ConfigError(f"{path}:{line_of(document, key)}: {key}: comes from the trained tokenizer; use {option}")
    return json.loads(json.dumps(document))  # plain dicts and lists, and refuses what JSON cannot hold


def run_pretrain(
    host: PluginHost,
    model_type_name: str,
    corpus: Sequence[Path],
    config_path: Path,
    out_dir: Path,
    settings: PretrainSettings,
    log: Callable[[str], None] | None = None,
    *,
    progress: bool | None = None,
) -> PretrainOutcome:
    """Pretrain a new model of type ``model_type_name`` on the ``corpus`` files, with
    the architecture in ``config_path``, and save it with its card into ``out_dir``.

    ConfigError/DataError (one line each) for what the user can fix: an unknown model
    type or one that cannot be pretrained, a missing or empty corpus file, a bad
    config, a folder that is not empty. Everything is checked before training starts.
    """
    say = log or (lambda message: print(message, file=sys.stderr))
    model_type = host.models.get(model_type_name).component
    if not can_pretrain(model_type):
        able = pretrainable_types(host)
        raise ConfigError(
            f"model type '{model_type_name}' cannot be pretrained "
            + (f"(can: {', '.join(able)})" if able else "(no installed model type can be)")
        )
    files = read_corpus(corpus)
    try:
        config = read_config(config_path)
    except TypeError as error:
        raise ConfigError(f"{config_path}: {error}") from None
    _check_out_dir(out_dir)
    _make_out_dir(out_dir)
    size = sum(file.bytes for file in files)
    say(
        f"pretraining a {model_type_name} model on {len(files)} corpus file{'s' if len(files) != 1 else ''} "
        f"({size:,} bytes): {settings.steps} steps of {settings.batch_size} × {settings.max_length} tokens"
    )

    started = time.perf_counter()
    where = f"model type '{model_type_name}'"
    with Progress(total=settings.steps, label=f"pretrain {model_type_name}", enabled=progress, unit="step") as bar:

        def stepped(event: PretrainStepped) -> None:
            bar.update(1)

        try:
            report = model_type.pretrain([file.path for file in files], config, settings, out_dir, stepped)
        except NlpbenchError as error:
            raise type(error)(f"{where}: {error}") from error
    seconds = time.perf_counter() - started
    if not isinstance(report, PretrainReport):
        raise ModelError(f"{where}: pretrain returned {type(report).__name__}, not a PretrainReport")
    outcome = PretrainOutcome(report, model_type_name, files, config_path, config, seconds, out_dir)
    write_card(outcome, settings, host.versions())
    say(f"saved {out_dir} ({report.steps} steps in {seconds:.1f} s)")
    return outcome


def card_document(outcome: PretrainOutcome, settings: PretrainSettings, versions: Mapping[str, str]) -> dict[str, Any]:
    """The contents of ``nlpbench-pretrain.json``."""
    report = outcome.report
    return jsonable(
        {
            "nlpbench": {"version": versions.get("nlpbench"), "plugins": dict(versions)},
            "created": utc_now(),
            "type": outcome.model_type,
            "corpus": [{"path": str(f.path), "bytes": f.bytes, "sha256": f.sha256} for f in outcome.corpus],
            "config": {"path": str(outcome.config_path), "settings": outcome.config},
            "settings": dataclasses.asdict(settings),
            "steps": report.steps,
            "seconds": round(outcome.seconds, 3),
            "losses": list(report.losses),
            "model": dict(report.info),
        }
    )


def write_card(outcome: PretrainOutcome, settings: PretrainSettings, versions: Mapping[str, str]) -> None:
    """Write ``nlpbench-pretrain.json`` and a ``README.md`` model card into the folder."""
    document = card_document(outcome, settings, versions)
    out_dir = outcome.out_dir
    (out_dir / CARD_FILE).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / README_FILE).write_text(render_readme(document, out_dir), encoding="utf-8")


def render_readme(card: Mapping[str, Any], out_dir: Path) -> str:
    """A short model card: what it was trained on, how, and how the loss went."""
    losses = card["losses"]
    lines = [
        f"# A {card['type']} model pretrained from scratch",
        "",
        f"Pretrained with `nlpbench pretrain` on {card['created']}: model type `{card['type']}`, "
        f"architecture from `{card['config']['path']}`, tokenizer and weights trained on:",
        "",
        *[f"- `{f['path']}` ({f['bytes']:,} bytes, sha256 `{f['sha256']}`)" for f in card["corpus"]],
        "",
        "- config: " + (", ".join(f"{key} {value}" for key, value in card["config"]["settings"].items()) or "defaults"),
        "- settings: " + ", ".join(f"{key} {value}" for key, value in card["settings"].items()),
        f"- {card['steps']} steps in {card['seconds']} s; training loss "
        + (f"{losses[0]:.4g} → {losses[-1]:.4g}" if losses else "n/a"),
        "",
    ]
    if card["model"]:
        lines += ["## Model", ""] + [f"- {key}: {value}" for key, value in card["model"].items()] + [""]
    lines += [
        "## Use it in a suite",
        "",
        "```yaml",
        "models:",
        f"  - name: {out_dir.name}",
        f"    type: {card['type']}",
        f"    path: {out_dir}",
        "```",
        "",
        f"Everything above is in `{CARD_FILE}`.",
        "",
    ]
    return "\n".join(lines)
