from knowledge.search.tokens import detect_language, tokenize


def test_accents_and_case_are_folded():
    assert tokenize("Società ITALIANA così") == ["societa", "italiana", "cosi"]


def test_indonesian_and_italian_words_are_not_stemmed():
    assert tokenize("perusahaan permesso soggiorni") == ["perusahaan", "permesso", "soggiorni"]


def test_stopwords_of_the_three_languages_are_dropped_and_codes_kept():
    assert tokenize("the visa dan yang di KITAS E33G per il 2025") == ["visa", "kitas", "e33g", "2025"]


def test_language_is_detected_from_stopwords():
    assert detect_language("What is the fee for the visa and how long is it valid?") == "en"
    assert detect_language("Berapa biaya untuk visa dan berapa lama masa berlakunya?") == "id"
    assert detect_language("Quanto costa il visto e per quanto tempo è valido?") == "it"
