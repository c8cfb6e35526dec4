from knowledge.search.glossary import EXPANSION_WEIGHT, expand


def test_a_term_brings_its_equivalents_in_the_other_languages_at_a_lower_weight():
    weights = expand(["multa", "visto"])

    assert weights["multa"] == 1.0
    assert weights["fine"] == EXPANSION_WEIGHT
    assert weights["denda"] == EXPANSION_WEIGHT
    assert weights["visa"] == EXPANSION_WEIGHT


def test_terms_outside_the_glossary_are_kept_alone():
    assert expand(["e33g", "canggu"]) == {"e33g": 1.0, "canggu": 1.0}
