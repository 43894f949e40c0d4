"""nlpbench, lm-evaluation-harness and a hand-written sorted loop, side by side, on
multiple choice and greedy generation with a tiny GPT: ratios in one table.

Issue 14's targets (2 CPU cores): generation ≥ 1.8× faster than lm-eval end to end and
≤ 1.0× the hand-written loop; multiple choice ≥ 2.5× faster than lm-eval.

The work (written into ``--work``):

- a small GPT-2 built from a config (seeded weights, the real GPT-2 vocabulary), saved
  with ``save_pretrained``, as :mod:`lm_eval_agreement` writes it;
- ``--docs`` synthetic reviews (500), asked two ways through lm-eval task files that both
  tools read: multiple choice over four answers (``terrible``, ``bad``, ``good``,
  ``great``) and greedy generation of ``--new-tokens`` tokens (32; the untrained model
  rarely says the stop string, so nearly every answer is that long).

Each contender runs as a fresh process, timed end to end (interpreter start, imports,
model loading, the work, writing results), at the same batch size:

- **lm-eval**: ``lm_eval --model hf``, from the throwaway venv :func:`ensure_venv`
  builds (``torch==2.13.0``, the CPU build on this disk, then ``lm_eval[hf]``; never
  the project's venv);
- **nlpbench**: ``nlpbench run --no-cache`` on a suite naming the same task files;
- **loop**: the plain code a user would write: tokenize, sort by length, batch, one
  forward pass per batch of (context + choice) sequences with the log-softmax taken
  over the continuation's positions only, or ``model.generate`` per batch of
  left-padded prompts; no caching, no shared contexts.

It prints each wall time (the fastest of ``--repeats``) and the ratios: ``lm-eval /
nlpbench`` (how many times faster nlpbench is) and ``nlpbench / loop`` (1.0 or less:
no slower than the loop).

    .venv/bin/python benchmarks/perf/side_by_side.py [--work DIR] [--venv DIR]
        [--docs 500] [--new-tokens 32] [--batch-size 32] [--layers 4] [--width 256] [--repeats 1]
        [--threads N] [--skip-lm-eval]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lm_eval_agreement import (  # a sibling script, not a package
    OFFLINE,
    ensure_venv,
    run_lm_eval,
    run_nlpbench,
    sentence,
    timed,
    write_model,
)

CHOICES = ["terrible", "bad", "good", "great"]
STOP = "\n\n"

MC_TASK = """task: side_mc
dataset_path: json
dataset_kwargs:
  data_files:
    test: data/reviews.jsonl
output_type: multiple_choice
test_split: test
doc_to_text: "Review: {{text}}\\nSentiment:"
doc_to_target: "{{label}}"
doc_to_choice: ["terrible", "bad", "good", "great"]
metric_list:
  - metric: acc
"""

GEN_TASK = """task: side_gen
dataset_path: json
dataset_kwargs:
  data_files:
    test: data/reviews.jsonl
output_type: generate_until
test_split: test
doc_to_text: "Review: {{text}}\\nSentiment:"
doc_to_target: "{{answer}}"
generation_kwargs:
  until: ["\\n\\n"]
  do_sample: false
  temperature: 0.0
  max_gen_toks: NEW_TOKENS
metric_list:
  - metric: exact_match
"""

#: The hand-written loop, run as its own process in the project's venv.
LOOP = """
import json, sys, time
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

kind, model_dir, data, batch, new_tokens = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
choices = ["terrible", "bad", "good", "great"]
tokenizer = AutoTokenizer.from_pretrained(model_dir)
model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
docs = [json.loads(line) for line in open(data)]
prompts = ["Review: " + d["text"] + "\\nSentiment:" for d in docs]
started = time.perf_counter()
with torch.inference_mode():
    if kind == "mc":
        rows = []  # (tokens, number of continuation tokens, doc, choice)
        for i, prompt in enumerate(prompts):
            context = tokenizer(prompt)["input_ids"]
            for c, choice in enumerate(choices):
                ending = tokenizer(" " + choice)["input_ids"]
                rows.append((context + ending, len(ending), i, c))
        rows.sort(key=lambda row: -len(row[0]))
        scores = {}
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            width = max(len(r[0]) for r in chunk)
            ids = torch.tensor([r[0] + [0] * (width - len(r[0])) for r in chunk])
            logits = model(ids).logits
            for k, (tokens, n, i, c) in enumerate(chunk):
                end = len(tokens)  # log-softmax over the continuation's positions only
                logprobs = torch.log_softmax(logits[k, end - n - 1 : end - 1].float(), dim=-1)
                scores[(i, c)] = float(logprobs.gather(1, ids[k, end - n : end, None]).sum())
        answers = [max(range(len(choices)), key=lambda c: scores[(i, c)]) for i in range(len(prompts))]
    else:
        tokenizer.padding_side = "left"
        tokenizer.pad_token = tokenizer.eos_token
        order = sorted(range(len(prompts)), key=lambda i: -len(tokenizer(prompts[i])["input_ids"]))
        answers = [None] * len(prompts)
        for start in range(0, len(order), batch):
            chunk = order[start : start + batch]
            encoded = tokenizer([prompts[i] for i in chunk], return_tensors="pt", padding=True)
            out = model.generate(**encoded, max_new_tokens=new_tokens, do_sample=False,
                                 pad_token_id=tokenizer.eos_token_id)
            for i, row in zip(chunk, out[:, encoded["input_ids"].shape[1]:].tolist()):
                answers[i] = tokenizer.decode(row, skip_special_tokens=True).split("\\n\\n")[0]
