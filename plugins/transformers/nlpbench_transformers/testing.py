"""Test helpers for the transformer plugins. Import the fixture into a conftest::

from nlpbench_transformers.testing import one_torch_thread  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
