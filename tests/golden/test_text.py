"""The text features behind exact matching and the guards."""

import pytest

from knowledge.golden.matching.text import extract_figures, has_negation, normalize_question


def test_normalized_questions_ignore_case_punctuation_and_spacing():
    assert normalize_question("  Can I EXTEND my KITAS?! ") == normalize_question("can i extend my kitas")


def test_apostrophes_are_removed_not_split():
    assert normalize_question("Can’t I extend it?") == "cant i extend it"


@pytest.mark.parametrize(
    "text",
    ["Can't I extend my KITAS?", "Why can I not work here?", "Saya tidak bisa bekerja?", "Non posso lavorare?",
     "Can I stay without a sponsor?", "Saya nggak di Bali, bisa perpanjang KITAS?", "Bisa tidak bayar pajak?",
     "Can an unmarried couple rent a villa?"],
)  # fmt: skip
def test_negations_are_found_in_english_indonesian_and_italian(text):
    assert has_negation(text)


@pytest.mark.parametrize("text", ["Can I extend my KITAS?", "Permenkumham No. 22 of 2023", "Bisakah saya bekerja?"])
def test_plain_questions_and_regulation_numbers_are_not_negations(text):
    assert not has_negation(text)


@pytest.mark.parametrize(
    "text",
    ["Anak umur 18 tahun boleh nikah nggak di Indonesia?", "Boleh nggak saya kerja untuk klien Indonesia?",
     "Ada KITAS khusus nggak buat kerja remote?", "Perlu PBG atau tidak untuk renovasi?", "Is it legal or not?",
     "Posso lavorare con l'E33G o no?"],
)  # fmt: skip
def test_yes_no_question_forms_are_not_negations(text):
    assert not has_negation(text)


def test_visa_indexes_and_kbli_codes_are_codes():
    figures = extract_figures("Is the e33g like the C312, and is KBLI 55130 the same as 56101?")
    assert figures.codes == {"E33G", "C312", "55130", "56101"}
    assert figures.numbers == set()


@pytest.mark.parametrize(
    ("a", "b"),
    [("IDR 2 billion", "Rp2.000.000.000"), ("2 miliar", "2,000,000,000"), ("0,5%", "0.5 percent"),
     ("1,5 juta", "1.500.000")],
)  # fmt: skip
def test_amounts_written_differently_are_the_same_number(a, b):
    assert extract_figures(a).numbers == extract_figures(b).numbers


def test_years_and_amounts_are_distinct_numbers():
    assert extract_figures("VAT in 2024").numbers != extract_figures("VAT in 2025").numbers
    assert extract_figures("IDR 1,000,000 per day").numbers == {"1000000"}
