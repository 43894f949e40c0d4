from __future__ import annotations

import pytest

from nlpbench import ConfigError
from nlpbench_translation.languages import check_code, language_name


@pytest.mark.parametrize(
    ("code", "name"),
    [("de", "German"), ("en", "English"), ("fr", "French"), ("es", "Spanish"), ("cs", "Czech"), ("ru", "Russian"),
     ("zh", "Chinese"), ("ja", "Japanese"), ("EN", "English"), ("en-GB", "English"), ("zh_Hans", "Chinese"),
     ("sah", "Yakut"), ("xx", "xx"), ("tlh-Latn", "tlh-Latn")],
)  # fmt: skip
def test_names_with_the_code_as_fallback(code: str, name: str) -> None:
    assert language_name(code) == name


@pytest.mark.parametrize("code", ["de", "en-US", "zh-Hans", "pt_BR", "sah"])
def test_codes(code: str) -> None:
    assert check_code(code, "data.source_lang") == code


@pytest.mark.parametrize("value", ["German", "d", "", "de en", 7, None])
def test_not_codes(value: object) -> None:
    with pytest.raises(ConfigError, match=r"data.source_lang must be a language code such as de, en or zh-Hans"):
        check_code(value, "data.source_lang")
