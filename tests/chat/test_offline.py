"""The offline answerer: it leads with the sentences that answer, never the sample notice, and cites what it quotes."""

from dataclasses import replace

import pytest

from chat.pipeline.offline import _DEFINITION, _terms, offline_answer, sentences
from chat.pipeline.prompt import SourceChunk

NOTICE = "*Sample content written by the NUZANTARA team for the demo; review against the cited source before production use.*"
OVERSTAY = (
    f"{NOTICE}\n\n# Overstay in Indonesia\n\nOverstay means remaining in Indonesia after your stay permit has expired. "
    "The consequences depend on how many days have passed.\n\n## The daily charge\n\n"
    "Each day of overstay costs IDR 1,000,000 per person, paid at the immigration office before departure. "
    "Overstaying more than 60 days leads to deportation and an entry ban."
)
SPONSOR_IT = (
    "*Contenuto di esempio scritto dal team NUZANTARA per la demo; verificare rispetto alla fonte citata.*\n\n"
    "# Lo sponsor del visto\n\nLo sponsor garantisce per lo straniero. Se lo straniero resta oltre la scadenza, "
    "ogni giorno di overstay costa IDR 1.000.000."
)
PRICES = (
    "# KITAS prices\n\n| Service | Sample fee (IDR) |\n|---|---|\n| Investor KITAS, one year | 14,500,000 |\n"
    "| Retirement KITAS, one year | 12,000,000 |"
)


def chunk(n: int, document_id: int, title: str, text: str, language: str = "en") -> SourceChunk:
    return SourceChunk(
        n=n, chunk_id=n, document_id=document_id, title=title, source="", text=text, score=1.0, language=language
    )


def lead(text: str) -> str:
    return " ".join(sentences(text)[:2])


def test_the_answer_leads_with_the_sentence_that_answers_the_question():
    chunks = [chunk(1, 10, "Overstay", OVERSTAY), chunk(2, 11, "Sponsor", SPONSOR_IT, "it")]

    answer = offline_answer(chunks=chunks, language="en", question="How much is the overstay fine per day?")

    assert "IDR 1,000,000 per person" in lead(answer.text)


def test_an_indonesian_question_finds_the_answer_in_an_english_document():
    answer = offline_answer(
        chunks=[chunk(1, 10, "Overstay", OVERSTAY)], language="id", question="Berapa denda overstay per hari?"
    )

    assert "IDR 1,000,000" in lead(answer.text)
    assert "Dijawab secara offline" in answer.text  # the note is in the user's language, after the answer


def test_the_sample_notice_is_never_quoted():
    chunks = [chunk(1, 10, "Overstay", OVERSTAY), chunk(2, 11, "Sponsor", SPONSOR_IT, "it")]

    answer = offline_answer(chunks=chunks, language="it", question="contenuto di esempio sample content demo")

    assert "Sample content" not in answer.text and "Contenuto di esempio" not in answer.text


def test_a_price_question_is_answered_from_the_table_row():
    answer = offline_answer(
        chunks=[chunk(1, 12, "KITAS prices", PRICES)],
        language="en",
        question="How much do you charge for a retirement KITAS?",
    )

    assert "12,000,000" in lead(answer.text)


def test_exactly_the_quoted_documents_are_cited_once_each_and_numbered_from_one():
    chunks = [
        chunk(1, 10, "Overstay", OVERSTAY),
        chunk(2, 10, "Overstay (again)", OVERSTAY),
        chunk(3, 11, "Sponsor", SPONSOR_IT, "it"),
        chunk(4, 12, "KITAS prices", PRICES),
    ]

    answer = offline_answer(chunks=chunks, language="en", question="How much is the overstay fine per day?")

    cited = [c.document_id for c in answer.chunks]
    assert len(cited) == len(set(cited))
    assert [c.n for c in answer.chunks] == list(range(1, len(cited) + 1))
    assert {f"[{c.n}]" for c in answer.chunks} == {marker for marker in ("[1]", "[2]", "[3]") if marker in answer.text}
    assert 12 not in cited  # the price list says nothing about overstay


