"""Pretraining: the core's side of ``nlpbench pretrain`` (corpus and config checks, the
registry, the card, the command line), on a fake model type that "learns" word counts."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result

from nlpbench import (
    ConfigError,
    DataError,
    LoglikelihoodRequest,
    ModelError,
    ModelSpec,
    PretrainReport,
    PretrainSettings,
    PretrainStepped,
    hookimpl,
)
from nlpbench.cli import build_cli
from nlpbench.plugins.host import PluginHost
from nlpbench.testing import make_host
from nlpbench.training.pretraining import CARD_FILE, README_FILE, read_config, run_pretrain

CORPUS = "the cat sat on the mat\nthe dog ran\n\na bird sang on the roof\n"


class WordCounter:
    """Pretrains by counting words; answers log-likelihoods from the counts."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"loglikelihood"})
    calls: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, spec: ModelSpec) -> None:
        assert spec.path is not None
        self.counts = json.loads((spec.path / "counts.json").read_text())

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[Any]:
        raise NotImplementedError

    @classmethod
    def pretrain(
        cls,
        corpus: Sequence[Path],
        config: Mapping[str, Any],
        settings: PretrainSettings,
        out_dir: Path,
        progress: Callable[[PretrainStepped], None],
    ) -> PretrainReport:
        cls.calls.append({"corpus": list(corpus), "config": dict(config), "settings": settings})
        counts = Counter(word for path in corpus for word in path.read_text().split())
        losses = []
        for step in range(1, settings.steps + 1):
            losses.append(2.0 / step)
            progress(PretrainStepped(step, losses[-1]))
        (out_dir / "counts.json").write_text(json.dumps(counts))
        return PretrainReport(settings.steps, losses, out_dir, {"words": len(counts)})


