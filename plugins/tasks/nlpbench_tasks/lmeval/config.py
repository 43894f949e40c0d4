"""One lm-evaluation-harness task config (its YAML, includes merged) translated into a
declarative task that follows lm-evaluation-harness's conventions, and the metrics it
reports under lm-evaluation-harness's names.

Only the subset of keys below is read; any other key is a one-line error naming it, so
a file never runs silently different from how lm-evaluation-harness would run it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpbench import MAX_NEW_TOKENS, MAX_SHOTS, ConfigError, DataSource, TaskError, one_line

from ..fewshot import LM_EVAL_SEED, LmEvalDraws
from ..fields import Conventions, compile_params, lm_eval_words
from ..filters import INVALID
from ..params import GenerateOptions, TemplateParams
from ..task import TaskSetup
from ..templates import RowTemplate
from . import functions as task_code
from .fields import choice_field, target_field, text_field
from .task import OUTPUT_TYPES
from .yamlfile import FunctionRef, Located

LM_EVAL = Conventions(
    name="lm-evaluation-harness",
    unresolved="wrong",
    count_words=lm_eval_words,
    rolling_windows="disjoint",
    digit_strings=False,
)


#: The keys read (the rest of this module says how).
SUPPORTED = {
    "task", "task_alias", "tag", "group", "dataset_path", "dataset_name", "dataset_kwargs", "training_split",
    "validation_split", "test_split", "fewshot_split", "fewshot_config", "process_docs", "doc_to_text",
    "doc_to_target", "doc_to_choice", "description", "target_delimiter", "fewshot_delimiter", "num_fewshot",
    "output_type", "generation_kwargs", "repeats", "filter_list", "metric_list", "metadata",
    "should_decontaminate", "doc_to_decontamination_query", "unsafe_code",
}  # fmt: skip
#: lm-evaluation-harness's keys that nlpbench does not run (it would give other numbers).
UNSUPPORTED = {
    "custom_dataset", "process_results", "use_prompt", "doc_to_image", "doc_to_audio", "gen_prefix", "class",
}  # fmt: skip

#: lm-evaluation-harness's metric → (nlpbench's metric, its options, lm-evaluation-harness's aggregation).
METRICS: dict[str, tuple[str, dict[str, Any], str]] = {
    "acc": ("acc", {}, "mean"),
    "acc_norm": ("acc_norm", {}, "mean"),
    "acc_bytes": ("acc_norm", {"by": "bytes"}, "mean"),
    "acc_mutual_info": ("acc_mutual_info", {}, "mean"),
    "exact_match": ("em", {}, "mean"),
    "perplexity": ("target-perplexity", {}, "perplexity"),
    "word_perplexity": ("word-perplexity", {}, "weighted_perplexity"),
    "byte_perplexity": ("byte-perplexity", {}, "weighted_perplexity"),
    "bits_per_byte": ("bits-per-byte", {}, "bits_per_byte"),
    "brier_score": ("brier", {}, "brier_score"),
    "bleu": ("bleu", {}, "bleu"),
    "chrf": ("chrf", {}, "chrf"),
    "ter": ("ter", {}, "ter"),
}
METRIC_OPTIONS = {"exact_match": ("ignore_case", "ignore_punctuation", "ignore_numbers", "regexes_to_ignore")}
DEFAULT_METRICS = {
    "multiple_choice": ("acc", "acc_norm"),
    "generate_until": ("exact_match",),
    "loglikelihood": ("perplexity", "acc"),
    "loglikelihood_rolling": ("word_perplexity", "byte_perplexity", "bits_per_byte"),
}
BUILDERS = ("json", "csv", "parquet", "text", "arrow")


@dataclass(frozen=True)
class Translated:
    """A task config as nlpbench runs it."""

    name: str
    setup: TaskSetup
    metrics: tuple[dict[str, Any], ...]
    description: str


class _Config:
    """The merged document with error helpers that name the file and line of a key."""

    def __init__(self, document: Located, path: Path) -> None:
        self.document = document
        self.path = path

    def where(self, key: str) -> str:
        return self.document.where.get(key, str(self.path)) if isinstance(self.document, Located) else str(self.path)

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where(key)}: {key}: {message}")

    def get(self, key: str, default: Any = None) -> Any:
        return self.document.get(key, default)


def check_keys(config: _Config) -> None:
    for key in config.document:
        if key in UNSUPPORTED:
            raise config.fail(key, "nlpbench does not run this lm-evaluation-harness key (it would give other numbers)")
        if key not in SUPPORTED:
            raise config.fail(key, "not a key of lm-evaluation-harness's task format that nlpbench reads")


def _function(value: Any, key: str, trusted: bool) -> Any:
    return task_code.resolve(value, key, trusted) if isinstance(value, FunctionRef) else value


def _split(config: _Config, key: str) -> str | None:
    value = config.get(key)
    if value is not None and not isinstance(value, str):
        raise config.fail(key, f"must be a split's name, not {value!r}")
    return value


def _data_file(config: _Config, value: Any) -> Path:
    """A data file: beside the YAML when it is there, else where lm-evaluation-harness
    looks (the working folder)."""
    if not isinstance(value, str):
        raise config.fail("dataset_kwargs", f"data_files: must name files, not {value!r}")
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    beside = config.path.parent / path
    return beside if beside.exists() else Path.cwd() / path


def _sources(config: _Config) -> Callable[[str], DataSource]:
    """The data source of each split name."""
    path, name = config.get("dataset_path"), config.get("dataset_name")
    if not isinstance(path, str) or not path:
        raise config.fail("dataset_path", "is required: a dataset on the hub, a builder (json, csv) or a folder")
    kwargs = config.get("dataset_kwargs") or {}
    if not isinstance(kwargs, Mapping):
        raise config.fail("dataset_kwargs", "must be a mapping")
    for key in kwargs:
        if key not in ("data_files", "trust_remote_code"):
            raise config.fail(
                "dataset_kwargs", f"{key}: nlpbench reads data_files (and ignores trust_remote_code) only"
            )
    files = kwargs.get("data_files")
    local = config.path.parent / path
    local_dataset = local if local.is_dir() else None

    def source(split: str) -> DataSource:
        if files is None:
            return DataSource(hub=path, config=name, split=split, local_dataset=local_dataset)
        if isinstance(files, Mapping):
            if split not in files:
                raise config.fail("dataset_kwargs", f"data_files names no file for the split '{split}'")
            chosen = files[split]
            listed = chosen if isinstance(chosen, list) else [chosen]
            # a builder names the split of a list of files "train"
            return DataSource(
                hub=path, config=name, split="train", data_files=tuple(_data_file(config, f) for f in listed)
            )
        listed = files if isinstance(files, list) else [files]
        return DataSource(hub=path, config=name, split=split, data_files=tuple(_data_file(config, f) for f in listed))

    return source


def _generate(config: _Config) -> GenerateOptions:
    """``generation_kwargs`` as lm-evaluation-harness fills it: ``until`` defaults to the
    few-shot delimiter (given or not), 256 new tokens, greedy unless ``do_sample`` (the
    end-of-text token always stops it too)."""
    kwargs = config.get("generation_kwargs")
    delimiter = config.get("fewshot_delimiter", "\n\n")
    if kwargs is None:
        return GenerateOptions(until=(str(delimiter),), max_new_tokens=256, temperature=0.0)
    if not isinstance(kwargs, Mapping):
        raise config.fail("generation_kwargs", "must be a mapping")
    known = ("until", "max_gen_toks", "max_new_tokens", "do_sample", "temperature")
    for key in kwargs:
        if key not in known:
            raise config.fail("generation_kwargs", f"{key}: nlpbench reads {', '.join(known)} only")
    until = kwargs.get("until", [delimiter])
    until = [until] if isinstance(until, str) else list(until)
    tokens = kwargs.get("max_gen_toks", kwargs.get("max_new_tokens", 256))
    if isinstance(tokens, bool) or not isinstance(tokens, int) or not 1 <= tokens <= MAX_NEW_TOKENS:
        raise config.fail(
            "generation_kwargs", f"max_gen_toks: must be a whole number from 1 to {MAX_NEW_TOKENS}, not {tokens!r}"
        )
    sample = kwargs.get("do_sample")
    temperature = kwargs.get("temperature", 0.0) or 0.0
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or temperature < 0:
        raise config.fail("generation_kwargs", f"temperature: must be a number of at least 0, not {temperature!r}")
    temperature = float(temperature)
    if sample is False:
        temperature = 0.0
    elif sample is True and temperature == 0.0:
        temperature = 1.0
    return GenerateOptions(until=tuple(str(u) for u in until), max_new_tokens=int(tokens), temperature=temperature)


def _filters(config: _Config) -> dict[str, list[Any]] | list[Any]:
    """``filter_list`` as named pipelines of nlpbench's filters (none: one, unnamed)."""
    value = config.get("filter_list")
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        raise config.fail("filter_list", "must be a list of {name, filter}")
    pipelines: dict[str, list[Any]] = {}
    for entry in value:
        if (
            not isinstance(entry, Mapping)
            or not isinstance(entry.get("name"), str)
            or not isinstance(entry.get("filter"), list)
        ):
            raise config.fail("filter_list", f"each entry is {{name: ..., filter: [...]}}, not {entry!r}")
        steps: list[Any] = []
        for step in entry["filter"]:
            function = step.get("function") if isinstance(step, Mapping) else None
            if function == "regex":
                steps.append({
                    "regex": step.get("regex_pattern", r"#### (\-?[0-9\.\,]+)"),
                    "select": step.get("group_select", 0),
                    "fallback": step.get("fallback", INVALID),
                })  # fmt: skip
            elif function in ("take_first", "lowercase", "uppercase"):
                steps.append(function)
            elif function == "remove_whitespace":
                steps.append("strip")
            elif function == "map":
                steps.append({"map": step.get("mapping_dict") or {}, "default": step.get("default_value")})
            else:
                raise config.fail("filter_list", f"filter function {function!r} is not one nlpbench runs "
                                  "(regex, take_first, remove_whitespace, lowercase, uppercase, map)")  # fmt: skip
        pipelines[entry["name"]] = steps
    return pipelines


