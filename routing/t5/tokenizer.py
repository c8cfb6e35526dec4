"""A T5-style Unigram tokenizer trained on our routing queries and the demo knowledge corpus."""

import json
import os
from collections.abc import Iterable

from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import Unigram
from tokenizers.trainers import UnigramTrainer
from transformers import PreTrainedTokenizerFast

# Seen once as text (not as the trainer's initial_alphabet, whose pieces get run-to-run scores): no <unk> for them.
_ALPHABET = " ".join("abcdefghijklmnopqrstuvwxyz0123456789")
PAD, EOS, UNK = "<pad>", "</s>", "<unk>"  # ids 0, 1, 2 as in T5: pad doubles as the decoder start token


def tokenizer_train(
    *, texts: Iterable[str], vocab_size: int, required_words: Iterable[str] = ()
) -> PreTrainedTokenizerFast:
    """Train a Unigram tokenizer (lower-cased, accents stripped: users type "kitas", "perche", "NPWP" alike).

    `required_words` (the labels) become whole pieces, so each label decodes as one token.
    """
    tokenizer = Tokenizer(Unigram())
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.NFKD(),
            normalizers.StripAccents(),
            normalizers.Lowercase(),
            normalizers.Replace(Regex(r"\s+"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Punctuation(),
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
        ]
    )
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = UnigramTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, EOS, UNK],
        unk_token=UNK,
        shrinking_factor=0.75,
        max_piece_length=16,
        show_progress=False,
    )
    # One rayon thread: the parallel trainer picks pieces in a different order run to run (a no-op if the pool exists).
    os.environ.setdefault("RAYON_RS_NUM_CPUS", "1")
    tokenizer.train_from_iterator([*texts, _ALPHABET], trainer=trainer)
    tokenizer = _with_whole_words(tokenizer, [word.lower() for word in required_words])
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"$A {EOS}", pair=f"$A {EOS} $B {EOS}", special_tokens=[(EOS, tokenizer.token_to_id(EOS))]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, pad_token=PAD, eos_token=EOS, unk_token=UNK, model_max_length=512
    )


def _fixed_char_order(pieces: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The trainer re-adds pruned characters with scores 0.0001 apart in hash order; give those runs a fixed order."""
    chars = sorted((score, piece) for piece, score in pieces if len(piece) == 1)
    runs: list[list[tuple[float, str]]] = []
    for score, piece in chars:
        if runs and score - runs[-1][-1][0] <= 0.00015:
            runs[-1].append((score, piece))
        else:
            runs.append([(score, piece)])
    fixed: dict[str, float] = {}
    for run in runs:
        scores = sorted((score for score, _ in run), reverse=True)
        fixed.update(zip(sorted(piece for _, piece in run), scores, strict=True))
    return sorted(((piece, fixed.get(piece, score)) for piece, score in pieces), key=lambda p: (-p[1], p[0]))


def _with_whole_words(tokenizer: Tokenizer, words: list[str]) -> Tokenizer:
    """Add each word as one piece scored like the likeliest piece, so Unigram segmentation keeps it whole."""
    state = json.loads(tokenizer.to_str())
    specials = state["model"]["vocab"][:3]  # <pad>, </s>, <unk>: their ids are fixed
    # Rounded and sorted: the trainer's float noise and the order of equal scores change from run to run.
    pieces = sorted(
        ((piece, round(score, 6)) for piece, score in state["model"]["vocab"][3:]), key=lambda p: (-p[1], p[0])
    )
    pieces = _fixed_char_order(pieces)
    known = {piece for piece, _ in pieces}
    best = pieces[0][1]
    pieces.extend((f"▁{word}", best) for word in words if f"▁{word}" not in known)
    state["model"]["vocab"] = [*specials, *([piece, score] for piece, score in pieces)]
    return Tokenizer.from_str(json.dumps(state))
