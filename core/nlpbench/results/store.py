"""The results store: one SQLite file (standard library) that keeps every prediction.

A run writes each batch of predictions in one transaction as soon as the model has
answered it, so a run killed at any point loses at most the batch in flight; the same
command, run again, asks the model only about the examples not yet stored. A
prediction is stored under two keys:

- the **cell key**: the model's identity (its type and its plugin's code, the hashes of
  its weight files or its hub id and revision, its config, params and seed), the task
  type and params, the strategy, and the code of the core and of the task type's plugin
  (only the plugins the cell uses: installing another leaves the key as it was). A
  plugin's code is its version, and for an editable install also a hash of its source
  files (:mod:`nlpbench.plugins.code_identity`), so an edited plugin is asked again;
- the **example key**: the example's id and the exact requests built for it, which
  carry the prompt template and shots as rendered, the text and the generation
  parameters; a change to any of them is a new key.

A classifier's label probabilities (a task's optional ``probabilities`` hook) are kept
beside its prediction: NULL where they were never recorded (a store of schema 1), so
that such a row is asked again rather than read without them.

Each finished cell also stores every example's prediction, references and per-metric
statistics, which is what ``nlpbench rescore`` and ``nlpbench compare`` read. Several
runs may share one store (WAL journal, busy timeout): each connection writes in short
transactions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nlpbench.contracts.components import ModelSpec, Request
from nlpbench.contracts.errors import ConfigError

STORE_FILE = "store.sqlite"
#: The prefix of a model's info in the ``meta`` table, before its cell key.
_MODEL_INFO = "model_info "
#: Bumped when the tables change; a store written by a newer nlpbench is refused, an
#: older one is brought up to date (schema 2 added ``predictions.probabilities``, schema 3
#: ``predictions.prompt`` and the ``derived`` table).
SCHEMA_VERSION = 3
#: What :meth:`Store.cached` gives for probabilities never recorded (not the same as None:
#: recorded, and the task gave none).
NOT_RECORDED: Any = object()
#: Params that change how fast (or how patiently, or at what price, or with whose key) a
#: model answers, not what it answers: a served model's rerun after an outage, with more
#: retries, a new price table or another key variable, still finds its answers.
SPEED_PARAMS = frozenset({"batch_size", "timeout", "max_concurrency", "max_retries", "price", "api_key_env"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS predictions (
    cell_key TEXT NOT NULL, example_key TEXT NOT NULL, example_id TEXT NOT NULL,
    prediction TEXT NOT NULL, created REAL NOT NULL, probabilities TEXT, prompt TEXT,
    PRIMARY KEY (cell_key, example_key)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT, out_dir TEXT NOT NULL, suite TEXT NOT NULL,
    suite_hash TEXT NOT NULL, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cells (
    run_id INTEGER NOT NULL, model TEXT NOT NULL, task TEXT NOT NULL, cell_key TEXT NOT NULL,
    result TEXT NOT NULL, PRIMARY KEY (run_id, model, task)
);
CREATE TABLE IF NOT EXISTS examples (
    run_id INTEGER NOT NULL, model TEXT NOT NULL, task TEXT NOT NULL, position INTEGER NOT NULL,
    example_id TEXT NOT NULL, prediction TEXT NOT NULL, refs TEXT NOT NULL, stats TEXT NOT NULL,
    PRIMARY KEY (run_id, model, task, example_id)
);
CREATE TABLE IF NOT EXISTS scores (
    cell_key TEXT NOT NULL, metric_key TEXT NOT NULL, examples TEXT NOT NULL, bootstrap TEXT NOT NULL,
    score TEXT NOT NULL, rows TEXT NOT NULL, PRIMARY KEY (cell_key, metric_key, examples, bootstrap)
);
CREATE TABLE IF NOT EXISTS derived (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS file_hashes (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL
);
"""


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Fields added to a request after stores were written, with the value every older
#: request had: left out of the fingerprint at that value, so older stores still serve.
LATER_FIELDS: dict[str, Any] = {"windows": "sliding", "messages": ()}