print(json.dumps({"model_seconds": time.perf_counter() - started, "n": len(answers)}))
"""


def write_work(work: Path, docs: int, new_tokens: int) -> None:
    rng = random.Random(20261203)
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    rows = [
        {"text": sentence(rng, rng.randint(8, 60)) + ".", "label": rng.randrange(4), "answer": rng.choice(CHOICES)}
        for _ in range(docs)
    ]
    (data / "reviews.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    tasks = work / "tasks"
    tasks.mkdir(exist_ok=True)
    (tasks / "side_mc.yaml").write_text(MC_TASK, encoding="utf-8")
    (tasks / "side_gen.yaml").write_text(GEN_TASK.replace("NEW_TOKENS", str(new_tokens)), encoding="utf-8")
    (work / "loop.py").write_text(LOOP, encoding="utf-8")


def run_loop(work: Path, model: Path, kind: str, batch: int, new_tokens: int) -> float:
    command = [sys.executable, str(work / "loop.py"), kind, str(model), str(work / "data" / "reviews.jsonl")]
    command += [str(batch), str(new_tokens)]
    return timed(command, work, {**OFFLINE, "HF_HOME": str(work / "hf_home")}, work / f"loop_{kind}.log")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/nlpbench-side-by-side"))
    parser.add_argument("--venv", type=Path, default=Path("/tmp/nlpbench-lm-eval-venv"))
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--positions", type=int, default=512)
    parser.add_argument(
        "--repeats", type=int, default=1, help="runs of each contender, alternating; the fastest counts"
    )
    parser.add_argument("--skip-lm-eval", action="store_true", help="only nlpbench and the loop (no venv)")
    parser.add_argument("--threads", type=int, help="torch threads of every contender (default: torch's own)")
    args = parser.parse_args()
    if args.threads is not None:  # inherited by every child process; each reads it at start
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(args.threads)
    work = args.work.resolve()
    lm_eval = None if args.skip_lm_eval else ensure_venv(args.venv)
    write_work(work, args.docs, args.new_tokens)
    model = write_model(work, args)
    batch = args.batch_size
    kinds = {"multiple choice": ("side_mc", "mc"), "generation": ("side_gen", "gen")}
    times: dict[tuple[str, str], float] = {}
    names = ["nlpbench", "loop"] + ([] if lm_eval is None else ["lm-eval"])
    for _ in range(args.repeats):
        for label, (task, tag) in kinds.items():
            for name in names:
                if name == "nlpbench":
                    seconds = run_nlpbench(work, model, [f"{task}.yaml"], batch, tag)
                elif name == "loop":
                    seconds = run_loop(work, model, tag, batch, args.new_tokens)
                else:
                    assert lm_eval is not None
                    seconds = run_lm_eval(lm_eval, work, model, [task], batch, tag)
                times[label, name] = min(seconds, times.get((label, name), seconds))
                print(f"  {label:16s} {name:9s} {seconds:7.2f} s", file=sys.stderr)
    print(
        f"\n{args.docs} reviews; GPT-2 {args.layers} layers × {args.width}, batch {batch}; "
        f"generation: greedy, {args.new_tokens} new tokens; wall s, fresh processes, fastest of {args.repeats}"
    )
    print(
        f"{'task':16s} {'nlpbench':>9s} {'lm-eval':>9s} {'loop':>9s}  {'lm-eval/nlpbench':>16s}  {'nlpbench/loop':>13s}"
    )
    for label in kinds:
        ours, loop = times[label, "nlpbench"], times[label, "loop"]
        theirs = times.get((label, "lm-eval"))
        shown = f"{theirs:9.2f}" if theirs is not None else f"{'-':>9s}"
        speedup = f"{theirs / ours:15.2f}×" if theirs is not None else f"{'-':>16s}"
        print(f"{label:16s} {ours:9.2f} {shown} {loop:9.2f}  {speedup}  {ours / loop:12.2f}×")


if __name__ == "__main__":
    main()
