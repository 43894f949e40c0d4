"""Test helpers for the transformer plugins. Import the fixture into a conftest::

from nlpbench_transformers.testing import one_torch_thread  # noqa: F401
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Tests run tiny models: a second thread only adds overhead, and on a machine whose
    cores are busy, waiting for it costs many times the work. Restored after each test."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


#: A few kilobytes of plain text, ours, one document per line, for ``pretrain`` tests.
SAMPLE_SENTENCES = (
    "The film was a delight from the first scene to the last.",
    "I found the plot dull and the acting worse.",
    "A warm, funny story about two sisters who open a bakery.",
    "The soundtrack is loud, the dialogue is flat, and the ending drags.",
    "Rain fell on the old harbour town all through the night.",
    "She sold the boat in spring and bought a small red bicycle.",
    "The museum opens at nine and closes early on Sundays.",
    "Our train left late, but we still reached the coast before dark.",
    "He cooked rice with lemon, garlic and a handful of fresh herbs.",
    "A gentle and moving film that stays with you for days.",
    "The sequel is a tired copy of a much better movie.",
    "Children played football in the square until the lamps came on.",
    "The library keeps maps of the valley drawn two centuries ago.",
    "Every review praised the lead, and every review was right.",
    "The jokes fall flat and the story never finds its feet.",
    "Wind turned the windmills slowly above the wheat fields.",
    "The committee met on Tuesday and agreed to repair the bridge.",
    "My grandmother grew tomatoes, beans and tall yellow sunflowers.",
    "It is a clever, beautiful and surprisingly tender picture.",
    "Two hours of noise with nothing to say: a waste of an evening.",
    "The river rose after the storm and flooded the lower road.",
    "A quiet teacher changes the lives of a class of restless students.",
    "The camera work is lovely, but the script is painfully thin.",
    "We walked along the cliffs and watched the seabirds dive.",
    "The new bakery sells bread, cakes and strong black coffee.",
    "An honest, joyful film, acted with great care.",
    "The villain is silly and the twists are easy to guess.",
    "Snow covered the mountain pass, so the trucks waited below.",
    "The orchestra played the symphony with warmth and precision.",
    "Nothing in this film works: not the actors, not the music, not the story.",
    "The garden behind the school is full of apple trees.",
    "A small dog followed us home from the market.",
    "The best comedy of the year, sharp and kind at once.",
    "The characters are thin, the pace is slow, the ending is absurd.",
    "Fishermen mended their nets on the pier in the morning sun.",
    "The town council voted to plant trees along the main street.",
    "I laughed, I cried, and I would gladly watch it again.",
    "A boring film that mistakes length for depth.",
    "The lighthouse keeper wrote letters to his brother every week.",
    "Students gathered in the hall to hear the visiting poet.",
)


def write_sample_corpus(folder: Path, name: str = "corpus.txt") -> Path:
    """Write :data:`SAMPLE_SENTENCES` (one a line, three times over in varied order) to
    ``folder/name``; return its path."""
    lines = [*SAMPLE_SENTENCES, *reversed(SAMPLE_SENTENCES), *SAMPLE_SENTENCES[::2], *SAMPLE_SENTENCES[1::2]]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def pretrain_and_check(model_type: Any, config: Mapping[str, Any], settings: Any, folder: Path) -> Path:
    """Pretrain ``model_type`` on the sample corpus into ``folder/model`` and check what
    every family must do: one progress event per step, a lower loss at the end than at
    the start, safetensors and a tokenizer on disk, no pickles. Returns the folder."""
    from nlpbench import PretrainReport

    corpus = write_sample_corpus(folder)
    out = folder / "model"
    out.mkdir()
    steps: list[Any] = []
    report = model_type.pretrain([corpus], config, settings, out, steps.append)
    assert isinstance(report, PretrainReport)
    assert report.steps == len(report.losses) == len(steps) == settings.steps
    assert [event.step for event in steps] == list(range(1, settings.steps + 1))
    assert statistics.mean(report.losses[-5:]) < statistics.mean(report.losses[:5])
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    assert not list(out.glob("*.bin"))
    return out


def check_pretrained_in_a_suite(nlpbench_run: Any, plugins: Sequence[Any], model_type: str, out: Path) -> None:
    """The pretrained folder answers the sentiment sample (8 examples) by loglikelihood."""
    suite = {
        "name": "pretrained",
        "models": [
            {"name": "mine", "type": model_type, "path": str(out), "params": {"device": "cpu", "batch_size": 8}}
        ],
        "tasks": [{"name": "sample", "type": "sentiment", "limit": 8}],
    }
    cell = nlpbench_run(suite, plugins=plugins).cell("mine", "sample")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "loglikelihood", 8), cell
    assert 0.0 <= cell["metrics"]["accuracy"]["value"] <= 1.0


def assert_architecture_matches(check: Any, config_class: Any) -> None:
    """``check`` (an :class:`~nlpbench_transformers.ArchitectureCheck`) knows exactly the
    settings the installed transformers' ``config_class`` takes: its schema's typed ones
    and the passed-through ones cover the class, and name nothing it lacks. A new
    transformers release that adds or drops a setting fails this test instead of a suite."""
    from .architecture import PRETRAINED_KEYS
    from .loading import config_settings

    taken = config_settings(config_class) - {"transformers_version", "model_type", "_name_or_path"}
    ours = set(check.schema.model_fields) | set(check.passed_through) | set(check.aliases or {})
    assert sorted(taken - ours - PRETRAINED_KEYS) == [], "settings the class takes that the check does not know"
    assert sorted(ours - taken) == [], "settings the check names that the class does not take"
    defaults = config_class()
    for name, field in check.schema.model_fields.items():
        if field.default is not None:
            assert getattr(defaults, name) == field.default, f"{name}: the schema's default is not the class's"


def offloading_memory(folder: Path, share: float = 0.8) -> dict[str, int | str]:
    """A ``max_memory`` that lets about ``share`` of the checkpoint in ``folder`` stay in
    CPU memory and the rest go to disk: accelerate then really spreads the model (its
    hooks stream the offloaded weights in for each forward pass), on a machine without a GPU."""
    size = sum(path.stat().st_size for path in folder.glob("*.safetensors"))
    return {"cpu": int(size * share), "disk": "1GiB"}


def assert_same_scores(got: Sequence[Any], expected: Sequence[Any], tolerance: float = 1e-5) -> None:
    """Log-likelihood answers of a model spread across devices and of the same model on one:
    the same log-probabilities (within ``tolerance``), greedy flags and token counts."""
    assert len(got) == len(expected)
    for spread, whole in zip(got, expected, strict=True):
        assert abs(spread.logprob - whole.logprob) <= tolerance, (spread, whole)
        assert (spread.is_greedy, spread.n_tokens) == (whole.is_greedy, whole.n_tokens)


def assert_spread_on_the_cpu(facts: Mapping[str, Any], offloaded: bool) -> None:
    """A model's ``describe()`` after ``device_map: auto`` and ``dtype: auto`` on a machine
    without a GPU: placed by accelerate, reading its inputs on the CPU, in float32; with
    ``offloaded``, some of it kept on disk."""
    assert (facts["device_map"], facts["device"], facts["dtype"]) == ("auto", "cpu", "float32"), facts
    if offloaded:
        assert "disk" in facts["placement"], facts["placement"]
