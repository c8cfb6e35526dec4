"""A small language guesser for the three languages ZANTARA speaks (en, id, it), from function words.

Good enough to pick the reply language and the UI strings of canned answers; the LLM itself answers in the user's language.
"""

import re

_WORDS = {
    "id": set(
        "yang dan di ke dari untuk dengan saya aku kami kita anda kamu apa apakah bagaimana gimana berapa bisa tidak gak "
        "nggak enggak ini itu ada sudah belum mau ingin harus akan atau juga tolong terima kasih selamat pagi siang sore "
        "malam dong kak ya saja sama buat kalau jika bagi tentang perlu berapa lama biaya pajak tanah denda hari bulan "
        "tahun orang asing perusahaan mendirikan membuat punya bayar harga sewa rumah kerja bekerja menikah suami istri "
        "anak izin tinggal kapan siapa mana dimana kenapa mengapa apa bisakah bolehkah saat sudah udah gimana brp yg "
        "dgn utk tdk nya lagi karena setelah sebelum kami kalian mereka dia beliau pak bu mas mbak makasih oke iya "
        "sip siap mohon maaf permisi januari februari maret mei juni juli agustus oktober desember".split()
    ),
    "it": set(
        "il lo la i gli le un una di da in con su per che non come cosa quanto quanti sono sei è ho hai ha abbiamo mio "
        "mia miei vorrei posso puoi può grazie ciao buongiorno buonasera del della dei delle nel nella al alla anche "
        "ma se perché quando dove bisogno devo serve costa mi ti ci quale quali sono sia nostra nostro vostro voi "
        "dei degli sulla sullo sul alla allo dopo prima ancora tutto tutti fare fatto cosa anni mese giorni società "
        "visto tasse casa moglie marito figli lavoro lavorare aprire comprare affitto a e o sì si vado perfetto ottimo "
        "rinnovo rinnovare scusa scusi salve prego gennaio febbraio marzo aprile maggio giugno luglio agosto settembre "
        "ottobre novembre dicembre".split()
    ),
    "en": set(
        "the a an and or of to in on for with is are was be can could how what which who when where why do does i my "
        "me you your we our it this that there much many need want should would will please thanks thank hello hi".split()
    ),
}
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str, default: str = "en") -> str:
    words = [w.casefold() for w in _TOKEN.findall(text)]
    if not words:
        return default
    scores = {lang: sum(1 for w in words if w in vocab) for lang, vocab in _WORDS.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == default))
    return best if scores[best] > 0 else default