def request_fingerprint(request: Request) -> dict[str, Any]:
    """Everything that decides a request's answer (its example id aside)."""
    fields = {
        f.name: _plain(getattr(request, f.name))
        for f in dataclasses.fields(request)
        if f.name != "example_id" and not (f.name in LATER_FIELDS and getattr(request, f.name) == LATER_FIELDS[f.name])
    }
    return {"capability": request.capability, **fields}


def _plain(value: Any) -> Any:
    """A request field as JSON: a conversation's messages as [role, content] pairs."""
    if isinstance(value, tuple) and value and all(dataclasses.is_dataclass(v) for v in value):
        return [[getattr(v, f.name) for f in dataclasses.fields(v)] for v in value]
    return value


def digest(value: Any) -> str:
    """A stable SHA-256 of any JSON-able value (keys sorted)."""
    return _digest(value)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that does not write ``path`` (``query_only``: every write statement
    fails). It is opened as SQLite opens any file, read-write where it may, so that,
    as the last to close, it removes the ``-wal`` and ``-shm`` files reading a WAL store
    creates (a ``mode=ro`` connection would leave them behind). Where they cannot be
    created at all (a read-only filesystem or folder), SQLite reads the store only as
    immutable, which is safe there: nobody can be writing it, as a writer could not
    create its ``-wal`` file either."""
    db = sqlite3.connect(str(path), timeout=60.0, isolation_level=None)
    try:
        db.execute("PRAGMA query_only = ON")
        db.execute("PRAGMA busy_timeout = 60000")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError as error:
        db.close()
        if "unable to open" not in str(error):
            raise
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None)


def example_key(example_id: str, requests: Sequence[Request]) -> str:
    """The key of one example's prediction: its id and the exact requests it was asked."""
    return _digest([example_id, [request_fingerprint(r) for r in requests]])


