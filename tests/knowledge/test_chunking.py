from knowledge.ingest.chunking import chunk_text

LAW = """# Undang-Undang Nomor 6 Tahun 2011 tentang Keimigrasian

BAB I
KETENTUAN UMUM

Pasal 1
Dalam Undang-Undang ini yang dimaksud dengan Keimigrasian adalah hal ihwal lalu lintas orang yang masuk atau keluar
Wilayah Indonesia.

Pasal 2
Setiap warga negara Indonesia berhak melakukan perjalanan keluar dan masuk Wilayah Indonesia.

BAB II
VISA

Pasal 3
Visa diberikan oleh pejabat imigrasi.
"""


def test_markdown_chunks_keep_their_heading_path():
    text = (
        "# Golden Visa\n\nIntro long enough " + "word " * 40 + "\n\n## Thresholds\n\nUSD 350,000.\n\n"
        "## Corporate\n\nUSD 25 million.\n\n### Directors\n\nDirectors and commissioners."
    )

    chunks = chunk_text(text)

    assert [c.heading_path for c in chunks] == [
        "Golden Visa",
        "Golden Visa > Thresholds",
        "Golden Visa > Corporate > Directors",
    ]
    assert chunks[1].text == "USD 350,000."
    assert chunks[2].text == "USD 25 million.\n\nDirectors and commissioners."
    assert [c.ordinal for c in chunks] == [0, 1, 2]


def test_indonesian_law_is_split_per_pasal_under_its_bab():
    chunks = chunk_text(LAW)

    paths = [c.heading_path for c in chunks]
    assert paths == [
        "Undang-Undang Nomor 6 Tahun 2011 tentang Keimigrasian > BAB I KETENTUAN UMUM > Pasal 1",
        "Undang-Undang Nomor 6 Tahun 2011 tentang Keimigrasian > BAB I KETENTUAN UMUM > Pasal 2",
        "Undang-Undang Nomor 6 Tahun 2011 tentang Keimigrasian > BAB II VISA > Pasal 3",
    ]
    assert chunks[1].text.startswith("Setiap warga negara")
    assert "Pasal 3" not in chunks[1].text


def test_english_and_italian_articles_are_split_too():
    text = (
        "Chapter 2 - Visas\n\nArticle 5\nA visa is issued abroad.\n\nArticle 6 - Fees\nFees are set by regulation.\n\n"
        "Capo III\n\nArticolo 7\nIl permesso di soggiorno è rilasciato dall'ufficio."
    )

    chunks = chunk_text(text)

    assert [c.heading_path for c in chunks] == [
        "Chapter 2 - Visas > Article 5",
        "Chapter 2 - Visas > Article 6 - Fees",
        "Capo III > Articolo 7",
    ]


def test_a_sentence_that_starts_with_article_is_not_a_heading():
    text = "Pasal 1\nArticle 5 of the regulation says the sponsor must report.\nMore text."

    chunks = chunk_text(text)

    assert len(chunks) == 1
    assert chunks[0].heading_path == "Pasal 1"
    assert "Article 5 of the regulation" in chunks[0].text


def test_long_sections_are_split_under_the_limit_with_overlap():
    paragraphs = [" ".join(f"p{p}w{i}" for i in range(60)) for p in range(10)]
    text = "## Long\n\n" + "\n\n".join(paragraphs)

    chunks = chunk_text(text, max_tokens=100, overlap=10)

    assert len(chunks) > 5
    assert all(c.token_count <= 100 for c in chunks)
    assert all(c.heading_path == "Long" for c in chunks)
    for previous, current in zip(chunks, chunks[1:], strict=False):
        assert current.text.split()[:10] == previous.text.split()[-10:]
    all_words = {w for c in chunks for w in c.text.split()}
    assert all_words == {w for p in paragraphs for w in p.split()}


def test_a_short_preamble_joins_its_first_subsection():
    text = "*Sample content.*\n\n# Title\n\n## First\n\nBody of the first section."

    chunks = chunk_text(text)

    assert len(chunks) == 1
    assert chunks[0].heading_path == "Title > First"
    assert chunks[0].text.startswith("*Sample content.*")


def test_headings_inside_code_fences_are_text():
    text = "# Doc\n\n```\n# not a heading\n```\n\nAfter the fence."

    chunks = chunk_text(text)

    assert len(chunks) == 1
    assert "# not a heading" in chunks[0].text
