"""Turning (context, continuation) pairs into the tokens a causal LM scores, the way
lm-evaluation-harness does, so that scores are comparable with it.

- Trailing whitespace of the context moves to the start of the continuation
  (``"Answer: "`` + ``"yes"`` is scored as ``"Answer:"`` + ``" yes"``): BPE vocabularies
  attach a space to the word after it.
- The continuation's tokens are those of ``context + continuation`` after the first
  ``len(tokens(context))``, so a token that spans the boundary is not split.
- An empty context conditions on the start token (BOS, or EOS when there is none).

Pure Python: the tokenizer comes in as a function from texts to token ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

#: Texts → token ids, one list per text, in one call (a fast tokenizer batches it).
Encode = Callable[[list[str]], list[list[int]]]

#: What one request asks to score: the tokens it is conditioned on, and its own.
Pair = tuple[tuple[int, ...], tuple[int, ...]]


def move_trailing_space(context: str, continuation: str) -> tuple[str, str]:
    """``(context, continuation)`` with the context's trailing whitespace moved to the continuation."""
    spaces = len(context) - len(context.rstrip())
    if spaces == 0:
        return context, continuation
    return context[:-spaces], context[-spaces:] + continuation


def encode_pairs(
    encode: Encode, pairs: Sequence[tuple[str, str]], *, start_token: int, prepend_start: bool = False
) -> list[Pair]:
    """The (prefix, continuation) tokens of each pair.

    ``start_token`` is what an empty context conditions on; with ``prepend_start`` (for
    tokenizers that begin every text with BOS) it also starts every other context.
    Every context and every whole text is tokenized in one call of ``encode``.
    """
    split = [move_trailing_space(context, continuation) for context, continuation in pairs]
    contexts = list(dict.fromkeys(context for context, _ in split if context))
    ids = encode(contexts + [context + continuation for context, continuation in split])
    context_ids = dict(zip(contexts, ids[: len(contexts)], strict=True))
    wholes = ids[len(contexts) :]
    lead = (start_token,) if prepend_start else ()
    encoded: list[Pair] = []
    merged: list[int] = []  # pairs whose continuation vanished into the context's last token
    for index, ((context, continuation), whole) in enumerate(zip(split, wholes, strict=True)):
        if not context:
            encoded.append(((start_token,), tuple(whole)))
            continue
        own = context_ids[context]
        encoded.append(((*lead, *own), tuple(whole[len(own) :])))
        if continuation and len(whole) <= len(own):
            merged.append(index)
    if merged:
        # rare: tokens(context + continuation) is no longer than tokens(context); score the
        # continuation's own tokens rather than nothing
        alone = encode([split[index][1] for index in merged])
        for index, tokens in zip(merged, alone, strict=True):
            encoded[index] = (encoded[index][0], tuple(tokens))
    return encoded
