from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from nlpbench import ConfigError
from nlpbench_bias import BUILT_IN, WordList, built_in, user_list
from nlpbench_bias.substitution import Ambiguous


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_built_in_lists_are_versioned_and_consistent(name: str) -> None:
    raw = json.loads(resources.files("nlpbench_bias").joinpath("data", BUILT_IN[name]).read_text(encoding="utf-8"))
    assert raw["name"] == name
    assert raw["version"] and raw["date"] and raw["language"] == "en" and raw["description"]
    word_list = built_in(name)
    first = [a for a, _ in word_list.pairs]
    second = [b for _, b in word_list.pairs]
    assert len(set(word_list.pairs)) == len(word_list.pairs)  # no duplicate pairs
    assert not set(first) & set(second)  # no word in both groups
    # symmetric: every unambiguous word maps to its counterpart and back again
    forward, backward = word_list.targets(0), word_list.targets(1)
    for a, b in word_list.pairs:
        if a not in word_list.ambiguous and b not in word_list.ambiguous:
            assert forward[a] == b and backward[b] == a
    # every word appears once per group, unless it is declared ambiguous
    for words in (first, second):
        repeated = {w for w in words if words.count(w) > 1}
        assert repeated <= set(word_list.ambiguous)


def test_the_lists_have_the_documented_sizes() -> None:
    assert len(built_in("gender").pairs) == 70
    assert len(built_in("names-gender").pairs) == 22
    assert len(built_in("names-race").pairs) == 12
    provenance = resources.files("nlpbench_bias").joinpath("data", "PROVENANCE.md").read_text(encoding="utf-8")
    for name in BUILT_IN:
        assert f"`{name}`" in provenance


def test_gender_ambiguous_words_are_exactly_her_and_his() -> None:
    gender = built_in("gender")
    assert gender.ambiguous == {"her": Ambiguous("his", "him"), "his": Ambiguous("her", "hers")}


def test_an_unknown_list_suggests_the_name() -> None:
    with pytest.raises(ConfigError, match=r"no built-in word list 'gendr' \(did you mean 'gender'\?\)"):
        built_in("gendr")


def test_user_pairs_inline_and_from_a_file(tmp_path: Path) -> None:
    inline = user_list([["Cat", "dog"], ["kitten", "puppy"]], ["cats", "dogs"])
    assert inline.pairs == (("cat", "dog"), ("kitten", "puppy")) and inline.groups == ("cats", "dogs")
    assert inline.towards("dogs").apply("A Cat and a kitten.") == "A Dog and a puppy."
    path = tmp_path / "pairs.tsv"
    path.write_text("# young and old\nyoung\told\n\nteen\tpensioner\n", encoding="utf-8")
    from_file = user_list(str(path), ["young", "old"])
    assert from_file.pairs == (("young", "old"), ("teen", "pensioner"))
    assert from_file.towards("young").apply("The old pensioner") == "The young teen"


@pytest.mark.parametrize(
    ("pairs", "groups", "message"),
    [
        ([["a", "b"]], ["x"], "option groups must name the two groups"),
        ([["a", "b"]], ["x", "x"], "groups must be two different names"),
        ([["a", "b", "c"]], ["x", "y"], "each pair must be two non-empty words"),
        ([], ["x", "y"], "option pairs must be a non-empty list"),
        ([["a", "b"], ["a", "b"]], ["x", "y"], "listed twice"),
        ([["a", "b"], ["a", "c"]], ["x", "y"], "'a' has two counterparts, 'b' and 'c'"),
        ([["a", "b"], ["b", "c"]], ["x", "y"], "'b' is in both groups"),
        ("missing.tsv", ["x", "y"], "option pairs: cannot read"),
    ],
)
def test_bad_user_lists_are_one_line_config_errors(pairs: object, groups: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        user_list(pairs, groups, base=Path("/nonexistent"))
    assert "\n" not in str(caught.value)


def test_a_tsv_line_without_two_columns_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("a\tb\nc d\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 2: expected two tab-separated words, got 1"):
        user_list(str(path), ["x", "y"])


def test_an_ambiguous_word_must_be_paired_with_one_of_its_choices() -> None:
    with pytest.raises(ConfigError, match="neither of its choices"):
        WordList("w", "1", ("x", "y"), (("a", "b"),), {"b": Ambiguous("c", "d")})