class Store:
    """An open results store. Use as a context manager, or call :meth:`close`.

    ``read_only`` opens an existing store for reading only (what ``nlpbench compare``
    needs): nothing is created, upgraded or written, so a run on a read-only filesystem
    or in someone else's folder can be compared; any write raises."""

    def __init__(self, path: Path, *, create: bool = True, read_only: bool = False) -> None:
        self.path = path
        if (read_only or not create) and not path.is_file():
            raise ConfigError(f"{path}: no results store here")
        try:
            if read_only:
                self.db = _connect_read_only(path)
                self._check_readable(self._version())
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            # check_same_thread off: a runner that asks models in threads shares this one
            # connection, its calls serialised by a lock (nlpbench.running.storing.SharedStore)
            self.db = sqlite3.connect(str(path), timeout=60.0, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout = 60000")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            version = self._version()
            if version is None:
                with self.transaction():
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                    self.db.execute(
                        "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                    )
            elif version < SCHEMA_VERSION:
                self._upgrade(version)
            else:
                self._check_readable(version)
        except sqlite3.DatabaseError as error:
            if hasattr(self, "db"):
                self.db.close()
            raise ConfigError(
                f"{path}: not a readable nlpbench store ({error}); move it away or use --no-cache"
            ) from None

    def _check_readable(self, version: int | None) -> None:
        """ConfigError (the connection closed) unless this nlpbench reads schema ``version``.
        An older schema reads as it is: what compare reads has not changed since version 1."""
        if version is None:
            self.db.close()
            raise ConfigError(f"{self.path}: not an nlpbench store (it has no schema version)")
        if version > SCHEMA_VERSION:
            self.db.close()
            raise ConfigError(
                f"{self.path}: the store was written by a newer nlpbench (schema {version}; this one reads up to "
                f"{SCHEMA_VERSION}); upgrade nlpbench or use another --store"
            )

    def _upgrade(self, version: int) -> None:
        """Bring a store written by an older nlpbench up to date, keeping every row."""
        with self.transaction():
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(predictions)")}
            for column in ("probabilities", "prompt"):  # schema 2, schema 3
                if column not in columns:
                    self.db.execute(f"ALTER TABLE predictions ADD COLUMN {column} TEXT")
            if version < 3:
                self.db.execute("CREATE TABLE IF NOT EXISTS derived (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))

    def _version(self) -> int | None:
        has_meta = self.db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if not has_meta:
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (taken at once, so concurrent writers queue, not deadlock)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- predictions (the cache) ---------------------------------------------------

    def cached(self, cell_key: str, keys: Iterable[str]) -> dict[str, tuple[Any, Any, str | None]]:
        """The stored predictions among ``keys``: example key → (prediction, probabilities,
        prompt), the probabilities :data:`NOT_RECORDED` where the row has none recorded, the
        prompt None unless the model said what it was shown (its ``render_prompt``)."""
        wanted = list(keys)
        found: dict[str, tuple[Any, Any, str | None]] = {}
        for start in range(0, len(wanted), 500):  # SQLite's variable limit
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                "SELECT example_key, prediction, probabilities, prompt FROM predictions "
                f"WHERE cell_key = ? AND example_key IN ({marks})",
                (cell_key, *chunk),
            )
            found.update(
                (
                    key,
                    (
                        json.loads(prediction),
                        NOT_RECORDED if probabilities is None else json.loads(probabilities),
                        prompt,
                    ),
                )
                for key, prediction, probabilities, prompt in rows
            )
        return found

    def save_predictions(
        self, cell_key: str, rows: Sequence[tuple[str, str, Any, Any]], prompts: Mapping[str, str] | None = None
    ) -> None:
        """Store ``(example key, example id, prediction, probabilities)`` rows in one transaction,
        with the prompt the model says it was shown (``prompts``: example key → text) where
        it said so (a chat model renders its conversation through its template)."""
        now = time.time()
        shown = prompts or {}
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO predictions "
                "(cell_key, example_key, example_id, prediction, created, probabilities, prompt) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (cell_key, key, example_id, _json(prediction), now, _json(probabilities), shown.get(key))
                    for key, example_id, prediction, probabilities in rows
                ],
            )

    # -- scores (so that an identical rerun computes nothing) ----------------------

    def cached_score(self, cell_key: str, metric_key: str, examples: str, bootstrap: str) -> tuple[Any, Any] | None:
        """A metric's stored score and per-example statistics for exactly these examples
        (``examples``: a digest of their keys, in order) and bootstrap settings."""
        row = self.db.execute(
            "SELECT score, rows FROM scores WHERE cell_key = ? AND metric_key = ? AND examples = ? AND bootstrap = ?",
            (cell_key, metric_key, examples, bootstrap),
        ).fetchone()
        return (json.loads(row[0]), json.loads(row[1])) if row else None

    def save_score(
        self, cell_key: str, metric_key: str, examples: str, bootstrap: str, score: Any, rows: Sequence[Sequence[float]]
    ) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO scores VALUES (?, ?, ?, ?, ?, ?)",
                (cell_key, metric_key, examples, bootstrap, _json(score), _json([list(r) for r in rows])),
            )

    # -- derived results (so that an identical rerun recomputes no more than its scores) --

    def derived(self, key: str) -> Any:
        """What was derived from a run's answers under ``key`` (an audit's entries, the
        comparisons), None if nothing was. The key is a digest of everything the value
        depends on, the code included, so a value found is the value that would be computed."""
        row = self.db.execute("SELECT value FROM derived WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def save_derived(self, key: str, value: Any) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO derived VALUES (?, ?)", (key, _json(value)))

    # -- runs, cells and examples (what rescore and compare read) -----------------

    def start_run(self, out_dir: Path, suite: str, suite_hash: str, started: str) -> int:
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO runs (out_dir, suite, suite_hash, started, status) VALUES (?, ?, ?, ?, 'running')",
                (str(out_dir.resolve()), suite, suite_hash, started),
            )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def finish_run(self, run_id: int, finished: str, status: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET finished = ?, status = ? WHERE run_id = ?", (finished, status, run_id))

    def save_cell(
        self,
        run_id: int,
        result: Mapping[str, Any],
        cell_key: str,
        examples: Sequence[tuple[str, Any, Sequence[Any], Mapping[str, list[float]]]],
    ) -> None:
        """A finished cell: its result and, per example, ``(id, prediction, references,
        {metric: statistics row})``."""
        model, task = result["model"], result["task"]
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO cells VALUES (?, ?, ?, ?, ?)", (run_id, model, task, cell_key, _json(result))
            )
            self.db.execute("DELETE FROM examples WHERE run_id = ? AND model = ? AND task = ?", (run_id, model, task))
            self.db.executemany(
                "INSERT INTO examples VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (run_id, model, task, position, example_id, _json(prediction), _json(list(refs)), _json(stats))
                    for position, (example_id, prediction, refs, stats) in enumerate(examples)
                ],
            )

    def latest_run(self, out_dir: Path) -> int | None:
        """The newest run written into ``out_dir``, if any."""
        row = self.db.execute("SELECT max(run_id) FROM runs WHERE out_dir = ?", (str(out_dir.resolve()),)).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def last_model_info(self, cell_key: str) -> Any:
        """The ``model_info`` the newest stored cell with this key recorded, else what the
        model said as it answered under this key (:meth:`save_model_info`; None if neither)."""
        row = self.db.execute(
            "SELECT result FROM cells WHERE cell_key = ? ORDER BY run_id DESC LIMIT 1", (cell_key,)
        ).fetchone()
        info = json.loads(row[0]).get("model_info") if row else None
        if info is None:
            said = self.db.execute("SELECT value FROM meta WHERE key = ?", (_MODEL_INFO + cell_key,)).fetchone()
            info = json.loads(said[0]) if said else None
        return info

    def save_model_info(self, cell_key: str, info: Any) -> None:
        """What the model said about itself (``describe()``) as it answered under this key,
        kept with its first answers: a run killed before the cell was stored, then served
        from the store, still records the model's info."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_MODEL_INFO + cell_key, _json(info))
            )

    def cell_examples(self, run_id: int, model: str, task: str) -> list[tuple[str, Any, list[Any], dict[str, Any]]]:
        """A stored cell's examples, in order: ``(id, prediction, references, stats by metric)``."""
        rows = self.db.execute(
            "SELECT example_id, prediction, refs, stats FROM examples WHERE run_id = ? AND model = ? AND task = ? "
            "ORDER BY position",
            (run_id, model, task),
        )
        return [(i, json.loads(p), json.loads(r), json.loads(s)) for i, p, r, s in rows]

    def cell_probabilities(self, cell_key: str, example_ids: Sequence[str]) -> list[Any]:
        """Each example's recorded probabilities under ``cell_key`` (None where it has none),
        in the order of ``example_ids``: what a metric that reads probabilities rescores with."""
        found: dict[str, Any] = {}
        rows = self.db.execute(
            "SELECT example_id, probabilities FROM predictions WHERE cell_key = ? ORDER BY created", (cell_key,)
        )
        for example_id, probabilities in rows:
            found[example_id] = None if probabilities is None else json.loads(probabilities)
        return [found.get(example_id) for example_id in example_ids]

    # -- identities ----------------------------------------------------------------

    def file_sha256(self, path: Path) -> str:
        """The SHA-256 of a file, remembered by (size, mtime) so big weights hash once."""
        stat = path.stat()
        resolved = str(path.resolve())
        known = self._known_sha256(resolved, stat.st_size, stat.st_mtime_ns)
        if known is not None:
            return known
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        value = digest.hexdigest()
        self._remember_sha256(resolved, stat.st_size, stat.st_mtime_ns, value)
        return value

    def _known_sha256(self, path: str, size: int, mtime_ns: int) -> str | None:
        row = self.db.execute("SELECT size, mtime_ns, sha256 FROM file_hashes WHERE path = ?", (path,)).fetchone()
        return str(row[2]) if row and row[0] == size and row[1] == mtime_ns else None

    def _remember_sha256(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO file_hashes VALUES (?, ?, ?, ?)", (path, size, mtime_ns, sha256))

    def files_digest(self, path: Path) -> str:
        """A file's hash, or a folder's: every file under it, by relative path."""
        if path.is_file():
            return self.file_sha256(path)
        entries = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        return _digest([[str(p.relative_to(path)), self.file_sha256(p)] for p in entries])

    def _with_file_hashes(self, spec: ModelSpec, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` (sorted), with ``KEY@sha256`` beside each that names a file or folder."""
        kept: dict[str, Any] = {}
        for key, value in sorted(values.items()):
            kept[key] = value
            if isinstance(value, str) and value.strip():
                candidate = spec.resolve(value)
                if _exists(candidate):
                    kept[f"{key}@sha256"] = self.files_digest(candidate)
        return kept

    def model_identity(self, spec: ModelSpec, plugin: str, version: Any) -> dict[str, Any]:
        """What decides a model's answers: its type and its plugin's code (``version``: the
        version, or what :meth:`nlpbench.PluginHost.code_identity` gives), its weights (file
        hashes, or hub id and revision), config, params (files they name are hashed) and seed."""
        params = self._with_file_hashes(spec, {k: v for k, v in spec.params.items() if k not in SPEED_PARAMS})
        # a config's files too (``config: {tokenizer: DIR}``: its chat template is in them)
        config = self._with_file_hashes(spec, dict(spec.config)) if isinstance(spec.config, Mapping) else spec.config
        return {
            "type": spec.type,
            "plugin": plugin,
            "plugin_version": version,
            "weights": self.files_digest(spec.path) if spec.path is not None and spec.path.exists() else None,
            "hub": spec.hub,
            "revision": spec.revision,
            "config": config,
            "params": params,
            "seed": spec.seed,
            "trust_remote_code": spec.trust_remote_code,
        }


def _exists(path: Path) -> bool:
    """Whether ``path`` is there; False for a text param that is no possible path at all
    (a chat template or a system prompt: a line too long for a file name, a NUL)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def cell_key(
    model_identity: Mapping[str, Any],
    task_type: str,
    task_params: Mapping[str, Any],
    strategy: str,
    versions: Mapping[str, Any],
) -> str:
    """The key of a cell's cached predictions. The task's params are in it because they
    may change how answers become predictions (a no-answer phrase, a word limit);
    ``versions`` is the code of the plugins the cell uses besides the model's (the core,
    the task type's), never every installed plugin."""
    task = {"type": task_type, "params": task_params}
    return _digest({"model": model_identity, "task": task, "strategy": strategy, "versions": versions})


def audit_key(
    model_identity: Mapping[str, Any], audit: str, params: Mapping[str, Any], strategy: str, versions: Mapping[str, Any]
) -> str:
    """The key of the cached predictions of an audit that brings its own examples
    (CrowS-Pairs pairs, templates): it plays the task's part, so its name, params and
    plugin's code stand where a cell has the task's."""
    return _digest(
        {
            "model": model_identity,
            "audit": {"type": audit, "params": params},
            "strategy": strategy,
            "versions": versions,
        }
    )


def _json(value: Any) -> str:
    from nlpbench.results.documents import jsonable

    return json.dumps(jsonable(value), ensure_ascii=False)


def store_path(out_dir: Path, shared: Path | None) -> Path:
    """Where a run's store is: the shared path the user named, or the run folder's own."""
    return shared if shared is not None else out_dir / STORE_FILE