def _metrics(config: _Config, output_type: str, pipelines: Sequence[str]) -> tuple[dict[str, Any], ...]:
    """``metric_list`` as nlpbench metrics, each under lm-evaluation-harness's name
    (``exact_match,strict-match`` per pipeline of filters, as its results name them)."""
    listed = config.get("metric_list")
    entries = listed if listed is not None else [{"metric": m} for m in DEFAULT_METRICS[output_type]]
    if not isinstance(entries, list):
        raise config.fail("metric_list", "must be a list of {metric: ...}")
    refs: list[dict[str, Any]] = []
    for entry in entries:
        metric = entry.get("metric") if isinstance(entry, Mapping) else None
        if not isinstance(metric, str) or metric not in METRICS:
            raise config.fail("metric_list", f"metric {metric!r} is not one nlpbench computes ({', '.join(METRICS)})")
        name, options, aggregation = METRICS[metric]
        given = entry.get("aggregation", aggregation)
        if given != aggregation:
            raise config.fail(
                "metric_list", f"{metric}: aggregation {given!r}: nlpbench aggregates it as {aggregation}"
            )
        for key, value in entry.items():
            if key in ("metric", "aggregation", "higher_is_better", "hf_evaluate"):
                continue
            if key not in METRIC_OPTIONS.get(metric, ()):
                raise config.fail("metric_list", f"{metric}: option {key} is not one nlpbench reads")
            options = {**options, key: list(value) if isinstance(value, list) else value}
        if output_type == "generate_until" and pipelines != [""] and name == "em":
            refs += [{"name": name, **options, "filter": p, "as": f"{metric},{p}"} for p in pipelines]
        elif output_type == "generate_until" and pipelines != [""]:  # scored on the first pipeline's answer
            refs.append({"name": name, **options, "as": f"{metric},{pipelines[0]}"})
        else:
            refs.append({"name": name, **options, **({"as": metric} if metric != name else {})})
    return tuple(refs)


