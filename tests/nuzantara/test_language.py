"""The reply-language guesser on the short messages chats are full of."""

import pytest

from nuzantara.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [("Vado a Bali a marzo", "it"), ("Rinnovo KITAS", "it"), ("Perfetto", "it"), ("Sì", "it"), ("Makasih", "id"),
     ("Oke, kalau KITAP?", "id"), ("I need a visa", "en"), ("What is a KITAS?", "en"), ("Is it OK to go in March?", "en")],
)  # fmt: skip
def test_short_messages_get_their_language(text, language):
    assert detect_language(text) == language


def test_a_message_with_no_known_word_gets_the_default():
    assert detect_language("KITAS E33G?", default="it") == "it"
