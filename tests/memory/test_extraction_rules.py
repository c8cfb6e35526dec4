"""The offline extractor, in English, Indonesian and Italian: what it finds, and what it must not take as a fact."""

from datetime import date

import pytest

from memory.extraction.dates import parse_dates
from memory.extraction.rules import RuleBasedExtractor, extract_candidates

TODAY = date(2025, 6, 1)


def slots(text: str, *, explicit: bool = False) -> dict[str, str]:
    return {c.key: c.value for c in extract_candidates(text, today=TODAY, explicit=explicit) if c.action == "assert"}


def retracted(text: str) -> set[tuple[str, str]]:
    return {(c.key, c.value) for c in extract_candidates(text, today=TODAY) if c.action == "retract"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi, my name is Marco and I live in Canggu.", {"name": "Marco", "city": "Canggu"}),
        ("I'm Italian, married to an Indonesian, and we have two kids.", {"nationality": "Italian", "marital_status": "married", "spouse_nationality": "Indonesian", "children": "2"}),
        ("I hold an investor KITAS that expires on 14 March 2026.", {"visa_type": "Investor KITAS (E28A)", "visa_expiry": "2026-03-14"}),
        ("My company is called PT Surya Abadi, it's a PT PMA.", {"company": "PT Surya Abadi", "company_type": "PT PMA"}),
        ("I need to file my annual tax return by 31 March 2026.", {"deadline:file-annual-tax-return": "2026-03-31"}),
        ("I'm a US citizen based in Seminyak, please answer in Italian.", {"nationality": "American", "city": "Seminyak", "answer_language": "Italian"}),
        ("i live in ubud with my wife", {"city": "Ubud"}),
    ],
)  # fmt: skip
def test_english_facts_are_extracted(text, expected):
    assert slots(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nama saya Budi, saya orang Australia dan tinggal di daerah Berawa.", {"name": "Budi", "nationality": "Australian", "city": "Berawa"}),
        ("KITAS saya habis tanggal 14/03/2026.", {"visa_expiry": "2026-03-14", "visa_type": "KITAS"}),
        ("Saya pakai visa lansia, istri saya orang Indonesia.", {"visa_type": "Retirement KITAS (E33E)", "spouse_nationality": "Indonesian"}),
        ("Perusahaan saya bernama PT Bintang Laut.", {"company": "PT Bintang Laut"}),
        ("Saya harus lapor SPT tahunan sebelum 31 Maret 2026.", {"deadline:lapor-spt-tahunan": "2026-03-31"}),
        ("Kami punya tiga anak dan sudah pindah ke Sanur.", {"children": "3", "city": "Sanur"}),
    ],
)  # fmt: skip
def test_indonesian_facts_are_extracted(text, expected):
    assert slots(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mi chiamo Luca, sono italiano e vivo a Ubud da tre anni.", {"name": "Luca", "nationality": "Italian", "city": "Ubud"}),
        ("Il mio visto scade il 3 marzo 2027.", {"visa_expiry": "2027-03-03"}),
        ("Ho un KITAS investor e la mia società si chiama PT Mare Blu.", {"visa_type": "Investor KITAS (E28A)", "company": "PT Mare Blu"}),
        ("Mia moglie si chiama Kadek e abbiamo due figli.", {"spouse": "Kadek", "children": "2"}),
        ("Devo rinnovare il KITAS entro il 15 luglio 2025.", {"deadline:rinnovare-kitas": "2025-07-15"}),
        ("Sono in pensione, rispondimi in italiano.", {"occupation": "retired", "answer_language": "Italian"}),
    ],
)  # fmt: skip
def test_italian_facts_are_extracted(text, expected):
    assert slots(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I moved from Canggu to Sanur last month.", {"city": "Sanur"}),
        ("Aku udah pindah ke Ubud.", {"city": "Ubud"}),
        ("Mi sono trasferita da Canggu a Sanur.", {"city": "Sanur"}),
    ],
)
def test_a_move_states_the_new_place_only(text, expected):
    assert slots(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I don't live in Canggu anymore.", {("city", "Canggu")}),
        ("Saya sudah tidak tinggal di Canggu lagi.", {("city", "Canggu")}),
        ("Non vivo più a Canggu.", {("city", "Canggu")}),
        ("I sold my company last year.", {("company", ""), ("company_type", "")}),
        ("Sono divorziato.", {("spouse", ""), ("spouse_nationality", "")}),
    ],
)
def test_statements_that_something_no_longer_holds_are_retractions(text, expected):
    assert retracted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Do I need a KITAS if I live in Ubud?",
        "Can I open a PT PMA as an Italian?",
        "If I move to Sanur, do I have to report to immigration?",
        "I want to move to Ubud next year and get an investor KITAS.",
        "Saya ingin pindah ke Ubud tahun depan.",
        "Vorrei trasferirmi a Sanur.",
        "I have a question about the KITAS.",
        "My friend lives in Canggu.",
        "Berapa biaya KITAS investor?",
        "Quanto costa il KITAS investor?",
    ],
)
def test_questions_plans_and_other_peoples_facts_are_not_facts(text):
    assert slots(text) == {}


