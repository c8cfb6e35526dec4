import datetime

import pytest

from knowledge.models import Collection
from knowledge.search import hybrid
from knowledge.selectors import InvalidQuery, collection_slugs, knowledge_search
from knowledge.services import document_retire, documents_ingest
from tests.knowledge.factories import DocumentDraftFactory

pytestmark = pytest.mark.django_db

CORPUS = [
    (
        "visa_oracle",
        "en",
        "retirement.md",
        "Retirement KITAS",
        "# Retirement KITAS\n\nForeigners aged 60 or more can apply for the retirement stay permit E33F. They must hire a "
        "local helper, rent housing and hold health insurance; a sponsor agency files the application.",
    ),
    (
        "visa_oracle",
        "id",
        "overstay-id.md",
        "Denda overstay",
        "# Denda overstay\n\nOrang asing yang melebihi izin tinggal dikenakan denda sebesar satu juta rupiah per hari. "
        "Setelah enam puluh hari, petugas imigrasi dapat melakukan deportasi dan penangkalan.",
    ),
    (
        "visa_oracle",
        "it",
        "sponsor-it.md",
        "Lo sponsor del visto",
        "# Lo sponsor del visto\n\nLo sponsor, chiamato penjamin, garantisce per lo straniero e risponde delle spese di "
        "rimpatrio. Deve essere una persona o una società residente in Indonesia.",
    ),
    (
        "tax_genius",
        "en",
        "pph21.md",
        "Employee withholding tax",
        "# PPh 21\n\nEmployers withhold PPh 21 income tax from monthly salaries using the average effective rate "
        "tables and report it by the twentieth of the following month.",
    ),
    (
        "bali_zero_pricing",
        "en",
        "kitas-prices.md",
        "KITAS processing prices",
        "# KITAS prices\n\nBali Zero charges a service fee for processing a retirement KITAS or an investor KITAS, "
        "government fees excluded. Payment is due before the application is filed.",
    ),
]


@pytest.fixture
def corpus(db):
    collections = {c.slug: c for c in Collection.objects.all()}
    drafts = [
        DocumentDraftFactory(collection=collections[slug], language=lang, original_name=name, title=title, text=text)
        for slug, lang, name, title, text in CORPUS
    ]
    return {o.document.original_name: o.document for o in documents_ingest(drafts=drafts)}


def names(hits) -> list[str]:
    return [hit.title for hit in hits]


def test_search_returns_hits_with_their_document_details(corpus):
    hits = knowledge_search(query="retirement stay permit for people over 60", k=3)

    hit = hits[0]
    assert hit.title in {"Retirement KITAS", "KITAS processing prices"}
    top = next(h for h in hits if h.title == "Retirement KITAS")
    document = corpus["retirement.md"]
    assert top.document_id == document.pk
    assert top.collection == "visa_oracle"
    assert top.language == "en"
    assert top.source == "Test source"
    assert top.source_url == "https://example.org/source"
    assert top.last_reviewed == document.last_reviewed
    assert top.stale is False
    assert "E33F" in top.text
    assert top.heading_path == "Retirement KITAS"
    assert top.vector_score is not None and top.lexical_score is not None
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_collection_filter_keeps_other_collections_out(corpus):
    hits = knowledge_search(query="KITAS fee", collections=["tax_genius"], k=5)

    assert hits
    assert {h.collection for h in hits} == {"tax_genius"}


def test_language_filter_keeps_other_languages_out(corpus):
    hits = knowledge_search(query="overstay visa sponsor", language="it", k=5)

    assert names(hits) == ["Lo sponsor del visto"]


def test_indonesian_query_finds_the_indonesian_document(corpus):
    hits = knowledge_search(query="berapa denda melebihi izin tinggal per hari", k=1)

    assert names(hits) == ["Denda overstay"]