class WrongReport(WordCounter):
    @classmethod
    def pretrain(cls, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return {"steps": 1}


class Refusing(WordCounter):
    @classmethod
    def pretrain(cls, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        raise ConfigError("config: n_layr: not a setting (did you mean 'n_layer'?)")


class PretrainPlugin:
    NLPBENCH_PLUGIN_NAME = "pretrain-bits"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(WordCounter, name="word-counter")
        register(WrongReport, name="wrong-report")
        register(Refusing, name="refusing")


@pytest.fixture(autouse=True)
def _forget_calls() -> None:
    WordCounter.calls.clear()


@pytest.fixture
def host() -> PluginHost:
    return make_host(PretrainPlugin())


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(CORPUS, encoding="utf-8")
    config = tmp_path / "small.yaml"
    config.write_text("# tiny\nn_layer: 2\nn_embd: 32\n", encoding="utf-8")
    return {"corpus": corpus, "config": config}


def pretrain(
    host: PluginHost, files: Mapping[str, Path], out: Path, model_type: str = "word-counter", **kw: Any
) -> Any:
    settings = kw.pop("settings", PretrainSettings(steps=4, seed=3))
    log: list[str] = []
    corpus = kw.pop("corpus", [files["corpus"]])
    outcome = run_pretrain(host, model_type, corpus, files["config"], out, settings, log.append, progress=False)
    return outcome, log


# -- what the model type gets, and the card -------------------------------------------


def test_the_model_type_gets_the_files_config_and_settings(tmp_path: Path, host: PluginHost, files: Any) -> None:
    outcome, log = pretrain(host, files, tmp_path / "out")
    (call,) = WordCounter.calls
    assert call["corpus"] == [files["corpus"]]
    assert call["config"] == {"n_layer": 2, "n_embd": 32} and type(call["config"]) is dict
    assert call["settings"] == PretrainSettings(steps=4, seed=3)
    assert outcome.report.steps == 4
    assert log[0].startswith("pretraining a word-counter model on 1 corpus file (")
    assert log[-1].startswith(f"saved {tmp_path / 'out'} (4 steps in ")


def test_the_card_records_corpus_config_settings_and_losses(tmp_path: Path, host: PluginHost, files: Any) -> None:
    outcome, _ = pretrain(host, files, tmp_path / "out")
    card = json.loads(outcome.card.read_text())
    data = files["corpus"].read_bytes()
    assert card["type"] == "word-counter"
    assert card["corpus"] == [
        {"path": str(files["corpus"]), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    ]
    assert card["config"] == {"path": str(files["config"]), "settings": {"n_layer": 2, "n_embd": 32}}
    assert card["settings"]["steps"] == 4 and card["settings"]["seed"] == 3
    assert card["steps"] == 4 and card["losses"] == [2.0, 1.0, 2 / 3, 0.5]
    assert card["model"] == {"words": 11}
    assert "nlpbench" in card["nlpbench"]["plugins"]
    readme = (outcome.out_dir / README_FILE).read_text()
    assert "# A word-counter model pretrained from scratch" in readme
    assert "training loss 2 → 0.5" in readme and f"type: word-counter\n    path: {outcome.out_dir}" in readme
    # and the folder is what the model type loads
    assert WordCounter(ModelSpec(name="m", type="word-counter", path=outcome.out_dir)).counts["the"] == 4


def test_several_corpus_files_are_all_recorded(tmp_path: Path, host: PluginHost, files: Any) -> None:
    other = tmp_path / "more.txt"
    other.write_text("more words here\n")
    outcome, _ = pretrain(host, files, tmp_path / "out", corpus=[files["corpus"], other])
    assert [entry.path for entry in outcome.corpus] == [files["corpus"], other]
    assert WordCounter.calls[0]["corpus"] == [files["corpus"], other]


# -- errors ------------------------------------------------------------------------------


def test_a_type_that_cannot_pretrain_is_refused_naming_those_that_can(
    tmp_path: Path, host: PluginHost, files: Any
) -> None:
    with pytest.raises(ConfigError, match=r"^model type 'tiny' cannot be pretrained \(can: refusing, word-counter"):
        pretrain(host, files, tmp_path / "out", model_type="tiny")
    assert not (tmp_path / "out").exists()


def test_an_unknown_type_gets_a_suggestion(tmp_path: Path, host: PluginHost, files: Any) -> None:
    with pytest.raises(ConfigError, match="did you mean 'word-counter'"):
        pretrain(host, files, tmp_path / "out", model_type="word-countr")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "missing.txt: no such file"),
        ("empty.txt", "\n  \n", "empty.txt: is empty (no text to train on)"),
        ("latin1.txt", b"caf\xe9\n", "latin1.txt: is not UTF-8 text (byte 3)"),
        ("folder", "dir", "folder: is a folder, not a text file"),
    ],
)
def test_bad_corpus_files_are_one_line_errors(
    tmp_path: Path, host: PluginHost, files: Any, name: str, content: Any, message: str
) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(DataError, match="^corpus file .*" + message.replace("(", r"\(").replace(")", r"\)")):
        pretrain(host, files, tmp_path / "out", corpus=[files["corpus"], path])
    assert not WordCounter.calls and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "n_layer: 2\nvocab_size: 100\n",
            r"small.yaml:2: vocab_size: comes from the trained tokenizer; use --vocab-size",
        ),
        ("- 1\n- 2\n", r"small.yaml:1: must be a mapping of architecture settings, not a list"),
        ("n_layer: [1\n", r"small.yaml:2: invalid YAML"),
        ("", r"small.yaml: is empty"),
        ("n_layer: 2\nn_layer: 3\n", r"small.yaml:2: invalid YAML: .*duplicate key"),
    ],
)
def test_bad_configs_name_the_file_and_line(
    tmp_path: Path, host: PluginHost, files: Any, text: str, message: str
) -> None:
    files["config"].write_text(text)
    with pytest.raises(ConfigError, match=message):
        pretrain(host, files, tmp_path / "out")
    assert not WordCounter.calls