def test_the_assistants_words_are_not_taken_as_facts_about_the_user():
    extractor = RuleBasedExtractor(today=TODAY)

    candidates = extractor.extract(
        user_text="How do I extend my stay?", assistant_text="Since you live in Canggu on a B211A, ...", existing=[]
    )

    assert candidates == []


def test_the_last_value_said_wins_within_one_message():
    assert slots("I live in Canggu. Actually no, I live in Sanur now.") == {"city": "Sanur"}


def test_phone_numbers_and_emails_are_only_kept_when_the_user_asks_to_remember_them():
    text = "My phone number is +62 812 3456 7890 and my email is marco@example.com"

    assert "phone" not in slots(text)
    assert slots(text, explicit=True) | {} == {"phone": "6281234567890", "email": "marco@example.com"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 14 March 2026", ["2026-03-14"]),
        ("March 14, 2026", ["2026-03-14"]),
        ("14/03/2026", ["2026-03-14"]),
        ("2026-01-31", ["2026-01-31"]),
        ("tanggal 5 Agustus", ["2025-08-05"]),
        ("scade a marzo", ["March 2026"]),
        ("akhir Oktober 2025", ["end of October 2025"]),
        ("until 2026", ["2026"]),
        ("I may come", []),
    ],
)
def test_dates_are_normalized_in_three_languages(text, expected):
    assert [d.text for d in parse_dates(text, today=TODAY)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "My brother's E33G expires in May.",
        "A colleague of mine lives in Lovina and his KITAS runs out in July.",
        "My landlord is Australian and works for PT Villa Indah.",
        "Paman saya pemegang KITAS investor, habis Oktober.",
        "Teman kos saya orang Jerman dan tinggal di Canggu.",
        "Karyawan saya baru menikah dengan orang Filipina.",
        "La mia amica Sara ha un E33G che scade ad aprile.",
        "Mio cugino è tedesco e vive a Sanur.",
    ],
)
def test_facts_about_someone_else_are_never_facts_about_the_user(text):
    assert slots(text) == {}


@pytest.mark.parametrize(
    "text",
    [
        "Suppose I open a PT PMA in Bali, what taxes apply?",
        "Misalnya saya beli villa atas nama PT PMA, pajaknya apa saja?",
        "Mettiamo che io sposi un'indonesiana: posso avere il KITAS?",
        "What if my KITAS expired last week?",
    ],
)
def test_hypotheticals_and_questions_create_no_facts(text):
    assert slots(text) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm Polish; my colleague Marta lives in Warsaw.", {"nationality": "Polish"}),
        ("I live in Berawa, my sister lives in Seminyak.", {"city": "Berawa"}),
        ("Saya tinggal di Ubud, kakak saya tinggal di Jakarta.", {"city": "Ubud"}),
        ("Vivo a Sanur, mentre mio fratello vive a Ubud.", {"city": "Sanur"}),
    ],
)
def test_in_a_mixed_message_only_the_users_own_facts_are_kept(text, expected):
    assert slots(text) == expected


