"""Explicit memory requests routed to the `memory` tool, understood deterministically in English, Indonesian, Italian.

`memory_command_parse` says what the user asked (remember / update / forget / forget everything / list / a question
about one fact) and on what; the replies are plain templates per language. Typos in the command verb ("rememeber",
"forgt", "ingt") are tolerated.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

I = re.IGNORECASE  # noqa: E741 - the flag, as `re` names it


class Intent(StrEnum):
    REMEMBER = "remember"
    UPDATE = "update"
    FORGET = "forget"
    FORGET_ALL = "forget_all"
    LIST = "list"
    RECALL = "recall"  # a question about something in particular: "what's my KITAS expiry date again?"
    HELP = "help"


@dataclass(frozen=True)
class MemoryCommand:
    intent: Intent
    content: str = ""  # REMEMBER/UPDATE: what to store; FORGET/RECALL: the topic


# ------------------------------------------------------------------------------------------------- typo tolerance
_VERBS = ["remember", "forget", "memorize", "ingat", "ricordati", "lupakan"]
_REAL_WORDS = {"forgot", "inget", "ingatan", "ricordate", "ricordato", "ricordare", "remembers", "forgets"}


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _fix_typos(text: str) -> str:
    def fix(match: re.Match) -> str:
        word = match.group()
        lower = word.lower()
        if len(lower) < 4 or lower in _VERBS or lower in _REAL_WORDS:
            return word
        for verb in _VERBS:
            if abs(len(verb) - len(lower)) <= 1 and _distance(lower, verb) == 1:
                return verb
        return word

    return re.sub(r"[^\W\d_]+", fix, text)


# -------------------------------------------------------------------------------------------------------- patterns
_LEAD = r"(?:(?:ok(?:ay)?|so|please|pls|plz|hey|also|and|just|tolong|ya|kak|dong|per\s+favore|ehi|hi|hello|ciao)\W+)*"
_DONT_FORGET = re.compile(r"\b(?:don't|dont|do\s+not)\s+forget\b|\bjangan\s+lupa\b|\bnon\s+dimenticar(?:e|ti)\b", I)
_STOP_KEEPING = re.compile(
    r"\b(?:(?:you\s+)?(?:don't|dont|do\s+not)\s+(?:need\s+to\s+)?|no\s+need\s+to\s+|stop\s+|never\s+)"
    r"(?:keep(?:ing)?|remember(?:ing)?|stor(?:e|ing)|sav(?:e|ing)|record(?:ing)?|track(?:ing)?)\b(?:\s+anymore)?"
    r"|\bjangan\s+(?:di)?(?:simpan|ingat|inget|catat)(?:\s+lagi)?\b"
    r"|\bnon\s+(?:tenerl[oaie]|tenere|salvare|ricordare|memorizzare)(?:\s+più)?\b|\bnon\s+salvare\s+più\b",
    I,
)
_FORGET = re.compile(
    r"\b(?:forget|delete|remove|erase|wipe|clear|purge|lupakan|lupain|lupakanlah|hapus|hapuskan|dihapus|buang|"
    r"dimentica(?:ti|re)?|scordati|scorda|cancella(?:re|lo|la)?|togli(?:lo|la|li|le)?|rimuovi|elimina)\b",
    I,
)
_FORGET_ALL_TOPIC = re.compile(
    r"^(?:(?:about\s+)?me|everything|all|all\s+of\s+it|anything|(?:my\s+)?(?:personal\s+)?(?:data|profile|memory|"
    r"info(?:rmation)?|details)|(?:your|the)\s+memory|semua(?:nya)?|semua\s+(?:data|info|memori)|data\s+(?:pribadi\s+)?|"
    r"memori(?:\s+kamu)?|tutto|tutti\s+i\s+miei\s+dati|i\s+miei\s+dati|la\s+memoria|niente|più\s+niente|"
    r"semua\s+data\s+pribadi)(?:\s+(?:saya|aku|sy|su\s+di\s+me|di\s+me|about\s+me|(?:kamu\s+)?tentang\s+(?:saya|aku)))?$",
    I,
)
_LIST = re.compile(
    r"\bwhat\s+(?:do|did|else\s+do)\s+(?:you|u)\s+(?:know|remember|have(?:\s+(?:saved|stored|on\s+me))?)\b"
    r"|\bwhat\s+(?:personal\s+)?(?:info(?:rmation)?|data|details|facts)\s+(?:do\s+you|have\s+you|are\s+you)\b"
    r"|\bwhat(?:'s|\s+is)\s+in\s+your\s+(?:notes|memory)\b"
    r"|\bshow\s+(?:me\s+)?(?:my|what|everything|all)\b|\blist\s+(?:everything|what|all|my)\b"
    r"|\b(?:is|are)\s+my\s+(?:info|data|details)\s+(?:stored|saved|kept)\b"
    r"|\bdo\s+you\s+(?:still\s+)?have\s+my\s+(?:info|details|data)\b|\bremind\s+me\s+what\s+you\b"
    r"|\b(?:apa|apa\s+aja|apa\s+saja|info\s+apa|data\s+apa)(?:\s+aja|\s+saja)?\s+yang\s+(?:kamu|anda|kau|km)\s+"
    r"(?:ingat|inget|tahu|tau|ketahui|simpan|catat)\b"
    r"|\b(?:kamu|km|anda)\s+(?:ingat|inget|nyimpen|simpan|tahu|tau)\s+(?:apa|info\s+apa|data\s+apa)\b"
    r"|\b(?:data|info)\s+apa\s+(?:aja\s+|saja\s+)?yang\b|\btampilkan\s+(?:data|catatan|info)\b"
    r"|\bingatkan\s+(?:saya|aku)\s+apa\b"
    r"|\b(?:cosa|che\s+cosa)\s+(?:ricordi|sai|hai\s+memorizzato|hai\s+salvato|hai\s+segnato)\b"
    r"|\b(?:quali|che)\s+(?:dati|informazioni)\b|\bhai\s+ancora\s+i\s+miei\s+dati\b|\bmostrami\b",
    I,
)
_ABOUT = re.compile(
    r"\b(?:about|abt|on|regarding|soal|tentang|mengenai|terkait|sulla|sul|sullo|sui|sugli|sulle|riguardo\s+(?:a|al|alla))\s+(?P<topic>.+)",
    I,
)
_ME_ONLY = re.compile(
    r"^(?:me|myself|saya|aku|sy|di\s+me|me\s+so\s+far|me\s+until\s+now|saya\s+sejauh\s+ini|aku\s+sejauh\s+ini)\W*$", I
)
_QUESTION = re.compile(
    r"^\W*(?:what|what's|whats|which|when|where|who|do\s+you\s+(?:still\s+)?(?:remember|know|have)|did\s+i|have\s+you|"
    r"is\s+my|are\s+my|was\s+my|remind\s+me|apa|apakah|kapan|berapa|siapa|di\s*mana|"
    r"(?:kamu|km|anda)\s+(?:masih\s+)?(?:ingat|inget|simpan|nyimpen|tahu|tau)|masih\s+(?:ingat|inget)|"
    r"cosa|che\s+cosa|qual(?:e|\s+è|\s+era|'era)?|quando|dove|ti\s+ricordi|ti\s+avevo|ti\s+ho\s+(?:già\s+)?detto|"
    r"hai\s+(?:ancora|salvato|memorizzato))\b"
    r"|\b(?:do\s+you\s+remember|did\s+i\s+(?:tell|give|say)|you\s+saved\s+it\s+right|te\s+lo\s+ricordi|"
    r"ti\s+ricordi|kasih\s+tau\s+belum|inget\s+(?:gak|ga|nggak|enggak)|udah\s+aku\s+kasih|what\s+(?:was|is)\s+it|"
    r"berapa|belum\s+ke\s+kamu|kasih\s+tau\b.*\bbelum)\b",
    I,
)
_IMPERATIVE = re.compile(
    r"^\W*" + _LEAD + r"(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+)?(?:remember|note|save|store|forget|keep|"
    r"delete|remove|erase|update)\b",
    I,
)
_UPDATE = re.compile(
    r"\b(?:update|correct|fix|change|amend|modify|perbarui|perbaharui|diupdate|diperbarui|update\s*in|ganti|ubah|"
    r"koreksi|aggiorna|correggi|cambia|modifica)\b|\byou(?:'ve|\s+have)?\s+(?:got|saved|have|wrote)\s+.{0,40}\bwrong\b",
    I,
)
_REMEMBER = re.compile(
    r"\b(?:remember|memorize|memorise|keep\s+(?:a\s+)?note|keep\s+in\s+(?:mind|your\s+memory)|make\s+a\s+note|"
    r"note\s+(?:down|for\s+later|that|this|:)|note:|take\s+note|store|save|add\s+to\s+my\s+profile|"
    r"you\s+should\s+know|for\s+future\s+reference|just\s+so\s+you\s+(?:know|remember)|"
    r"ingat(?:lah|kan)?|inget|ingt|diingat|catat(?:lah)?|dicatat|simpan(?:lah)?|disimpan|tambahin|tambahkan|"
    r"ricorda(?:ti|telo|tela|lo)?|tieni\s+a\s+mente|prendi\s+nota|segna(?:ti|telo)?|salva(?:lo|re)?|aggiungi|"
    r"memorizza(?:lo)?)\b|\b(?:note|catat|nota)\s*:",
    I,
)
_CONNECTORS = re.compile(
    r"^(?:\W|that|this|these|it|please|pls|for\s+me|for\s+later|for\s+next\s+time|in\s+your\s+memory|in\s+mind|"
    r"to\s+my\s+profile|ke\s+profil(?:\s+saya)?|al\s+mio\s+profilo|bahwa|kalau|kalo|ya|yah|dong|ini|che|questo|"
    r"(?:my|your|the)\s+(?:profile|details|records|notes|data|info)|i\s+miei\s+dati|il\s+mio\s+profilo|"
    r"(?:data|catatan|profil)\s+(?:saya|aku)|"
    r"by\s+the\s+way|per\s+la\s+prossima\s+volta|per\s+favore)+\s*",
    I,
)
_TRAILING = re.compile(
    r"(?:[,.;:!\s-]+(?:please|pls|thanks|thank\s+you|ok|okay|ya|dong|tolong|grazie|makasih|per\s+favore|"
    r"remember\s+(?:that|it|this)|ricordatelo|tolong\s+diingat|diingat\s+ya|from\s+now\s+on|mulai\s+sekarang|"
    r"da\s+ora\s+in\s+poi))+\W*$",
    I,
)
_UPDATE_OBJECT = re.compile(
    r"^(?:my|your|the|il\s+mio|la\s+mia|i\s+miei|le\s+mie|[^\W\d_]+\s+(?:saya|aku))(?:\s+[\w']+){0,2}\s*[,:]\s+", I
)
_VAGUE = re.compile(
    r"^(?:my\s+)?(?:details|data|info|information|profile|this|that|it|data\s+saya|i\s+miei\s+dati)$", I
)


def _strip_content(text: str) -> str:
    text = _CONNECTORS.sub("", text.strip())
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING.sub("", text).strip()
    return text.strip(" ,;:-")


def _around(text: str, match: re.Match, clean=_strip_content) -> str:
    """What the command is about: the words after the verb, or before it ("my name is Giulia, please remember it")."""
    after = clean(text[match.end() :])
    if len(after) > 3 and not _VAGUE.match(after):
        return after
    before = clean(re.sub(r"^\W*" + _LEAD, "", text[: match.start()], flags=I))
    return before if len(before) > len(after) else after


_TOPIC_FILLERS = re.compile(
    r"^(?:(?:what|that|everything|anything|the\s+(?:info(?:rmation)?|details?|one|stuff)|all)\s+)?"
    r"(?:(?:you\s+know|i\s+(?:said|told\s+you|mentioned|gave\s+you)(?:\s+earlier|\s+before|\s+yesterday)?|"
    r"yang\s+(?:tadi\s+)?(?:aku|saya)\s+(?:bilang|kasih|ceritakan)|quello\s+che\s+(?:ti\s+)?ho\s+detto|"
    r"catatan|info|informasi|data|yg\s+tadi\s+aku\s+bilang)\s+)?"
    r"(?:about|abt|on|regarding|soal|tentang|mengenai|sul|sulla|sullo|sui|su|di)?\s*",
    I,
)
_TOPIC_TAIL = re.compile(
    r"\s*\b(?:from\s+(?:your\s+)?(?:memory|notes|records)|dari\s+(?:ingatan|memori|catatan)(?:\s+kamu)?|"
    r"dalle\s+tue\s+note|dalla\s+(?:tua\s+)?memoria|in\s+memoria|anymore|lagi|più|please|pls|ya|dong|tolong)\W*$",
    I,
)


def _topic(text: str) -> str:
    topic = text.strip(" ?!.,")
    for _ in range(3):
        topic = _TOPIC_FILLERS.sub("", topic, count=1).strip()
        topic = _TOPIC_TAIL.sub("", topic).strip(" ,.")
    return topic


def memory_command_parse(text: str) -> MemoryCommand:
    """What an explicit memory request asks for (HELP when it is none of them)."""
    text = " ".join(_fix_typos(text).split())
    if not text:
        return MemoryCommand(Intent.HELP)
    imperative = bool(_IMPERATIVE.match(text))

    remember_no_forget = _DONT_FORGET.search(text)
    stop_keeping = _STOP_KEEPING.search(text)
    forget = None if remember_no_forget else (stop_keeping or _FORGET.search(text))
    if forget and not (_QUESTION.search(text) and not imperative and not stop_keeping):
        topic = _around(text, forget, clean=lambda part: _topic(_strip_content(part)))
        if not topic or _FORGET_ALL_TOPIC.match(topic) or _ME_ONLY.match(topic):
            return MemoryCommand(Intent.FORGET_ALL)
        return MemoryCommand(Intent.FORGET, topic)

    if not imperative and (_LIST.search(text) or _QUESTION.search(text) or text.endswith("?")):
        about = _ABOUT.search(text)
        topic = _topic(about.group("topic")) if about else ""
        if _LIST.search(text) and (not topic or _ME_ONLY.match(topic) or _FORGET_ALL_TOPIC.match(topic)):
            return MemoryCommand(Intent.LIST)
        return MemoryCommand(Intent.RECALL, topic or text.strip(" ?"))

    update = _UPDATE.search(text)
    if update:
        content = _UPDATE_OBJECT.sub("", _around(text, update))  # "my address, I moved to Sanur"
        return MemoryCommand(Intent.UPDATE, content)
    remember = remember_no_forget or _REMEMBER.search(text)
    if remember:
        content = _around(text, remember)
        return MemoryCommand(Intent.REMEMBER, "" if _VAGUE.match(content) else content)
    return MemoryCommand(Intent.UPDATE, text)  # a bare statement routed here: "call me Ben from now on"


# ---------------------------------------------------------------------------------------------- topics -> facts
# keyword -> (kinds, keys): a fact matches when its kind is listed, or its key is, when keys are given.
TOPIC_GROUPS: list[tuple[re.Pattern, tuple[str, ...], tuple[str, ...]]] = [
    (re.compile(r"\b(?:address|where\s+i\s+live|location|city|area|alamat|tinggal|domisili|indirizzo|dove\s+(?:vivo|abito)|abito|residenza|rumah\s+saya|casa\s+mia)\b", I), ("location",), ()),
    (re.compile(r"\b(?:nationality|citizenship|kewarganegaraan|nazionalità|cittadinanza|warga\s+negara)\b", I), (), ("nationality",)),
    (re.compile(r"\b(?:expir\w*|expiry|habis|berakhir|scad\w*|valid\s+until|berlaku)\b", I), (), ("visa_expiry",)),
    (re.compile(r"\b(?:visa|kitas|kitap|itas|itap|permit|izin\s+tinggal|visto|permesso|immigration|imigrasi|immigrazione|voa)\b", I), ("immigration",), ()),
    (re.compile(r"\b(?:company|business|pt|cv|perusahaan|usaha|bisnis|azienda|società|ditta|impresa)\b", I), ("business",), ()),
    (re.compile(r"\b(?:wife|husband|spouse|partner|married|marriage|divorce|divorced|ex-?husband|ex-?wife|istri|suami|nikah|menikah|cerai|moglie|marito|sposat\w*|matrimonio|divorzio)\b", I), (), ("spouse", "spouse_nationality", "marital_status")),
    (re.compile(r"\b(?:kids?|children|child|sons?|daughters?|anak|figli\w*|figlia|bambini)\b", I), (), ("children", "child:")),
    (re.compile(r"\b(?:family|keluarga|famiglia)\b", I), ("family",), ()),
    (re.compile(r"\b(?:deadlines?|due\s+dates?|tenggat|batas\s+waktu|scadenze)\b", I), ("deadline",), ()),
    (re.compile(r"\b(?:phone|mobile|hp|telepon|telefono|cellulare|whatsapp|wa)\b", I), (), ("phone",)),
    (re.compile(r"\b(?:e-?mail|surel)\b", I), (), ("email",)),
    (re.compile(r"\b(?:birthday|date\s+of\s+birth|ulang\s+tahun|ultah|tanggal\s+lahir|compleanno|data\s+di\s+nascita)\b", I), (), ("birthday",)),
    (re.compile(r"\b(?:job|occupation|profession|work|pekerjaan|kerja|lavoro|professione|mestiere)\b", I), (), ("occupation", "employer")),
    (re.compile(r"\b(?:language|bahasa|lingua)\b", I), (), ("answer_language",)),
]  # fmt: skip
_MY_NAME = re.compile(
    r"^(?:my\s+(?:first\s+|full\s+|last\s+|sur)?name|name|nama(?:\s+(?:saya|aku|sy))?|namaku|(?:il\s+)?(?:mio\s+)?nome)$",
    I,
)
_STOP_WORDS = set(
    """
    about abt that this what which when where with from your you have has been were will would could should into
    tell told said gave give remember know saved save stored store please still again does did mine
    dari yang untuk dengan saya aku kamu kami sudah udah belum tolong tadi bilang kasih soal tentang apa
    quello quella sono della delle dello degli sulla sullo questo questa hai avevo detto ricordi ancora
    """.split()
)


def topic_words(topic: str) -> list[str]:
    return [w for w in re.findall(r"[^\W_]{4,}", topic.lower()) if w not in _STOP_WORDS]


_RELATION_WORDS = re.compile(
    r"\b(?:wife|husband|spouse|partner|ex-?husband|ex-?wife|istri|suami|moglie|marito|kids?|children|child|sons?|"
    r"daughters?|anak|figli\w*|figlia|bambini)\b",
    I,
)
_NAME_WORD = re.compile(r"\b(?:name|nama|namanya|nome)\b", I)


def _in_groups(fact, kinds: set[str], keys: set[str]) -> bool:
    if fact.kind in kinds:
        return True
    return any(fact.key == key or (key.endswith(":") and fact.key.startswith(key)) for key in keys)


def topic_filter(topic: str) -> Callable[[object], bool] | None:
    """Which facts a topic names ("my address" -> the location facts), or None when it names no known group."""
    if _MY_NAME.match(topic.strip()):
        return lambda fact: fact.key == "name"
    groups = [(set(kinds), set(keys)) for pattern, kinds, keys in TOPIC_GROUPS if pattern.search(topic)]
    if not groups:
        return None
    relation = [g for g in groups if g[1] & {"spouse", "children"}]
    others = [g for g in groups if g not in relation]
    if relation and others:
        # "my wife's KITAS": the facts about visas that mention the wife, not the user's own visa nor her name
        words = {w.lower() for w in _RELATION_WORDS.findall(topic)}
        kinds = {k for g in others for k in g[0]}
        keys = {k for g in others for k in g[1]}
        return lambda fact: _in_groups(fact, kinds, keys) and any(w in fact.text.lower() for w in words)
    if relation:
        kinds = {k for g in relation for k in g[0]}
        keys = {k for g in relation for k in g[1]}
        if _NAME_WORD.search(topic):  # "my wife's name": the name only
            keys = {k for k in keys if k in {"spouse", "child:"}}
        return lambda fact: _in_groups(fact, kinds, keys)
    if len(groups) > 1 and any("visa_expiry" in g[1] for g in groups):
        groups = [g for g in groups if "visa_expiry" in g[1]]  # "my KITAS expiry date": the expiry, not the type
    kinds = {k for g in groups for k in g[0]}
    keys = {k for g in groups for k in g[1]}
    return lambda fact: _in_groups(fact, kinds, keys)


def guess_kind(text: str) -> str:
    """The kind of a free note the extractor found no slot in, from its words."""
    lowered = text.lower()
    checks = [
        ("immigration", r"\b(?:visa|kitas|kitap|itas|imigrasi|immigration|visto|permesso|passport|paspor|passaporto|voa|sponsor)\b"),
        ("deadline", r"\b(?:deadline|due\s+(?:on|by)|tenggat|batas\s+waktu|entro\s+il|hearing|appointment|sidang|udienza)\b"),
        ("business", r"\b(?:company|business|pt|cv|perusahaan|usaha|azienda|società|kbli|nib|npwp|tax|pajak|tasse|accountant|commercialista|akuntan|shareholders?|notaris|notary|notaio)\b"),
        ("family", r"\b(?:wife|husband|kids?|children|son|daughter|istri|suami|anak|moglie|marito|figli\w*|family|keluarga|famiglia|mother|father|ibu|ayah|madre|padre|dogs?|cats?|anjing|kucing|cane|gatto)\b"),
        ("location", r"\b(?:live|living|address|alamat|tinggal|indirizzo|vivo|abito|villa|house|rumah|casa|lease|sewa|affitto|land|tanah|terreno|landlord)\b"),
        ("preference", r"\b(?:prefer|don't\s+want|only\s+want|rather|lebih\s+suka|preferisco|non\s+voglio|vegetarian|vegan|gak\s+mau|nggak\s+mau)\b"),
    ]  # fmt: skip
    for kind, pattern in checks:
        if re.search(pattern, lowered):
            return kind
    return "other"


# -------------------------------------------------------------------------------------------------------- replies
REPLIES: dict[str, dict[str, str]] = {
    "en": {
        "remembered": "Got it, I'll remember:\n{facts}",
        "already": "I already had that, and I'll keep it in mind:\n{facts}",
        "updated": "Updated:\n{facts}",
        "nothing_to_remember": "What should I remember? For example: \u201cremember that my KITAS expires on 14 March 2026\u201d.",
        "too_long": "That's too long for one note (1,000 characters at most). Could you say it in fewer words?",
        "forgot": "Done, I've forgotten:\n{facts}\nI won't use this in answers any more. To erase it completely, open \u201cWhat ZANTARA remembers\u201d: {url}",
        "forgot_all": "Done: I've set aside everything I remembered about you ({count} facts) and won't use it in answers. To erase it permanently, use \u201cForget everything\u201d on {url}",
        "forget_nothing": "I couldn't find anything about \u201c{topic}\u201d in what I remember. You can see everything I remember on {url}",
        "nothing_at_all": "I don't remember anything about you yet. Tell me \u201cremember that \u2026\u201d and I will.",
        "list": "Here's what I remember about you:\n{facts}\nYou can edit or delete any of it on {url}",
        "recall": "Here's what I have on that:\n{facts}",
        "recall_none": "I don't have anything saved about that. If you tell me, I can remember it.",
        "help": "I can remember things you tell me (\u201cremember that \u2026\u201d), forget them (\u201cforget \u2026\u201d) or show what I remember (\u201cwhat do you remember about me?\u201d). Everything is also on {url}",
        "was": "was",
    },
    "id": {
        "remembered": "Baik, saya akan ingat:\n{facts}",
        "already": "Itu sudah saya catat, dan akan saya ingat:\n{facts}",
        "updated": "Sudah saya perbarui:\n{facts}",
        "nothing_to_remember": "Apa yang perlu saya ingat? Misalnya: \u201cingat bahwa KITAS saya habis 14 Maret 2026\u201d.",
        "too_long": "Catatan itu terlalu panjang (maksimal 1.000 karakter). Bisa disingkat?",
        "forgot": "Sudah, saya lupakan:\n{facts}\nSaya tidak akan memakainya lagi dalam jawaban. Untuk menghapusnya sepenuhnya, buka \u201cApa yang diingat ZANTARA\u201d: {url}",
        "forgot_all": "Sudah: semua yang saya ingat tentang Anda ({count} fakta) tidak akan saya pakai lagi. Untuk menghapusnya secara permanen, gunakan \u201cLupakan semuanya\u201d di {url}",
        "forget_nothing": "Saya tidak menemukan apa pun tentang \u201c{topic}\u201d dalam ingatan saya. Semua yang saya ingat ada di {url}",
        "nothing_at_all": "Saya belum mengingat apa pun tentang Anda. Katakan \u201cingat bahwa \u2026\u201d dan akan saya catat.",
        "list": "Ini yang saya ingat tentang Anda:\n{facts}\nAnda bisa mengubah atau menghapusnya di {url}",
        "recall": "Ini yang saya simpan tentang itu:\n{facts}",
        "recall_none": "Saya tidak punya catatan tentang itu. Kalau Anda beri tahu, saya bisa mengingatnya.",
        "help": "Saya bisa mengingat hal yang Anda sampaikan (\u201cingat bahwa \u2026\u201d), melupakannya (\u201clupakan \u2026\u201d) atau menunjukkan apa yang saya ingat (\u201capa yang kamu ingat tentang saya?\u201d). Semuanya juga ada di {url}",
        "was": "sebelumnya",
    },
    "it": {
        "remembered": "Ricevuto, me lo ricorderò:\n{facts}",
        "already": "Lo sapevo già, e lo terrò a mente:\n{facts}",
        "updated": "Aggiornato:\n{facts}",
        "nothing_to_remember": "Cosa devo ricordare? Per esempio: \u201cricorda che il mio KITAS scade il 14 marzo 2026\u201d.",
        "too_long": "È troppo lungo per una nota (al massimo 1.000 caratteri). Puoi dirlo in meno parole?",
        "forgot": "Fatto, ho dimenticato:\n{facts}\nNon lo userò più nelle risposte. Per cancellarlo del tutto, apri \u201cCosa ricorda ZANTARA\u201d: {url}",
        "forgot_all": "Fatto: ho messo da parte tutto ciò che ricordavo di te ({count} informazioni) e non lo userò più. Per cancellarlo definitivamente, usa \u201cDimentica tutto\u201d su {url}",
        "forget_nothing": "Non ho trovato nulla su \u201c{topic}\u201d in ciò che ricordo. Tutto ciò che ricordo è su {url}",
        "nothing_at_all": "Non ricordo ancora nulla di te. Dimmi \u201cricorda che \u2026\u201d e lo farò.",
        "list": "Ecco cosa ricordo di te:\n{facts}\nPuoi modificare o cancellare tutto su {url}",
        "recall": "Ecco cosa ho su questo:\n{facts}",
        "recall_none": "Non ho nulla di salvato su questo. Se me lo dici, posso ricordarlo.",
        "help": "Posso ricordare ciò che mi dici (\u201cricorda che \u2026\u201d), dimenticarlo (\u201cdimentica \u2026\u201d) o mostrarti cosa ricordo (\u201ccosa ricordi di me?\u201d). Trovi tutto anche su {url}",
        "was": "prima",
    },
}


def reply(language: str, name: str, **values: object) -> str:
    templates = REPLIES.get(language) or REPLIES["en"]
    return templates[name].format(**values)


def bullet_list(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)