def test_italian_query_finds_the_italian_document(corpus):
    hits = knowledge_search(query="chi è il penjamin e quali spese di rimpatrio garantisce", k=1)

    assert names(hits) == ["Lo sponsor del visto"]


def test_the_pricing_collection_boost_lifts_its_chunks(corpus):
    pricing = Collection.objects.get(slug="bali_zero_pricing")
    query = "retirement KITAS"
    neutral = {h.title: h.score for h in knowledge_search(query=query, k=5)}
    pricing.score_boost = 3.0
    pricing.save()
    hybrid.forget_snapshot()

    boosted = {h.title: h.score for h in knowledge_search(query=query, k=5)}

    assert boosted["KITAS processing prices"] == pytest.approx(neutral["KITAS processing prices"] * 3.0 / 1.15)
    assert boosted["Retirement KITAS"] == pytest.approx(neutral["Retirement KITAS"])
    assert max(boosted, key=boosted.get) == "KITAS processing prices"


def test_stale_documents_are_flagged(db, settings):
    old = datetime.date.today() - datetime.timedelta(days=settings.KNOWLEDGE_STALE_DAYS + 1)
    documents_ingest(
        drafts=[DocumentDraftFactory(title="Old rules", text="# Old\n\nThe old visa rules.", last_reviewed=old)]
    )

    hits = knowledge_search(query="old visa rules", k=1)

    assert hits[0].stale is True


def test_retired_documents_are_not_found(corpus):
    document_retire(document=corpus["pph21.md"])

    hits = knowledge_search(query="PPh 21 withholding salaries", k=5)

    assert "Employee withholding tax" not in names(hits)


def test_the_lexical_index_is_built_once_per_corpus_version(corpus):
    knowledge_search(query="retirement", k=1)
    first = hybrid.corpus_snapshot()

    knowledge_search(query="penjamin", k=1)
    assert hybrid.corpus_snapshot() is first

    documents_ingest(drafts=[DocumentDraftFactory(title="Newcomer", text="# New\n\nA brand new zebra document.")])
    hits = knowledge_search(query="zebra", k=1)
    assert hybrid.corpus_snapshot() is not first
    assert names(hits) == ["Newcomer"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": "   "}, "The query is empty."),
        ({"query": "x" * 2001}, "The query is too long (2001 characters; the limit is 2000)."),
        ({"query": "visa", "collections": ["visa_oracle", "nope"]}, "Unknown collection: nope."),
        ({"query": "visa", "language": "fr"}, "Unknown language 'fr'; use one of en, id, it."),
        ({"query": "visa", "k": 0}, "k must be between 1 and 50."),
    ],
)
def test_bad_queries_are_refused_with_a_message(db, kwargs, message):
    with pytest.raises(InvalidQuery) as caught:
        knowledge_search(**kwargs)

    assert str(caught.value) == message


def test_the_fourteen_collections_exist_in_order(db):
    assert collection_slugs() == [
        "bali_zero_pricing",
        "visa_oracle",
        "kbli_eye",
        "kbli_comprehensive",
        "tax_genius",
        "tax_updates",
        "tax_knowledge",
        "legal_architect",
        "legal_updates",
        "property_listings",
        "property_knowledge",
        "kb_indonesian",
        "cultural_insights",
        "zantara_books",
    ]
    assert Collection.objects.get(slug="bali_zero_pricing").score_boost > 1.0


def test_an_italian_question_finds_an_english_document_through_the_glossary(db, visa):
    documents_ingest(
        drafts=[
            DocumentDraftFactory(
                collection=visa,
                title="Overstay charges",
                text="# Overstay\n\nForeigners who overstay pay a fine of one million rupiah per day.",
            ),
            DocumentDraftFactory(
                collection=visa,
                language="it",
                title="Termini del saldo",
                text="# Saldo\n\nIl saldo si versa alla consegna dei documenti dell'ufficio.",
            ),
        ]
    )

    hits = knowledge_search(query="quanto si paga di multa per ogni giorno?", k=1)

    assert names(hits) == ["Overstay charges"]