@pytest.mark.parametrize(
    ("text", "fact_text"),
    [
        ("My KITAS expires in March 2027.", "KITAS expires in March 2027"),
        ("KITAP saya berlaku sampai Mei 2030.", "KITAP expires in May 2030"),
    ],
)
def test_an_expiry_keeps_the_permit_it_is_about(text, fact_text):
    texts = {c.text for c in extract_candidates(text, today=TODAY) if c.key == "visa_expiry"}

    assert texts == {fact_text}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm Lukas, German, and I live in Sanur.", {"name": "Lukas", "nationality": "German", "city": "Sanur"}),
        ("Saya Ana Souza dari Portugal.", {"nationality": "Portuguese"}),
        ("Sono fotografa e vivo a Ubud.", {"occupation": "photographer", "city": "Ubud"}),
        ("Saya akuntan, kantor saya di Denpasar.", {"occupation": "accountant"}),
        ("I'm the director of our PT.", {"occupation": "director"}),
    ],
)
def test_a_nationality_after_a_name_and_an_occupation_without_article_are_found(text, expected):
    found = slots(text)

    assert {key: found.get(key) for key in expected} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm a data analyst at Gojek, based in Jakarta.", {"occupation": "data analyst", "employer": "Gojek", "city": "Jakarta"}),
        ("Lavoro per Airbnb come data scientist.", {"employer": "Airbnb", "occupation": "data scientist"}),
        ("Ho tre figli e sono divorziato.", {"children": "3", "marital_status": "divorced"}),
        ("I'm a widow, I live in Ubud and I'm retired.", {"marital_status": "widowed", "city": "Ubud", "occupation": "retired"}),
        ("Saya belum menikah dan tinggal di Nusa Dua.", {"marital_status": "single", "city": "Nusa Dua"}),
        ("I've got 4 kids, the youngest is 2.", {"children": "4"}),
        ("I must file my LKPM by 10 Jan 2026.", {"deadline:file-lkpm": "2026-01-10"}),
        ("Entro il 31 marzo 2026 devo presentare l'SPT personale.", {"deadline:presentare-l-spt-personale": "2026-03-31"}),
        ("KITAP sy berlaku smp 20 Januari 2032", {"visa_type": "KITAP", "visa_expiry": "2032-01-20"}),
    ],
)  # fmt: skip
def test_employers_family_status_deadlines_and_chat_indonesian_are_found(text, expected):
    assert slots(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "My business partner Luca lives in Sanur and is the director of our PT.",
        "Mitra bisnis saya orang Korea, dia yang pegang saham mayoritas di PT kami.",
        "Kalau sy udh pensiun nanti, bisa ganti ke E33F?",
        "Seumpama saya kerja remote utk perusahaan luar negeri, wajib bayar pajak di sini ga?",
        "Mending saya tinggal di Sanur atau Ubud ya?",
        "Our villa manager Kadek has three kids and is married to a Javanese woman.",
        "My accountant's firm, PT Angka Pasti Konsultan, is a PT PMA run by two Singaporeans.",
        "Akuntan saya orang Singapura dan tinggal di Sanur.",
        "Il mio avvocato è olandese e vive a Ubud.",
    ],
)
def test_partners_conditions_that_open_a_sentence_and_deliberations_create_no_fact(text):
    assert slots(text) == {}


def test_a_courtesy_condition_does_not_hide_the_fact_after_it():
    assert slots("If it helps, my KITAS expires on 14 March 2026.") == {
        "visa_type": "KITAS",
        "visa_expiry": "2026-03-14",
    }