def test_nothing_relevant_says_so_instead_of_quoting_noise():
    answer = offline_answer(
        chunks=[chunk(1, 12, "KITAS prices", PRICES)], language="en", question="When is Nyepi this year?"
    )

    assert answer.chunks == [] and "found nothing" in answer.text


def test_prose_wrapped_over_lines_is_quoted_as_whole_sentences():
    wrapped = (
        "# Extending an investor KITAS\nApply for the extension of an E28A investor KITAS at least 30 days before it\n"
        "expires, through the immigration office that issued it. The sponsor is your PT PMA.\n"
        "- Passport valid for\n  12 months\n- Sponsor letter"
    )

    assert sentences(wrapped) == [
        "Apply for the extension of an E28A investor KITAS at least 30 days before it expires, through the "
        "immigration office that issued it.",
        "The sponsor is your PT PMA.",
        "Passport valid for 12 months",
        "Sponsor letter",
    ]


def test_sentences_of_a_curated_answer_and_a_document_are_numbered_apart():
    curated = SourceChunk(
        n=1, chunk_id=0, document_id=0, title="Overstay fine?", source="Bali Zero curated answer", score=0.8,
        text="The overstay fine is IDR 1,000,000 per person per day.", golden_answer_id=7,
    )  # fmt: skip
    chunks = [curated, chunk(2, 10, "Overstay", OVERSTAY)]

    answer = offline_answer(chunks=chunks, language="en", question="How much is the overstay fine per day?")

    assert {c.key for c in answer.chunks} <= {("golden", 7), ("document", 10)}
    assert [c.n for c in answer.chunks] == list(range(1, len(answer.chunks) + 1))
    assert ("golden", 7) in {c.key for c in answer.chunks}


def test_a_what_is_question_leads_with_the_sentence_that_defines_the_term():
    checklist = "# Renewing a KITAS\n\n- Passport and current KITAS.\n- A KITAS sponsor letter for the KITAS renewal."
    definition = (
        "# Investor KITAS\n\nThe E28A limited stay permit (commonly called KITAS) is for shareholders of a PT PMA."
    )
    chunks = [chunk(1, 10, "Renewal", checklist), chunk(2, 11, "Investor", definition)]

    for question, language in [("What is a KITAS?", "en"), ("Apa itu KITAS?", "id"), ("Cos'è il KITAS?", "it")]:
        answer = offline_answer(chunks=chunks, language=language, question=question)
        assert sentences(answer.text)[0].startswith("The E28A limited stay permit"), question


def test_a_list_item_that_continues_its_lead_in_is_quoted_with_it():
    text = (
        "A foreigner can own a home:\n\n- a **landed house** on Hak Pakai land, or\n- An apartment unit.\n\nOther text."
    )

    assert sentences(text) == [
        "A foreigner can own a home:",
        "A foreigner can own a home: a landed house on Hak Pakai land, or",
        "An apartment unit.",
        "Other text.",
    ]


def test_an_abbreviation_does_not_end_a_sentence():
    text = "An individual with IDR 900 million pays 0.5% only on IDR 400 million, i.e. IDR 2 million. See art. 7 of the law."

    assert sentences(text) == [
        "An individual with IDR 900 million pays 0.5% only on IDR 400 million, i.e. IDR 2 million.",
        "See art. 7 of the law.",
    ]


def test_a_one_word_no_still_ends_its_sentence():
    assert sentences("Can I work on a tourist visa? No. You need a work permit.") == [
        "Can I work on a tourist visa?",
        "No.",
        "You need a work permit.",
    ]


