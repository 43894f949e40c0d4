"""Real system outputs, replayed through a whole run, score what the reference tools say.

The WMT22 German→English submissions and the CNN/DailyMail summaries of five systems
(../shared/data) go through the command line as `replay` models on the translation
and summarization tasks; each score in results.json must equal sacrebleu's or
rouge-score's own, computed here directly from the same files.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import NLPBENCH, child_env

pytestmark = pytest.mark.slow

WMT = "translation_wmt22_de_en"
SYSTEMS = ("Online-B", "JDExploreAcademy")
SUMMARIZERS = ("bart", "pgn")


def _run(suite: dict[str, Any], folder: Path) -> dict[str, Any]:
    path = folder / "suite.yaml"
    path.write_text(yaml.safe_dump(suite, sort_keys=False), encoding="utf-8")
    done = subprocess.run(
        [*NLPBENCH, "run", str(path), "--out", str(folder / "run"), "--no-progress"],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    results: dict[str, Any] = json.loads((folder / "run" / "results.json").read_text(encoding="utf-8"))
    return results


def _metrics(results: dict[str, Any], model: str, task: str) -> dict[str, Any]:
    (cell,) = [c for c in results["cells"] if c["model"] == model and c["task"] == task]
    assert cell["status"] == "ok", cell
    metrics: dict[str, Any] = cell["metrics"]
    return metrics


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def test_wmt22_submissions_score_as_sacrebleu_says(nlpbench_shared_data: Path, tmp_path: Path) -> None:
    import sacrebleu

    data = nlpbench_shared_data / WMT
    source = data / "generaltest2022.de-en.src.de"
    references = [data / "generaltest2022.de-en.ref.A.en", data / "generaltest2022.de-en.ref.B.en"]
    line_data = {"source": str(source), "references": [str(r) for r in references], "source_lang": "de", "target_lang": "en"}  # fmt: skip
    suite = {
        "name": "wmt22-replay",
        "seed": 1,
        "models": [
            {
                "name": system,
                "type": "replay",
                "params": {"predictions": str(data / f"generaltest2022.de-en.hyp.{system}.en")},
            }
            for system in SYSTEMS
        ],
        "tasks": [
            {"name": "wmt22", "type": "translation", "data": line_data, "metrics": ["bleu", "chrf"]},
            # TER's edit distance is slow in pure Python: the first 300 segments
            {"name": "wmt22-ter", "type": "translation", "data": line_data, "limit": 300, "metrics": ["ter"]},
        ],
        "reporters": [],
    }
    results = _run(suite, tmp_path)
    refs = [_lines(r) for r in references]
    for system in SYSTEMS:
        hyps = _lines(data / f"generaltest2022.de-en.hyp.{system}.en")
        assert len(hyps) == 1984
        scores = _metrics(results, system, "wmt22")
        bleu = sacrebleu.BLEU()
        assert scores["bleu"]["value"] == pytest.approx(bleu.corpus_score(hyps, refs).score, abs=1e-9)
        assert scores["bleu"]["info"]["signature"] == str(bleu.get_signature())
        assert scores["chrf"]["value"] == pytest.approx(sacrebleu.CHRF().corpus_score(hyps, refs).score, abs=1e-9)
        assert scores["bleu"]["ci_low"] < scores["bleu"]["value"] < scores["bleu"]["ci_high"]
        ter = _metrics(results, system, "wmt22-ter")["ter"]
        expected = sacrebleu.TER().corpus_score(hyps[:300], [r[:300] for r in refs]).score
        assert ter["value"] == pytest.approx(expected, abs=1e-9)


def test_cnn_dailymail_summaries_score_as_rouge_score_says(nlpbench_shared_data: Path, tmp_path: Path) -> None:
    from rouge_score import rouge_scorer

    rows = [json.loads(line) for line in (nlpbench_shared_data / "summarization_cnndm_frank" / "cnndm_test_frank.jsonl").read_text(encoding="utf-8").splitlines()]  # fmt: skip
    for system in SUMMARIZERS:  # saved predictions, keyed by example id, as replay reads them
        lines = [json.dumps({"id": row["id"], "prediction": row["system_summaries"][system]}) for row in rows]
        (tmp_path / f"{system}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {"path": str(nlpbench_shared_data / "summarization_cnndm_frank" / "cnndm_test_frank.jsonl")}
    suite = {
        "name": "cnndm-replay",
        "seed": 1,
        "models": [
            {"name": system, "type": "replay", "params": {"predictions": str(tmp_path / f"{system}.jsonl")}}
            for system in SUMMARIZERS
        ],
        "tasks": [
            {
                "name": "cnndm",
                "type": "summarization",
                "data": {**data, "document": "article", "summary": "highlights", "id": "id"},
                "metrics": ["rouge-1", "rouge-2", "rouge-l"],
            }
        ],
        "reporters": [],
    }
    results = _run(suite, tmp_path)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    for system in SUMMARIZERS:
        per_example = [scorer.score(row["highlights"], row["system_summaries"][system]) for row in rows]
        scores = _metrics(results, system, "cnndm")
        for ours, theirs in (("rouge-1", "rouge1"), ("rouge-2", "rouge2"), ("rouge-l", "rougeL")):
            expected = sum(s[theirs].fmeasure for s in per_example) / len(per_example)
            assert scores[ours]["value"] == pytest.approx(expected, abs=1e-12)
            assert scores[ours]["info"]["stemming"] is True
