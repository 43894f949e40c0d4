"""The shared fine-tuning loop: its schedule, step and epoch bookkeeping, evaluation, and seeding."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import torch

from nlpbench import FinetuneSettings, FinetuneStepped
from nlpbench_transformers import exact_match, linear_schedule, train_loop

#: y = 2x, eleven points: a linear model learns it in a few steps.
XS = torch.linspace(-1, 1, 11).unsqueeze(1)
YS = 2 * XS


def run(
    settings: FinetuneSettings, evaluate: bool = True
) -> tuple[list[float], list[dict[str, float]], list[FinetuneStepped], list[bool]]:
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    events: list[FinetuneStepped] = []
    modes: list[bool] = []

    def batch_loss(batch: Sequence[int]) -> torch.Tensor:
        assert model.training
        return torch.nn.functional.mse_loss(model(XS[list(batch)]), YS[list(batch)])

    def score() -> dict[str, float]:
        modes.append(model.training)
        with torch.no_grad():
            return {"loss": float(torch.nn.functional.mse_loss(model(XS), YS))}

    losses, evals = train_loop(model, settings, len(XS), batch_loss, score if evaluate else None, events.append)
    assert not model.training  # left in evaluation mode
    return losses, evals, events, modes


def test_the_schedule_warms_up_then_decays_to_zero() -> None:
    assert [linear_schedule(step, 2, 6) for step in range(7)] == [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
    assert linear_schedule(0, 0, 4) == 1.0 and linear_schedule(9, 0, 4) == 0.0


def test_steps_epochs_and_evaluations_are_counted() -> None:
    settings = FinetuneSettings(epochs=3, lr=0.1, batch_size=4, seed=1, eval_every=4)
    losses, evals, events, modes = run(settings)
    assert len(losses) == 9 == settings.total_steps(11) and [e.step for e in events] == list(range(1, 10))
    assert [e.epoch for e in events] == [1, 1, 1, 2, 2, 2, 3, 3, 3] and [e.loss for e in events] == losses
    assert [(e["step"], e["epoch"]) for e in evals] == [(4, 2), (8, 3), (9, 3)]  # every 4 and after the last
    assert [e.eval for e in events if e.eval is not None] == [{"loss": e["loss"]} for e in evals]
    assert modes == [False, False, False]  # evaluated in evaluation mode
    assert evals[-1]["loss"] < evals[0]["loss"]


def test_max_steps_runs_across_epochs_and_nothing_held_out_means_no_evaluation() -> None:
    losses, evals, events, _ = run(FinetuneSettings(lr=0.1, batch_size=8, max_steps=5), evaluate=False)
    assert len(losses) == 5 and [e.epoch for e in events] == [1, 1, 2, 2, 3]
    assert evals == [] and all(e.eval is None for e in events)


def test_the_seed_fixes_the_data_order() -> None:
    settings = FinetuneSettings(epochs=2, lr=0.1, batch_size=3, seed=1)
    assert run(settings)[0] == run(settings)[0] != run(FinetuneSettings(epochs=2, lr=0.1, batch_size=3, seed=2))[0]


@pytest.mark.parametrize(
    ("answer", "target", "same"),
    [(" Positive\n", "positive", True), ("positive!", "positive", False), ("", "negative", False), ("3", 3, True)],
)
def test_exact_match_ignores_case_and_surrounding_space(answer: str, target: object, same: bool) -> None:
    assert exact_match(answer, target) is same