def test_a_sentence_inherits_the_subject_of_its_title_and_headings():
    kitap = SourceChunk(
        n=1, chunk_id=1, document_id=10, title="KITAP: the permanent stay permit", source="", score=1.0,
        text="# KITAP\n\nThe KITAP is valid for five years, and a KITAP holder needs no yearly renewal in Indonesia.\n\n"
        "## Losing it\n\n"
        "A permit is lost if the holder leaves Indonesia for more than a year without a re-entry permit.",
    )  # fmt: skip

    answer = offline_answer(
        chunks=[kitap], language="en", question="If I leave Indonesia for over a year, do I lose my KITAP?"
    )

    assert sentences(answer.text)[0].startswith("A permit is lost if the holder leaves Indonesia")


LAND_TITLES = [
    ("Hak Pakai (right of use)", "Holders include foreigners residing in Indonesia. Term: 30 + 20 + 30 years."),
    (
        "Hak Guna Usaha (HGU)",
        "Right to cultivate state land for agriculture, plantations or fisheries: 35 + 25 + 35 years.",
    ),
    ("Hak Guna Bangunan (HGB)", "A company can hold the right to build on land for an initial 30 years, extendable."),
]


def test_a_sentence_whose_subject_is_only_in_its_chunks_heading_answers_a_question_about_that_subject():
    """The chunker keeps the heading out of the chunk's text: "Right to cultivate..." is about HGU only by its heading."""
    chunks = [
        replace(chunk(n, 20, "Indonesian land titles", text), heading=heading)
        for n, (heading, text) in enumerate(LAND_TITLES, start=1)
    ]

    answer = offline_answer(chunks=chunks, language="en", question="How long does an HGU right last?")

    assert sentences(answer.text)[0].startswith("Right to cultivate state land")


def test_a_sentence_that_names_the_subject_itself_comes_before_one_that_has_it_only_in_its_heading():
    text = "Pecalang adalah petugas keamanan adat. Mereka mengatur lalu lintas saat upacara."
    chunks = [replace(chunk(1, 21, "Banjar dan desa adat", text, "id"), heading="Pecalang")]

    answer = offline_answer(chunks=chunks, language="id", question="Siapa itu pecalang?")

    assert sentences(answer.text)[0] == "Pecalang adalah petugas keamanan adat."


def test_a_question_that_asks_for_no_figure_is_answered_by_prose_before_a_table_row():
    text = (
        "# Monthly returns\n\n| Return | Late filing |\n|---|---|\n| SPT Masa PPN | Fine charged per late SPT Masa PPN |\n\n"
        "Late filing fines are charged for each SPT Masa filed late."
    )
    chunks = [chunk(1, 30, "Tax penalties", text)]

    answer = offline_answer(chunks=chunks, language="en", question="Is the late SPT Masa fine charged per return?")

    assert sentences(answer.text)[0] == "Late filing fines are charged for each SPT Masa filed late."


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("What is a KITAS?", "KITAS"),
        ("Who are the pecalang?", "pecalang"),
        ("Siapa itu notaris PPAT?", "notaris PPAT"),
        ("Chi è il PPAT?", "PPAT"),
    ],
)
def test_what_and_who_questions_ask_for_a_definition_of_their_term(question, term):
    """The sentence that defines the term ("Pecalang are the guards of a customary village") is boosted."""
    assert _DEFINITION.match(question).group("term") == term


def test_a_who_question_that_asks_something_else_is_no_definition():
    assert _DEFINITION.match("Who signs the lease for the Ubud land?") is None


def test_a_place_in_bali_tells_one_listing_from_another():
    listings = (
        "Two plots are offered this month. The plot in Tabanan is 800 m2 of rice-field land on a 25-year lease. "
        "The plot in Canggu is 300 m2 on a 30-year lease, with road access."
    )

    answer = offline_answer(
        chunks=[chunk(1, 20, "Land listings", listings)], language="en", question="How big is the Canggu plot?"
    )

    assert sentences(answer.text)[0].startswith("The plot in Canggu")
    assert "canggu" in _terms("How big is the Canggu plot?", "en")  # a term of the sentence score, not only cosine
