"""Word lists of paired terms for two groups: the built-in ones shipped in ``data/`` and
the user's own (a TSV file or inline pairs). A list turns into one :class:`Substitution`
per direction."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from nlpbench import ConfigError, did_you_mean

from .substitution import Ambiguous, Substitution

#: Built-in list name → file in ``nlpbench_bias/data``.
BUILT_IN = {"gender": "gender.json", "names-gender": "names_gender.json", "names-race": "names_race.json"}


@dataclass(frozen=True)
class WordList:
    """Pairs of counterpart terms: ``pairs[i][0]`` belongs to ``groups[0]``, ``pairs[i][1]``
    to ``groups[1]``. Words are kept lower case; ``case`` is ``any`` or ``title``."""

    name: str
    version: str
    groups: tuple[str, str]
    pairs: tuple[tuple[str, str], ...]
    ambiguous: Mapping[str, Ambiguous] = field(default_factory=dict)
    case: str = "any"
    source: str = ""

    def __post_init__(self) -> None:
        where = f"word list '{self.name}'"
        if len(self.groups) != 2 or self.groups[0] == self.groups[1] or not all(self.groups):
            raise ConfigError(f"{where}: groups must be two different names, not {list(self.groups)!r}")
        if not self.pairs:
            raise ConfigError(f"{where}: has no pairs")
        if self.case not in ("any", "title"):
            raise ConfigError(f"{where}: case must be 'any' or 'title', not {self.case!r}")
        first = {a for a, _ in self.pairs}
        second = {b for _, b in self.pairs}
        both = sorted(first & second)
        if both:
            raise ConfigError(f"{where}: '{both[0]}' is in both groups ({self.groups[0]} and {self.groups[1]})")
        for side in (0, 1):
            self.targets(side)  # raises on a word with two counterparts that is not declared ambiguous

    def targets(self, side: int) -> dict[str, str]:
        """Each word of ``groups[side]`` → its single counterpart (ambiguous words left out)."""
        other = 1 - side
        mapping: dict[str, str] = {}
        for pair in self.pairs:
            word, counterpart = pair[side], pair[other]
            if word in self.ambiguous:
                choice = self.ambiguous[word]
                if counterpart not in (choice.before_noun, choice.otherwise):
                    raise ConfigError(
                        f"word list '{self.name}': ambiguous '{word}' is paired with '{counterpart}', "
                        f"which is neither of its choices ('{choice.before_noun}', '{choice.otherwise}')"
                    )
                continue
            if mapping.get(word, counterpart) != counterpart:
                raise ConfigError(
                    f"word list '{self.name}': '{word}' has two counterparts, '{mapping[word]}' and '{counterpart}'"
                )
            mapping[word] = counterpart
        return mapping

    def towards(self, group: str) -> Substitution:
        """The substitution that rewrites the other group's words as ``group``'s."""
        side = 1 - self.groups.index(group)
        ambiguous = {w: a for w, a in self.ambiguous.items() if w in {p[side] for p in self.pairs}}
        return Substitution(self.targets(side), ambiguous, title_only=self.case == "title")

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "groups": list(self.groups), "pairs": len(self.pairs)}


def built_in(name: str) -> WordList:
    """A list shipped with the plugin; ConfigError naming the choices for another name."""
    if name not in BUILT_IN:
        raise ConfigError(
            f"no built-in word list '{name}'{did_you_mean(name, BUILT_IN)}; there are: {', '.join(BUILT_IN)}"
        )
    text = resources.files("nlpbench_bias").joinpath("data", BUILT_IN[name]).read_text(encoding="utf-8")
    return from_document(json.loads(text), source=f"built-in {BUILT_IN[name]}")


def from_document(document: Mapping[str, Any], source: str) -> WordList:
    """A list from its JSON form (see ``data/PROVENANCE.md``)."""
    ambiguous = {
        str(word).lower(): Ambiguous(str(choice["before_noun"]).lower(), str(choice["otherwise"]).lower())
        for word, choice in dict(document.get("ambiguous") or {}).items()
    }
    return WordList(
        name=str(document["name"]),
        version=str(document["version"]),
        groups=(str(document["groups"][0]), str(document["groups"][1])),
        pairs=_pairs(document["pairs"], f"word list '{document['name']}'"),
        ambiguous=ambiguous,
        case=str(document.get("case", "any")),
        source=source,
    )


def user_list(pairs: Any, groups: Any, base: Path | None = None) -> WordList:
    """The user's list from the audit options ``pairs`` (a TSV path, or a list of
    ``[a, b]``) and ``groups`` (``[name_a, name_b]``). Relative paths are taken from
    ``base`` (default: the working directory)."""
    if not isinstance(groups, Sequence) or isinstance(groups, str) or len(groups) != 2:
        raise ConfigError(f"option groups must name the two groups of your pairs, as [name_a, name_b], not {groups!r}")
    if not all(isinstance(g, str) and g.strip() for g in groups):
        raise ConfigError(f"option groups must be two non-empty strings, not {list(groups)!r}")
    if isinstance(pairs, str):
        path = Path(pairs).expanduser()
        path = path if path.is_absolute() or base is None else base / path
        rows, source = _read_tsv(path), str(path)
    else:
        rows, source = pairs, "option pairs"
    return WordList(
        name="pairs",
        version="user",
        groups=(groups[0].strip(), groups[1].strip()),
        pairs=_pairs(rows, "option pairs"),
        source=source,
    )


def _read_tsv(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"option pairs: cannot read {path}: {error.strerror or error}") from error
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) != 2:
            raise ConfigError(f"option pairs: {path} line {number}: expected two tab-separated words, got {len(cells)}")
        rows.append(cells)
    return rows


def _pairs(rows: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(rows, Sequence) or isinstance(rows, str) or not rows:
        raise ConfigError(f"{where} must be a non-empty list of [a, b] pairs (or a TSV file), not {rows!r}")
    pairs = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        if (
            not isinstance(row, Sequence)
            or isinstance(row, str)
            or len(row) != 2
            or not all(isinstance(w, str) and w.strip() for w in row)
        ):
            raise ConfigError(f"{where}: each pair must be two non-empty words, not {row!r}")
        pair = (row[0].strip().lower(), row[1].strip().lower())
        if pair in seen:
            raise ConfigError(f"{where}: the pair {list(pair)!r} is listed twice")
        seen.add(pair)
        pairs.append(pair)
    return tuple(pairs)