def test_someone_named_by_a_role_is_someone_else_but_the_user_can_hold_that_role():
    assert slots("I'm an accountant and I live in Ubud.") == {"occupation": "accountant", "city": "Ubud"}
    assert slots("Reply in English please - my assistant Putu reads these too.") == {"answer_language": "English"}


@pytest.mark.parametrize(
    "text",
    [
        "Passing on a message from a client: 'I am Dutch, I live in Sanur and my KITAS ends in May 2026.' What do I say?",
        'Tetangga saya bilang: "Saya orang Jerman, tinggal di Ubud." Itu benar nggak?',
        "Il mio socio mi scrive: «Sono francese e vivo a Canggu». Gli serve un KITAS?",
    ],
)
def test_someone_elses_words_in_quotation_marks_create_no_fact(text):
    assert slots(text) == {}


def test_an_apostrophe_is_not_a_quotation_mark():
    assert slots("Sono sposato con un'indonesiana e vivo a Sanur, l'isola mi piace.") == {
        "marital_status": "married",
        "spouse_nationality": "Indonesian",
        "city": "Sanur",
    }


@pytest.mark.parametrize(
    "text",
    [
        "my girlfirend is on an E33G that runs out in June 2026, she lives in Canggu",
        "La mia fidanzta vive a Ubud con un E33G che scade il 10 ottobre 2026.",
        "La mia ragazza vive a Sanur e lavora come insegnante.",
    ],
)
def test_a_partner_typed_with_a_slip_or_called_ragazza_is_someone_else(text):
    assert slots(text) == {}


@pytest.mark.parametrize(
    "text",
    [
        "Misalkan saya orang Belanda dan tinggal di Sanur, pajaknya gimana?",
        "Anggap saja saya sudah pensiun, bisa ambil KITAS lansia?",
        "Let's say I'm a German freelancer in Ubud, which visa fits?",
        "Diciamo che sono pensionato e vivo a Lovina: che visto mi serve?",
    ],
)
def test_a_supposition_opening_the_sentence_creates_no_fact(text):
    assert slots(text) == {}


@pytest.mark.parametrize(
    "text",
    [
        "Il mio KITAS è valido fino a marzo 2027?",
        "KITAS saya berlaku sampai Maret 2027?",
        "My KITAS runs until March 2027?",
    ],
)
def test_a_question_asked_by_intonation_alone_creates_no_fact(text):
    assert slots(text) == {}


def test_a_fact_stated_before_a_question_is_kept():
    assert slots("My KITAS expires on 14 March 2027, can I extend it from Bali?")["visa_expiry"] == "2027-03-14"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Divorced, two kids, and on a KITAP now.", {"marital_status": "divorced", "children": "2"}),
        ("Got my KITAS approved last week. Widower, btw.", {"marital_status": "widowed"}),
        ("Saya WN Selandia Baru, janda, anak satu.", {"marital_status": "widowed", "children": "1", "nationality": "New Zealander"}),
        ("ciao, sono Chiara, divorziata, ho un figlio", {"name": "Chiara", "marital_status": "divorced", "children": "1"}),
        ("Married, Italian, living in Sanur.", {"marital_status": "married", "city": "Sanur"}),
    ],
)  # fmt: skip
def test_a_status_said_as_one_item_of_a_self_description_is_found(text, expected):
    assert slots(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "My brother, divorced, lives in Ubud.",
        "Mio fratello, divorziato, vive a Ubud.",
        "Kakak saya, janda, tinggal di Ubud.",
        "My client, married, wants a spouse KITAS.",
        "Single entry visa or multiple, which is better?",
        "adek gue kerja di Jakarta sbg dokter",  # chat Indonesian for "my younger sibling"
        "Se fossi vedova, cosa succede al KITAS?",
    ],
)
def test_a_status_or_a_job_of_someone_else_or_of_a_hypothetical_is_no_fact(text):
    assert slots(text) == {}