def test_a_config_that_is_missing_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such file"):
        read_config(tmp_path / "nope.yaml")


def test_a_folder_that_is_not_empty_is_refused(tmp_path: Path, host: PluginHost, files: Any) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(ConfigError, match="is not an empty folder; choose a new --out"):
        pretrain(host, files, tmp_path / "out")
    assert not WordCounter.calls


def test_what_the_model_type_raises_or_returns_is_checked(tmp_path: Path, host: PluginHost, files: Any) -> None:
    with pytest.raises(ModelError, match=r"^model type 'wrong-report': pretrain returned dict, not a PretrainReport"):
        pretrain(host, files, tmp_path / "a", model_type="wrong-report")
    with pytest.raises(ConfigError, match=r"^model type 'refusing': config: n_layr"):
        pretrain(host, files, tmp_path / "b", model_type="refusing")


@pytest.mark.parametrize(
    ("field", "value"),
    [("steps", 0), ("batch_size", True), ("lr", 1.5), ("vocab_size", 10), ("max_length", 2), ("seed", "1")],
)
def test_settings_are_validated(field: str, value: Any) -> None:
    with pytest.raises(ConfigError, match=f"^pretraining: {field} must be"):
        PretrainSettings(**{field: value})


def test_warmup_is_a_share_of_the_steps() -> None:
    assert PretrainSettings(steps=200).warmup_steps == 20
    assert PretrainSettings(steps=5, warmup_ratio=0).warmup_steps == 0


# -- the command line -------------------------------------------------------------------


def _invoke(host: PluginHost, *args: str) -> Result:
    return CliRunner().invoke(build_cli(host), list(args), obj={"host": host})


def test_the_command_pretrains_and_says_where_it_saved(tmp_path: Path, host: PluginHost, files: Any) -> None:
    other = tmp_path / "more.txt"
    other.write_text("more words\n")
    out = tmp_path / "pre"
    result = _invoke(host, "pretrain", "--type", "word-counter", "--corpus", str(files["corpus"]), str(other),
                     "--config", str(files["config"]), "--out", str(out), "--steps", "2", "--seed", "7",
                     "--batch-size", "4", "--lr", "1e-3", "--vocab-size", "500", "--max-length", "64")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "pretrained a word-counter model: 2 steps; training loss 2 → 1",
        f"saved: {out} (card: {CARD_FILE}, README.md)",
        f"use it in a suite:  - {{name: pre, type: word-counter, path: {out}}}",
    ]
    (call,) = WordCounter.calls
    assert call["corpus"] == [files["corpus"], other]
    assert call["settings"] == PretrainSettings(steps=2, seed=7, batch_size=4, lr=1e-3, vocab_size=500, max_length=64)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--type", "tiny"],
            "Error: model type 'tiny' cannot be pretrained (can: refusing, word-counter, wrong-report)",
        ),
        (["--type", "word-counter", "--corpus", "nope.txt"], "Error: corpus file nope.txt: no such file"),
    ],
)
def test_command_errors_are_one_line_and_exit_2(
    tmp_path: Path, host: PluginHost, files: Any, args: list[str], message: str
) -> None:
    base = [
        "pretrain",
        "--corpus",
        str(files["corpus"]),
        "--config",
        str(files["config"]),
        "--out",
        str(tmp_path / "o"),
    ]
    result = _invoke(host, *base, *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_command_options_are_checked(tmp_path: Path, host: PluginHost, files: Any) -> None:
    base = ["pretrain", "--type", "word-counter", "--corpus", str(files["corpus"]), "--config", str(files["config"])]
    assert _invoke(host, *base, "--out", str(tmp_path / "o"), "--steps", "0").exit_code == 2
    assert _invoke(host, *base, "--out", str(tmp_path / "o"), "--vocab-size", "5").exit_code == 2
    assert "Missing option '--out'" in _invoke(host, *base).stderr
