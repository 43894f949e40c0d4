"""Language codes, as a suite declares them (``de``, ``en``, ``zh-Hans``), and the names
prompts use ("German", "English", "Chinese"): T5 was trained on "translate English to
German: ...", and few-shot prompts read better with names than with codes."""

from __future__ import annotations

import re

from nlpbench import ConfigError

#: ISO 639-1 codes (and a few 639-3 ones WMT uses) and their English names.
NAMES = {
    "af": "Afrikaans", "am": "Amharic", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali",
    "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "eu": "Basque",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician",
    "gu": "Gujarati", "ha": "Hausa", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "is": "Icelandic", "it": "Italian",
    "iu": "Inuktitut", "ja": "Japanese", "ka": "Georgian", "kk": "Kazakh", "km": "Khmer",
    "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "mt": "Maltese", "ms": "Malay",
    "ne": "Nepali", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "ps": "Pashto",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "si": "Sinhala", "sk": "Slovak",
    "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese", "xh": "Xhosa", "yo": "Yoruba", "zh": "Chinese", "zu": "Zulu",
    "liv": "Livonian", "sah": "Yakut",
}  # fmt: skip

# a primary code of 2-3 letters, then subtags: de, en-GB, zh-Hans, pt_BR
_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def check_code(value: object, where: str) -> str:
    """``value`` as a language code; ConfigError naming ``where`` for anything else
    (a name such as ``German`` included: the suite declares codes)."""
    if not isinstance(value, str) or not _CODE.match(value):
        raise ConfigError(f"{where} must be a language code such as de, en or zh-Hans, not {value!r}")
    return value


def language_name(code: str) -> str:
    """The English name of ``code`` (by its primary subtag: ``en-GB`` is English); the code
    itself when it is not one we know."""
    primary = re.split(r"[-_]", code, maxsplit=1)[0].lower()
    return NAMES.get(primary, code)