def translate(
    document: Located, path: Path, *, trusted: bool, overrides: Mapping[str, Any] | None = None
) -> Translated:
    """The task ``document`` (from ``path``) as nlpbench runs it; ConfigError naming the
    file, line and key for anything outside the subset nlpbench reads."""
    if overrides:
        merged = Located({**document, **overrides})
        merged.where = dict(document.where)
        document = merged
    config = _Config(document, path)
    check_keys(config)
    name = config.get("task")
    if not isinstance(name, str) or not name:
        raise config.fail("task", "is required: the task's name")
    output_type = config.get("output_type", "generate_until")
    if output_type not in OUTPUT_TYPES:
        raise config.fail("output_type", f"must be one of {', '.join(OUTPUT_TYPES)}, not {output_type!r}")
    repeats = config.get("repeats", 1)
    if repeats != 1:
        raise config.fail("repeats", "nlpbench asks each request once (repeats: 1)")
    if config.get("unsafe_code"):
        raise config.fail("unsafe_code", "nlpbench does not run tasks that execute generated code")
    shots = config.get("num_fewshot") or 0
    if isinstance(shots, bool) or not isinstance(shots, int) or not 0 <= shots <= MAX_SHOTS:
        raise config.fail("num_fewshot", f"must be a whole number of shots from 0 to {MAX_SHOTS}, not {shots!r}")
    fewshot = config.get("fewshot_config") or {}
    if not isinstance(fewshot, Mapping) or set(fewshot) - {"sampler"}:
        raise config.fail("fewshot_config", "nlpbench reads its sampler (default or first_n) only")
    sampler = fewshot.get("sampler", "default")
    if sampler not in ("default", "first_n"):
        raise config.fail("fewshot_config", f"sampler {sampler!r}: nlpbench has default and first_n")

    doc_to_choice = _function(config.get("doc_to_choice"), "doc_to_choice", trusted)
    has_choices = doc_to_choice is not None
    text = text_field(
        _function(config.get("doc_to_text"), "doc_to_text", trusted), config.where("doc_to_text"), has_choices
    )
    target = target_field(
        _function(config.get("doc_to_target"), "doc_to_target", trusted), config.where("doc_to_target"), has_choices
    )
    functions: dict[str, Callable[..., Any]] = {"input": text, "target": target}
    if has_choices:
        functions["choices"] = choice_field(doc_to_choice, config.where("doc_to_choice"))
    output = OUTPUT_TYPES[output_type]
    if output == "rolling":  # the text scored is the target
        functions = {"input": target}
    if output == "multiple_choice" and not has_choices:
        raise config.fail("doc_to_choice", "is required for output_type multiple_choice")
    pipelines = _filters(config)
    params = TemplateParams.model_construct(
        output=output,
        input="",
        choices=None,
        target=None,
        id=None,
        continuation=None,
        description="",
        target_delimiter=str(config.get("target_delimiter", " ")),
        fewshot_delimiter=str(config.get("fewshot_delimiter", "\n\n")),
        shots=shots,
        sampler="random",
        labels=None,
        classify=TemplateParams.model_fields["classify"].default,
        extract_span=None,
        generate=_generate(config),
        filters=pipelines,
    )
    compiled = compile_params(params, functions)
    compiled.names = {
        field: f"{config.where(key)}: {key}"
        for field, key in (("input", "doc_to_text"), ("target", "doc_to_target"), ("choices", "doc_to_choice"))
    }
    if output == "rolling":
        compiled.names = {"input": f"{config.where('doc_to_target')}: doc_to_target"}
    description = config.get("description") or ""
    if description:
        compiled.description = RowTemplate(str(description), f"{config.where('description')}: description")

    source = _sources(config)
    test, validation = _split(config, "test_split"), _split(config, "validation_split")
    training, fewshot_split = _split(config, "training_split"), _split(config, "fewshot_split")
    evaluated = test or validation
    if evaluated is None:
        raise config.fail("test_split", "give test_split or validation_split: the split to evaluate")
    pool = fewshot_split or training or validation or test
    process = _function(config.get("process_docs"), "process_docs", trusted)
    setup = TaskSetup(
        params=params,
        compiled=compiled,
        test=source(evaluated),
        train=source(pool) if pool is not None else None,
        conventions=LM_EVAL,
        process_rows=_through_dataset(process, config.where("process_docs")) if process is not None else None,
        lm_eval_draws=LmEvalDraws(LM_EVAL_SEED, sampler, same_split=fewshot_split == test),
        facts={"file": str(path), "lm_eval_task": name},
    )
    names = list(pipelines) if isinstance(pipelines, dict) else [""]
    return Translated(name, setup, _metrics(config, output_type, names), str(config.get("task_alias") or name))


def _through_dataset(
    process: Callable[[Any], Any], where: str
) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    """``process_docs`` takes and gives an HF ``datasets.Dataset``: the rows go through one.
    What it raises is a TaskError naming the file, line and key (the task's cells fail)."""

    def rows(given: list[dict[str, Any]]) -> list[dict[str, Any]]:
        import datasets

        try:
            return [dict(row) for row in process(datasets.Dataset.from_list(given))]
        except Exception as error:
            raise TaskError(f"{where}: process_docs raised {one_line(error)}") from None

    return rows
