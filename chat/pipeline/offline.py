"""The offline answerer: composes a short, cited answer from the top retrieved chunks when no model is reachable."""

import re

from .prompt import SourceChunk

TEXTS = {
    "en": {
        "intro": "ZANTARA is answering offline (no AI model is reachable right now), so here is what our knowledge base says:",
        "none": "ZANTARA is answering offline and found nothing in the knowledge base for this question. "
        "Ask me to book a consultation and a consultant will get back to you.",
        "smalltalk": "Hello! I'm ZANTARA, Bali Zero's assistant. I answer questions on Indonesian visas (KITAS, KITAP), "
        "company setup (PT PMA, KBLI), tax and property, with sources. (I'm running offline right now.)",
        "stale": "(may be out of date)",
    },
    "id": {
        "intro": "ZANTARA sedang menjawab secara offline (model AI tidak dapat dijangkau saat ini). "
        "Berikut isi basis pengetahuan kami:",
        "none": "ZANTARA sedang offline dan tidak menemukan informasi untuk pertanyaan ini. "
        "Minta saya menjadwalkan konsultasi dan konsultan kami akan menghubungi Anda.",
        "smalltalk": "Halo! Saya ZANTARA, asisten Bali Zero. Saya menjawab pertanyaan tentang visa (KITAS, KITAP), "
        "pendirian perusahaan (PT PMA, KBLI), pajak, dan properti di Indonesia. (Saat ini saya berjalan offline.)",
        "stale": "(mungkin sudah tidak terbaru)",
    },
    "it": {
        "intro": "ZANTARA risponde offline (nessun modello di IA raggiungibile in questo momento); "
        "ecco cosa dice la nostra base di conoscenza:",
        "none": "ZANTARA è offline e non ha trovato nulla nella base di conoscenza per questa domanda. "
        "Chiedimi di prenotare una consulenza e un consulente ti ricontatterà.",
        "smalltalk": "Ciao! Sono ZANTARA, l'assistente di Bali Zero. Rispondo a domande su visti (KITAS, KITAP), "
        "costituzione di società (PT PMA, KBLI), tasse e immobili in Indonesia. (Al momento funziono offline.)",
        "stale": "(potrebbe non essere aggiornato)",
    },
}

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["en"])


def _gist(text: str, limit: int = 320) -> str:
    lines = [line.strip() for line in text.splitlines()]
    body = " ".join(line.lstrip("-*> ").strip() for line in lines if line and not line.startswith("#"))
    body = re.sub(r"[*_`]+", "", body)
    sentences = _SENTENCE.split(body)
    gist = ""
    for sentence in sentences:
        if len(gist) + len(sentence) > limit and gist:
            break
        gist = f"{gist} {sentence}".strip()
    return gist[:limit].rstrip()


def offline_answer(*, chunks: list[SourceChunk], language: str, smalltalk: bool = False) -> str:
    texts = _texts(language)
    if smalltalk:
        return texts["smalltalk"]
    if not chunks:
        return texts["none"]
    lines = [texts["intro"], ""]
    for chunk in chunks[:3]:
        stale = f" {texts['stale']}" if chunk.stale else ""
        lines.append(f"- **{chunk.title}**: {_gist(chunk.text)} [{chunk.n}]{stale}")
    return "\n".join(lines)


def handoff_confirmation(*, language: str, request_id: int) -> str:
    replies = {
        "en": f"I've asked our team to contact you (request #{request_id}). A consultant will reach out during office "
        "hours (Mon-Fri, 09:00-17:00 WITA). Tell me how you prefer to be contacted (WhatsApp, email or phone).",
        "id": f"Saya sudah meminta tim kami menghubungi Anda (permintaan #{request_id}). Konsultan kami akan menghubungi "
        "pada jam kerja (Senin-Jumat, 09.00-17.00 WITA). Beri tahu saya cara kontak yang Anda sukai (WhatsApp, email, telepon).",
        "it": f"Ho chiesto al nostro team di contattarti (richiesta n. {request_id}). Un consulente ti contatterà in orario "
        "d'ufficio (lun-ven, 09:00-17:00 WITA). Dimmi come preferisci essere contattato (WhatsApp, email o telefono).",
    }
    return replies.get(language, replies["en"])