def test_one_document_fills_at_most_two_of_the_results(db, visa):
    sections = "\n\n".join(f"## Part {i}\n\nThe golden visa rule number {i} for investors." for i in range(6))
    documents_ingest(
        drafts=[
            DocumentDraftFactory(collection=visa, title="Golden visa", text=f"# Golden visa\n\n{sections}"),
            DocumentDraftFactory(collection=visa, title="Other", text="# Other\n\nInvestors and visas in general."),
        ]
    )

    hits = knowledge_search(query="golden visa rule for investors", k=5)

    assert names(hits) == ["Golden visa", "Golden visa", "Other"]


def test_a_misspelt_word_is_corrected_to_the_indexed_term_one_edit_away(corpus):
    lexical = hybrid.corpus_snapshot().lexical

    assert lexical.correct("retirment") == "retirement"
    assert lexical.correct("withhold") is None  # known words stay
    assert lexical.correct("xyzzyq") is None  # nothing close: as typed


def test_a_question_with_typos_ranks_like_the_same_question_spelt_right(corpus):
    typed = knowledge_search(query="retirment stay permitt for foreigners aged 60", k=2)
    spelt = knowledge_search(query="retirement stay permit for foreigners aged 60", k=2)

    assert names(typed) == names(spelt)
    assert "Retirement KITAS" in names(typed)


def test_an_italian_question_is_embedded_without_its_italian_grammar_words(corpus, monkeypatch):
    from nuzantara.embeddings import get_embedder

    embedder = get_embedder()
    embedded: list[str] = []
    encode_one = embedder.encode_one
    monkeypatch.setattr(embedder, "encode_one", lambda text: embedded.append(text) or encode_one(text))

    knowledge_search(query="Chi paga le spese dell'espulsione se vengo deportato?", k=1)

    assert embedded and not {"le", "dell", "se"} & set(embedded[0].split())


def test_ingest_stores_the_english_gloss_of_an_italian_chunk_and_none_for_an_english_one(corpus):
    from knowledge.models import Chunk

    italian = Chunk.objects.get(document=corpus["sponsor-it.md"])
    english = Chunk.objects.get(document=corpus["retirement.md"])

    assert {"sponsor", "guarantor", "foreign"} <= set(
        italian.gloss.split()
    ) and "straniero" not in italian.gloss.split()
    assert english.gloss == ""


def test_the_lexical_index_reads_a_chunks_stored_gloss_instead_of_glossing_it_again(corpus):
    from knowledge.models import Chunk

    Chunk.objects.filter(document=corpus["sponsor-it.md"]).update(gloss="guarantor zyxwarrant")
    hybrid.forget_snapshot()

    matches = hybrid.corpus_snapshot().lexical.search("zyxwarrant", n_results=5)

    assert [m.chunk_id for m in matches] == list(
        Chunk.objects.filter(document=corpus["sponsor-it.md"]).values_list("pk", flat=True)
    )


def test_a_collection_reindex_refreshes_a_stale_stored_gloss(corpus):
    from knowledge.models import Chunk
    from knowledge.services import collection_reindex

    chunk = Chunk.objects.get(document=corpus["sponsor-it.md"])
    Chunk.objects.filter(pk=chunk.pk).update(gloss="made by an older lexicon")

    collection_reindex(collection=Collection.objects.get(slug="visa_oracle"))

    chunk.refresh_from_db()
    assert "sponsor" in chunk.gloss.split() and "older" not in chunk.gloss.split()


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("rinnovo permesso soggiorno costi", "it"),
        ("akta pendirian perseroan notaris", "id"),
        ("retirement visa requirements Bali", "en"),
        ("Quanto costa il visto?", "it"),
    ],
)
def test_a_keyword_question_without_function_words_is_given_the_language_its_dictionary_knows(query, language):
    assert hybrid.query_language(query) == language
