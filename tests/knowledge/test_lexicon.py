"""Glosses and concepts: Indonesian and Italian read in English terms, affixes and inflections included."""

import pytest

from knowledge.golden.matching.coverage import analyze
from knowledge.search.lexicon import gloss, gloss_words, spelled, translate_word


@pytest.mark.parametrize(
    ("word", "language", "english"),
    [
        ("perpanjangan", "id", "extension"),
        ("memperpanjang", "id", "extend"),
        ("biayanya", "id", "cost"),
        ("rinnovo", "it", "renewal"),
        ("tasse", "it", "taxes"),
    ],
)
def test_a_dictionary_word_and_its_affixed_or_inflected_forms_are_glossed(word, language, english):
    assert english in " ".join(translate_word(word, language) or ())


def test_codes_names_and_english_words_in_a_foreign_question_stay_as_they_are():
    words = gloss_words("Berapa biaya KITAS E33G untuk Marco di Canggu?", "id")

    assert {"kitas", "e33g", "marco", "canggu"} <= set(words)
    assert "cost" in words and "biaya" not in words


def test_a_mixed_message_looks_up_the_other_dictionary_for_words_its_own_lacks():
    assert "cost" in gloss("berapa costo KITAS", "id").split()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("How do I get a permanent stay permit?", "kitap"),
        ("Bagaimana cara mendapatkan izin tinggal tetap?", "kitap"),
        ("Come ottengo il permesso di soggiorno permanente?", "kitap"),
        ("What is the VAT rate in Vietnam?", "place_vietnam"),
        ("Berapa pajak penghasilan badan?", "corporate_tax"),
    ],
)
def test_key_concepts_are_found_in_any_of_the_three_languages(text, key):
    assert key in analyze(text).keys


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("How much will immigration charge me for a KITAS?", {"kitas"}),  # the modal verb, not a testament
        ("Saya akan tinggal di Bali, perlu KITAS?", {"kitas"}),  # "akan" is glossed "will"
        ("Masa berlaku KITAS berapa lama?", {"kitas"}),  # "masa berlaku": a validity period, not a monthly return
        ("How long does the KITAS application take?", {"kitas"}),  # an application for a permit, not software
        ("Vorrei fare domanda per il KITAS", {"kitas"}),  # "domanda" is glossed "application"
        ("Does my mobile app company need a KBLI?", {"kbli", "software"}),
        ("Can I leave my villa to my children in a will?", {"inheritance"}),
        ("Kapan batas lapor SPT Masa PPN?", {"monthly_tax", "annual_return", "vat"}),
    ],
)
def test_everyday_words_name_no_key_concept_and_the_concepts_phrases_still_do(text, keys):
    assert analyze(text).keys == keys


@pytest.mark.parametrize(
    ("text", "action"),
    [("How do I close my PT PMA?", "close"), ("Come si chiude una PT PMA?", "close"), ("Cara mendirikan PT", "open")],
)
def test_actions_are_found_in_any_of_the_three_languages(text, action):
    assert action in analyze(text).actions


@pytest.mark.parametrize(
    ("text", "actions"),
    [
        ("I have found a villa close to the beach, can a foreigner buy it?", {"buy"}),
        ("Jika ditemukan pelanggaran, apa sanksinya?", set()),  # "if found"
        ("Can I found a PT PMA alone?", {"open"}),
        ("How do I close my PT PMA?", {"close"}),
    ],
)
def test_everyday_phrases_with_an_actions_word_name_no_action(text, actions):
    assert analyze(text).actions == actions


def test_everyday_words_weigh_less_than_specific_ones():
    weights = dict(analyze("minimum age to drive a scooter").weights)

    assert weights["scooter"] > weights["drive"] > 0


def test_an_italian_questions_articles_and_contracted_prepositions_are_glossed_in_english():
    words = gloss_words("Chi paga le spese dell'espulsione se vengo deportato nel 2026?", "it", question=True)

    assert not {"le", "dell", "se", "nel"} & set(words)
    assert {"who", "pay", "deportation"} <= set(words) and "2026" in words


def test_a_documents_grammar_words_are_left_as_they_are_so_its_vectors_keep_their_recipe():
    words = gloss_words("Le spese dell'espulsione", "it")

    assert {"le", "dell"} <= set(words)


@pytest.mark.parametrize(
    ("word", "language", "spelt"),
    [
        ("restaurnt", "en", "restaurant"),
        ("investmnet", "en", "investment"),
        ("ristorrante", "it", "ristorante"),
        ("karywan", "id", "karyawan"),
    ],
)
def test_a_misspelt_word_is_read_as_the_common_word_one_edit_away(word, language, spelt):
    assert spelled(word, language) == spelt


@pytest.mark.parametrize(
    ("word", "language"),
    [
        ("sarong", "en"),  # a word in its own right, one letter from "strong"
        ("contarct", "en"),  # contact or contract: not ours to guess
        ("meterai", "it"),  # Indonesian (stamp duty) in an Italian message
        ("asingnya", "id"),  # "asing" with a particle
        ("kitap", "en"),  # a concept word
        ("canggu", "en"),
        ("aply", "en"),  # too short to tell
    ],
)
def test_real_words_names_ambiguous_and_short_words_are_not_respelt(word, language):
    assert spelled(word, language) == word


def test_the_guards_read_a_misspelt_key_term_as_its_concept():
    assert "restaurant" in analyze("opening a restaurnt in Canggu, which KBLI code goes on the NIB?").keys
    assert "restaurant" in analyze("Quale KBLI serve per aprire un ristorrante?").keys


def test_a_place_in_bali_is_bali_and_a_place_elsewhere_is_a_key():
    in_bali = analyze("Which KBLI do I need for a villa rental in Seminyak?")
    elsewhere = analyze("Which KBLI do I need for a villa rental in Lombok?")

    assert "seminyak" not in dict(in_bali.weights)  # no uncovered rare word for a guard to refuse
    assert "seminyak" in dict(in_bali.local_weights)  # still a word that tells one listing from another
    assert "place_lombok" in elsewhere.keys and not {k for k in in_bali.keys if k.startswith("place_")}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("bali entry fee for tourists how much", "tourist_levy"),
        ("is my business low or high risk in OSS?", "risk_licensing"),
        ("Usaha saya risiko rendah atau risiko tinggi?", "risk_licensing"),
    ],
)
def test_natural_names_of_a_concept_are_found(text, key):
    assert key in analyze(text).keys
