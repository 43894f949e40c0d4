"""Test helpers for fine-tuning the generative transformer plugins (gpt, t5): a few
sentiment reviews we wrote, and a word-level tokenizer small enough that a tiny model
learns from them in a few seconds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: 40 short reviews we wrote, alternately positive and negative.
REVIEWS = [
    ("A wonderful film, I loved it.", "positive"),
    ("Dull and far too long.", "negative"),
    ("The best meal I have had in years.", "positive"),
    ("The plot made no sense at all.", "negative"),
    ("Charming, funny and warm.", "positive"),
    ("I want my money back.", "negative"),
    ("A brilliant book from start to end.", "positive"),
    ("Terrible acting and a worse script.", "negative"),
    ("The hotel staff were lovely.", "positive"),
    ("The phone broke after a week.", "negative"),
    ("Great music and a great crowd.", "positive"),
    ("Boring, boring, boring.", "negative"),
    ("Superb service, we will be back.", "positive"),
    ("The food was cold and bland.", "negative"),
    ("A delight for the whole family.", "positive"),
    ("An awful waste of an evening.", "negative"),
    ("Beautifully shot and well acted.", "positive"),
    ("The lamp stopped working on day two.", "negative"),
    ("I smiled all the way through.", "positive"),
    ("Clumsy, loud and pointless.", "negative"),
    ("The song is catchy and fun.", "positive"),
    ("Rude staff and a dirty room.", "negative"),
    ("An excellent read, highly recommended.", "positive"),
    ("I fell asleep halfway through.", "negative"),
    ("Fresh, tasty and cheap.", "positive"),
    ("The battery dies within hours.", "negative"),
    ("A moving and honest story.", "positive"),
    ("Dreadful from the first minute.", "negative"),
    ("Perfect for a rainy afternoon.", "positive"),
    ("The ending ruined it for me.", "negative"),
    ("Clever, sharp and very funny.", "positive"),
    ("Nothing works as advertised.", "negative"),
    ("The show was a real joy.", "positive"),
    ("Slow, flat and forgettable.", "negative"),
    ("Lovely views and a comfy bed.", "positive"),
    ("The worst concert I have seen.", "negative"),
    ("A gem of a little cafe.", "positive"),
    ("Poorly made and overpriced.", "negative"),
    ("Sweet, gentle and wise.", "positive"),
    ("A mess of a film.", "negative"),
]

#: The sentiment task's default prompt.
PROMPT = "Review: {text}\nSentiment:"


def word_tokenizer(texts: Iterable[str], pad: str = "<pad>", eos: str = "</s>", unk: str = "<unk>") -> Any:
    """A ``PreTrainedTokenizerFast`` whose vocabulary is ``pad``, ``eos`` and ``unk`` (ids
    0, 1, 2), then the words and punctuation marks of ``texts``: a few hundred tokens, not
    GPT-2's 50,257, so a tiny model's step takes milliseconds."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    splitter = pre_tokenizers.Whitespace()
    vocab = {pad: 0, eos: 1, unk: 2}
    for text in texts:
        for word, _ in splitter.pre_tokenize_str(text):
            vocab.setdefault(word, len(vocab))
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token=unk))
    tokenizer.pre_tokenizer = splitter
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token=pad, eos_token=eos, unk_token=unk)


def review_tokenizer() -> Any:
    """:func:`word_tokenizer` over the sentiment prompts of :data:`REVIEWS` and both labels."""
    return word_tokenizer([*(PROMPT.format(text=text) for text, _ in REVIEWS), "positive negative"])
