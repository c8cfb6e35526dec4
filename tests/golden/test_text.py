"""The text features behind exact matching and the guards."""

import pytest

from knowledge.golden.matching.text import (
    AGE,
    LENGTH,
    covered_by_bounds,
    extract_figures,
    has_negation,
    normalize_question,
    situations,
    stated_bounds,
)


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


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("I'm 64 and want to retire in Ubud", AGE, 64),
        ("Umur saya 61, mau pensiun di Sanur", AGE, 61),
        ("Ho 65 anni e vorrei trasferirmi a Bali", AGE, 65),
        ("I overstayed 3 days", LENGTH, 3),
        ("Saya tinggal di Bali 200 hari setahun", LENGTH, 200),
        ("Passo 7 mesi all'anno a Bali", LENGTH, 210),
        ("on a 2-year contract", LENGTH, 730),
    ],
)
def test_the_askers_age_and_lengths_of_time_are_read_in_three_languages(text, kind, value):
    assert [(s.kind, s.value) for s in situations(text)] == [(kind, value)]


def test_amounts_percentages_and_years_are_no_situation():
    assert situations("Is VAT 12% in 2025 on IDR 150,000?") == ()


@pytest.mark.parametrize(
    ("answer", "question", "covered"),
    [
        ("The E33F is for foreigners aged **60 or older**.", "I'm 64, can I retire here?", True),
        ("The E33F is for foreigners aged **60 or older**.", "I'm 55, can I retire here?", True),  # answered: not yet
        ("Usia minimal menikah adalah **19 tahun**.", "Anak umur 18 tahun boleh nikah?", True),
        ("Overstaying costs **IDR 1,000,000 per day**.", "I am 10 days over my permit", True),
        ("You are resident if present **more than 183 days** in 12 months.", "I stay 200 days a year", True),
        ("You are resident if present **more than 183 days** in 12 months.", "I stay 100 days a year", False),
        ("Overstaying **less than 60 days** costs a fine.", "I overstayed 90 days", False),
        ("The corporate tax rate is 22% a year.", "I rent it out for 2 years", False),  # no rate per year
        ("The KITAS is valid for one year.", "I'm 64, can I get one?", False),  # states no age
    ],
)
def test_a_situation_is_covered_only_by_a_limit_or_daily_rate_the_answer_states(answer, question, covered):
    (situation,) = situations(question)
    assert covered_by_bounds(situation, stated_bounds(answer)) is covered
