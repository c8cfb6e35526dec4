from routing.registry import LABELS
from routing.t5.tokenizer import tokenizer_train

from .conftest import tiny_examples

TEXTS = [e.query for e in tiny_examples()]


def test_every_label_is_one_token():
    tokenizer = tokenizer_train(texts=TEXTS, vocab_size=300, required_words=LABELS)

    for label in LABELS:
        assert len(tokenizer.backend_tokenizer.encode(label, add_special_tokens=False).ids) == 1, label


def test_training_twice_on_the_same_text_gives_the_same_tokenizer():
    first = tokenizer_train(texts=TEXTS, vocab_size=300, required_words=LABELS)
    second = tokenizer_train(texts=TEXTS, vocab_size=300, required_words=LABELS)

    assert first.backend_tokenizer.to_str() == second.backend_tokenizer.to_str()


def test_case_accents_and_unseen_letters_do_not_produce_unknown_tokens():
    tokenizer = tokenizer_train(texts=TEXTS, vocab_size=300, required_words=LABELS)

    plain = tokenizer.backend_tokenizer.encode("perche kitas").ids
    fancy = tokenizer.backend_tokenizer.encode("PERCHÉ  Kitas").ids

    assert plain == fancy
    assert tokenizer.unk_token_id not in tokenizer.backend_tokenizer.encode("zzxq 2026 jkl").ids
    assert tokenizer.backend_tokenizer.encode("hello").ids[-1] == tokenizer.eos_token_id
