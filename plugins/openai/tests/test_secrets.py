"""The API key is read from the variable the suite names and written nowhere: not in
results, samples, the store, the report, the command's output, nor in errors, even when
the server echoes the request's headers back. A suite naming an unset variable fails at
``nlpbench validate``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

NLPBENCH = [sys.executable, "-c", "from nlpbench.cli import main; main()"]
KEY = "sk-nlpbench-test-Zq7Xw3Kk9Secret"
WRONG_KEY = "sk-nlpbench-wrong-Pp2Vv8Mm1Secret"


def _nlpbench(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NLPBENCH, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def _env(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NLPBENCH_TEST_")}
    return {**env, "HF_HUB_OFFLINE": "1", **variables}


def _suite(tmp_path: Path, base_url: str) -> Path:
    rows = [{"text": t, "label": label} for t, label in [("I loved it", "positive"), ("Dull and slow", "negative")]]
    (tmp_path / "reviews.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    served = {"base_url": base_url, "timeout": 5, "max_retries": 0, "start_text": "<|endoftext|>"}
    suite = {
        "name": "secrets",
        "models": [
            {
                "name": "keyed",
                "type": "openai",
                "params": {**served, "model": "tiny-gpt", "api_key_env": "NLPBENCH_TEST_KEY"},
            },
            {
                "name": "keyed-chat",
                "type": "openai",
                "params": {**served, "model": "tiny-gpt", "endpoint": "chat", "api_key_env": "NLPBENCH_TEST_KEY"},
            },
            {
                "name": "echoes",
                "type": "openai",
                "params": {**served, "model": "leaky", "api_key_env": "NLPBENCH_TEST_KEY"},
            },
            {
                "name": "wrong",
                "type": "openai",
                # the key variable is no part of the store's key (the same model answers the
                # same): another start text makes this entry a model of its own, asked anew
                "params": {**served, "model": "tiny-gpt", "api_key_env": "NLPBENCH_TEST_WRONG", "start_text": "<s>"},
            },
        ],
        "tasks": [
            {
                "name": "reviews",
                "type": "sentiment",
                "data": {"path": "reviews.jsonl", "text": "text", "label": "label"},
            },
            {
                "name": "reviews-gen",
                "type": "sentiment",
                "strategy": "generate",
                "data": {"path": "reviews.jsonl", "text": "text", "label": "label"},
            },
        ],
    }
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump(suite, sort_keys=False), encoding="utf-8")
    return path


def test_the_key_is_written_nowhere(tmp_path: Path, openai_server: Any) -> None:
    openai_server.state.api_key = KEY
    suite = _suite(tmp_path, openai_server.base_url)
    env = _env(NLPBENCH_TEST_KEY=KEY, NLPBENCH_TEST_WRONG=WRONG_KEY)
    done = _nlpbench("--debug", "run", str(suite), "--out", str(tmp_path / "run"), env=env, cwd=tmp_path)
    results = json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))
    cells = {(c["model"], c["task"]): c for c in results["cells"]}
    # the run did what it should: the keyed models answered, the others failed with the server's words
    assert cells[("keyed", "reviews")]["status"] == "ok", done.stderr
    assert cells[("keyed", "reviews")]["strategy"] == "loglikelihood"
    assert cells[("keyed-chat", "reviews-gen")]["status"] == "ok"
    echoed = cells[("echoes", "reviews-gen")]
    assert echoed["status"] == "failed" and '"authorization": "Bearer ***"' in echoed["error"]
    assert cells[("echoes", "reviews")]["status"] == "failed"  # no log-probabilities: generate, refused
    wrong = cells[("wrong", "reviews")]
    assert wrong["status"] == "failed" and "HTTP 401: Incorrect API key provided: ***" in wrong["error"]
    assert done.returncode == 1  # some cells failed, on purpose

    written = sorted(p for p in (tmp_path / "run").rglob("*") if p.is_file())
    assert {p.name for p in written} >= {"results.json", "samples.jsonl", "store.sqlite", "report.html"}
    for secret in (KEY, WRONG_KEY):
        for path in written:
            assert secret.encode() not in path.read_bytes(), path
        assert secret not in done.stdout + done.stderr
    # the key's variable is named, never its value
    assert cells[("keyed", "reviews")]["model_info"]["base_url"] == openai_server.base_url


def test_validate_fails_for_an_unset_key_variable(tmp_path: Path, openai_server: Any) -> None:
    suite = _suite(tmp_path, openai_server.base_url)
    done = _nlpbench("validate", str(suite), env=_env(NLPBENCH_TEST_KEY=KEY), cwd=tmp_path)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, done.stderr
    assert errors[0].endswith("models[3]: params.api_key_env: the environment variable NLPBENCH_TEST_WRONG is not set")
    assert sum(openai_server.state.received.values()) == 0
