"""Words the rule-based extractor recognizes: nationalities, countries, places, visas, occupations, numbers, languages.

Every table maps what people write (English, Indonesian, Italian, lower-case) to one English canonical form, so a fact
said in Italian and corrected in English still lands in the same slot.
"""

import re

# adjective or country as written -> English nationality adjective
NATIONALITIES = {
    "italian": "Italian", "italy": "Italian", "italia": "Italian", "italiano": "Italian", "italiana": "Italian",
    "australian": "Australian", "australia": "Australian", "australiano": "Australian", "australiana": "Australian",
    "american": "American", "usa": "American", "us": "American", "united states": "American", "america": "American",
    "amerika": "American", "amerika serikat": "American", "americano": "American",
    "americana": "American", "statunitense": "American", "stati uniti": "American",
    "british": "British", "uk": "British", "united kingdom": "British", "england": "British", "english": "British",
    "inggris": "British", "britannico": "British", "britannica": "British", "inglese": "British",
    "inghilterra": "British", "regno unito": "British", "scottish": "British", "welsh": "British",
    "german": "German", "germany": "German", "jerman": "German", "tedesco": "German", "tedesca": "German",
    "germania": "German",
    "french": "French", "france": "French", "prancis": "French", "perancis": "French", "francese": "French",
    "francia": "French",
    "dutch": "Dutch", "netherlands": "Dutch", "holland": "Dutch", "belanda": "Dutch", "olandese": "Dutch",
    "olanda": "Dutch", "paesi bassi": "Dutch",
    "russian": "Russian", "russia": "Russian", "rusia": "Russian", "russo": "Russian", "russa": "Russian",
    "spanish": "Spanish", "spain": "Spanish", "spanyol": "Spanish", "spagnolo": "Spanish", "spagnola": "Spanish",
    "spagna": "Spanish",
    "swiss": "Swiss", "switzerland": "Swiss", "swiss citizen": "Swiss", "svizzero": "Swiss", "svizzera": "Swiss",
    "canadian": "Canadian", "canada": "Canadian", "kanada": "Canadian", "canadese": "Canadian",
    "japanese": "Japanese", "japan": "Japanese", "jepang": "Japanese", "giapponese": "Japanese",
    "giappone": "Japanese",
    "chinese": "Chinese", "china": "Chinese", "cina": "Chinese", "tiongkok": "Chinese", "cinese": "Chinese",
    "korean": "Korean", "korea": "Korean", "south korea": "Korean", "korea selatan": "Korean", "coreano": "Korean",
    "coreana": "Korean", "corea": "Korean",
    "indian": "Indian", "india": "Indian", "indiano": "Indian", "indiana": "Indian",
    "brazilian": "Brazilian", "brazil": "Brazilian", "brasil": "Brazilian", "brasiliano": "Brazilian",
    "brasiliana": "Brazilian", "brasile": "Brazilian",
    "swedish": "Swedish", "sweden": "Swedish", "swedia": "Swedish", "svedese": "Swedish", "svezia": "Swedish",
    "norwegian": "Norwegian", "norway": "Norwegian", "norwegia": "Norwegian", "norvegese": "Norwegian",
    "danish": "Danish", "denmark": "Danish", "danese": "Danish", "danimarca": "Danish",
    "polish": "Polish", "poland": "Polish", "polandia": "Polish", "polacco": "Polish", "polacca": "Polish",
    "ukrainian": "Ukrainian", "ukraine": "Ukrainian", "ukraina": "Ukrainian", "ucraino": "Ukrainian",
    "ucraina": "Ukrainian",
    "singaporean": "Singaporean", "singapore": "Singaporean", "singapura": "Singaporean",
    "malaysian": "Malaysian", "malaysia": "Malaysian",
    "new zealander": "New Zealander", "new zealand": "New Zealander", "kiwi": "New Zealander",
    "selandia baru": "New Zealander", "neozelandese": "New Zealander",
    "irish": "Irish", "ireland": "Irish", "irlandia": "Irish", "irlandese": "Irish", "irlanda": "Irish",
    "belgian": "Belgian", "belgium": "Belgian", "belgia": "Belgian", "belga": "Belgian", "belgio": "Belgian",
    "austrian": "Austrian", "austria": "Austrian", "austriaco": "Austrian", "austriaca": "Austrian",
    "portuguese": "Portuguese", "portugal": "Portuguese", "portoghese": "Portuguese", "portogallo": "Portuguese",
    "indonesian": "Indonesian", "indonesia": "Indonesian", "indonesiano": "Indonesian", "indonesiana": "Indonesian",
    "wni": "Indonesian",
    "argentinian": "Argentinian", "argentina": "Argentinian", "argentino": "Argentinian",
    "mexican": "Mexican", "mexico": "Mexican", "meksiko": "Mexican", "messicano": "Mexican", "messico": "Mexican",
    "turkish": "Turkish", "turkey": "Turkish", "turki": "Turkish", "turco": "Turkish", "turca": "Turkish",
    "turchia": "Turkish",
    "south african": "South African", "south africa": "South African", "afrika selatan": "South African",
    "sudafricano": "South African",
    "filipino": "Filipino", "philippines": "Filipino", "filipina": "Filipino", "filippino": "Filipino",
    "thai": "Thai", "thailand": "Thai", "thailandese": "Thai",
    "vietnamese": "Vietnamese", "vietnam": "Vietnamese",
    "israeli": "Israeli", "israel": "Israeli", "israeliano": "Israeli",
    "finnish": "Finnish", "finland": "Finnish", "finlandese": "Finnish",
    "czech": "Czech", "ceko": "Czech", "ceco": "Czech",
    "greek": "Greek", "greece": "Greek", "yunani": "Greek", "greco": "Greek", "greca": "Greek",
    "balinese": "Indonesian", "javanese": "Indonesian", "orang bali": "Indonesian", "bali": "Indonesian",
}  # fmt: skip


def nationality_pattern() -> str:
    keys = sorted(NATIONALITIES, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(k) for k in keys) + ")"


def nationality_of(word: str) -> str | None:
    return NATIONALITIES.get(re.sub(r"\s+", " ", word.strip().lower()))


# Places in Indonesia people tell ZANTARA they live in; any capitalized name is accepted too, these also lower-case.
PLACES = [
    "Canggu", "Berawa", "Pererenan", "Echo Beach", "Batu Bolong", "Umalas", "Kerobokan", "Seminyak", "Legian", "Kuta",
    "North Kuta", "Sanur", "Ubud", "Denpasar", "Jimbaran", "Uluwatu", "Bingin", "Nusa Dua", "Tanjung Benoa", "Ungasan",
    "Pecatu", "Tabanan", "Kedungu", "Cemagi", "Seseh", "Amed", "Lovina", "Singaraja", "Sidemen", "Gianyar", "Karangasem",
    "Candidasa", "Munduk", "Bedugul", "Nusa Penida", "Nusa Lembongan", "Balian", "Medewi", "Keramas", "Mas", "Tegallalang",
    "Penestanan", "Pejeng", "Padang Bai", "Bali", "Lombok", "Senggigi", "Kuta Lombok", "Gili Trawangan", "Gili Air",
    "Jakarta", "South Jakarta", "Jakarta Selatan", "Bandung", "Surabaya", "Yogyakarta", "Jogja", "Semarang", "Medan",
    "Makassar", "Labuan Bajo", "Batam", "Bintan", "Tangerang", "Bekasi", "Bogor", "Malang", "Solo", "Flores", "Sumba",
]  # fmt: skip
PLACES_BY_LOWER = {p.lower(): p for p in PLACES}
_PLACE_ALTERNATION = "|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True))
PLACE_MENTION = re.compile(rf"\b(?:{_PLACE_ALTERNATION})\b", re.IGNORECASE)

# visa term as written (regex) -> canonical English label
VISA_TERMS: list[tuple[str, str]] = [
    (r"investor\s+(?:kitas|itas)|(?:kitas|itas)\s+(?:investor|investasi|penanam modal|(?:come|da|per)\s+investitore)|visto\s+(?:da|per)\s+investitor[ei]|e28a", "Investor KITAS (E28A)"),
    (r"(?:kitas|itas|visto)\s+(?:(?:da|per)\s+)?(?:lansia|pensiun|pensionat[oi])|retirement\s+(?:kitas|visa|itas)|visa\s+(?:lansia|pensiun)|visto\s+(?:per\s+)?pension(?:e|ati|ato)|e33e", "Retirement KITAS (E33E)"),
    (r"spous(?:e|al)\s+(?:kitas|visa|itas)|(?:kitas|itas|visa)\s+(?:pasangan|istri|suami|spouse|sponsor(?:ed)? (?:by )?(?:my )?(?:wife|husband|istri|suami))|(?:kitas|visto)\s+(?:per\s+)?(?:coniug[ei]|ricongiungimento familiare|familiare)|e31a", "Spouse KITAS (E31A)"),
    (r"work(?:ing)?\s+(?:kitas|visa|permit)|(?:kitas|itas|visa)\s+(?:kerja|lavoro)|visto\s+(?:di\s+)?lavoro|e23", "Work KITAS (E23)"),
    (r"(?:digital\s+nomad|remote\s+work(?:er|ing)?)\s+(?:visa|kitas)|visa\s+(?:digital\s+nomad|nomad\s+digital|pekerja\s+jarak\s+jauh)|visto\s+(?:per\s+)?nomad[ie]\s+digital[ie]|e33g", "Remote worker KITAS (E33G)"),
    (r"second\s+home\s+(?:visa|kitas)|visa\s+rumah\s+kedua|e33f", "Second home visa (E33F)"),
    (r"golden\s+visa|visa\s+emas", "Golden visa"),
    (r"kitap|itap", "KITAP"),
    (r"b\s?211\s?a|b211", "B211A visit visa"),
    (r"c\s?317", "C317 family visit visa"),
    (r"c\s?31[12]", "C312 investor visit visa"),
    (r"d\s?212", "D212 multiple-entry visa"),
    (r"c\s?211|c\s?1\b", "C1 tourist visit visa"),
    (r"visa\s+on\s+arrival|e-?voa|voa|visa\s+(?:saat\s+)?kedatangan|visto\s+all'?arrivo", "Visa on Arrival"),
    (r"social(?:[- ]cultural)?\s+visa|visa\s+sosial(?:\s+budaya)?|sosbud", "Social-cultural visa"),
    (r"business\s+visa|visa\s+bisnis|visto\s+(?:business|d'affari|per\s+affari)", "Business visa"),
    (r"tourist\s+visa|visa\s+turis|visa\s+wisata|visto\s+turistico", "Tourist visa"),
    (r"kitas|itas|stay\s+permit|izin\s+tinggal|permesso\s+di\s+soggiorno", "KITAS"),
]  # fmt: skip
VISA_PATTERN = re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p, _ in VISA_TERMS) + r")\b", re.IGNORECASE)
_VISA_COMPILED = [(re.compile(rf"^(?:{p})$", re.IGNORECASE), label) for p, label in VISA_TERMS]


def visa_label(term: str) -> str:
    normalized = re.sub(r"\s+", " ", term.strip())
    for pattern, label in _VISA_COMPILED:
        if pattern.match(normalized):
            return label
    return normalized


# occupation as written -> English
OCCUPATIONS = {
    "software developer": "software developer", "developer": "software developer", "programmer": "software developer",
    "software engineer": "software engineer", "engineer": "engineer", "web designer": "web designer",
    "designer": "designer", "graphic designer": "graphic designer", "teacher": "teacher", "yoga teacher": "yoga teacher",
    "surf instructor": "surf instructor", "architect": "architect", "chef": "chef", "consultant": "consultant",
    "photographer": "photographer", "videographer": "videographer", "doctor": "doctor", "nurse": "nurse",
    "lawyer": "lawyer", "accountant": "accountant", "writer": "writer", "journalist": "journalist",
    "entrepreneur": "entrepreneur", "investor": "investor", "digital nomad": "digital nomad", "freelancer": "freelancer",
    "marketing manager": "marketing manager", "content creator": "content creator", "real estate agent": "real estate agent",
    "diving instructor": "diving instructor", "dive instructor": "diving instructor", "artist": "artist",
    "sviluppatore": "software developer", "sviluppatrice": "software developer", "programmatore": "software developer",
    "programmatrice": "software developer", "ingegnere": "engineer", "insegnante": "teacher", "maestro": "teacher",
    "architetto": "architect", "cuoco": "chef", "cuoca": "chef", "consulente": "consultant", "fotografo": "photographer",
    "fotografa": "photographer", "medico": "doctor", "infermiere": "nurse", "infermiera": "nurse", "avvocato": "lawyer",
    "avvocata": "lawyer", "commercialista": "accountant", "architetta": "architect", "ingegnera": "engineer",
    "dottoressa": "doctor", "maestra": "teacher", "insegnante di inglese": "English teacher", "scrittore": "writer", "scrittrice": "writer",
    "giornalista": "journalist", "imprenditore": "entrepreneur", "imprenditrice": "entrepreneur",
    "istruttore di surf": "surf instructor", "istruttrice di surf": "surf instructor", "istruttore di yoga": "yoga teacher",
    "insegnante di yoga": "yoga teacher", "istruttore subacqueo": "diving instructor", "grafico": "graphic designer",
    "libero professionista": "freelancer", "freelance": "freelancer", "nomade digitale": "digital nomad",
    "pengusaha": "entrepreneur", "wirausaha": "entrepreneur", "desainer": "designer", "guru": "teacher",
    "guru yoga": "yoga teacher", "instruktur selancar": "surf instructor", "arsitek": "architect", "koki": "chef",
    "konsultan": "consultant", "fotografer": "photographer", "insinyur": "engineer", "dokter": "doctor",
    "perawat": "nurse", "pengacara": "lawyer", "akuntan": "accountant", "penulis": "writer", "wartawan": "journalist",
    "pekerja lepas": "freelancer", "programer": "software developer", "pemrogram": "software developer",
    "desainer grafis": "graphic designer", "director": "director", "managing director": "director",
    "direktur": "director", "direttore": "director", "direttrice": "director", "dive master": "diving instructor",
    "istruttrice subacquea": "diving instructor", "ux designer": "UX designer", "product manager": "product manager",
    "data analyst": "data analyst", "data scientist": "data scientist", "marine biologist": "marine biologist",
    "surf coach": "surf coach", "translator": "translator", "traduttore": "translator", "traduttrice": "translator",
    "penerjemah": "translator", "web developer": "web developer", "f&b manager": "F&B manager",
    "general manager": "general manager", "project manager": "project manager", "sales manager": "sales manager",
    "manager": "manager", "pastry chef": "pastry chef", "barista": "barista", "bartender": "bartender",
    "pilot": "pilot", "pilota": "pilot", "dentist": "dentist", "dentista": "dentist", "dokter gigi": "dentist",
    "veterinarian": "veterinarian", "vet": "veterinarian", "veterinario": "veterinarian", "researcher": "researcher",
    "ricercatore": "researcher", "ricercatrice": "researcher", "peneliti": "researcher", "musician": "musician",
    "musicista": "musician", "musisi": "musician", "surfer": "surfer", "fitness coach": "fitness coach",
    "personal trainer": "personal trainer", "massage therapist": "massage therapist", "hotel manager": "hotel manager",
}  # fmt: skip
OCCUPATION_PATTERN = "(?:" + "|".join(re.escape(k) for k in sorted(OCCUPATIONS, key=len, reverse=True)) + ")"

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "satu": 1, "seorang": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
    "tujuh": 7, "delapan": 8, "sembilan": 9, "sepuluh": 10, "un": 1, "uno": 1, "una": 1, "due": 2, "tre": 3,
    "quattro": 4, "cinque": 5, "sei": 6, "sette": 7, "otto": 8, "nove": 9, "dieci": 10,
}  # fmt: skip
NUMBER_PATTERN = r"(?:\d{1,2}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"


def number_of(word: str) -> int | None:
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


LANGUAGES = {
    "english": "English", "inggris": "English", "inglese": "English",
    "italian": "Italian", "italia": "Italian", "italiano": "Italian",
    "indonesian": "Indonesian", "bahasa": "Indonesian", "bahasa indonesia": "Indonesian", "indonesia": "Indonesian",
    "indonesiano": "Indonesian",
}  # fmt: skip
LANGUAGE_PATTERN = "(?:" + "|".join(re.escape(k) for k in sorted(LANGUAGES, key=len, reverse=True)) + ")"

# Words that end a captured name or place ("I live in Sanur with my wife" -> "Sanur").
STOP_WORDS = set(
    """
    and with since for from to in at near now but because since so as or the a an on by who which that where when
    this these my our your until till then also too already currently right here there yet while after before it
    dan dengan sejak untuk dari ke di dekat sekarang tapi karena jadi atau yang sudah sudah lagi juga sama bersama
    selama sampai sebelum sesudah setelah ini itu udah aja saja deh dong ya kok kan pun baru
    e con da per a in al alla vicino ora adesso ma perché quindi o che dove quando già anche dal dalla fino prima dopo
    insieme mentre qui lì più
    """.split()
)
# A captured "place" starting with these was not a place ("I live in a villa").
NOT_A_PLACE = set(
    """
    a an the my our this that your his her their one some small big nice villa house apartment flat room hotel
    rented shared guesthouse kos sebuah rumah apartemen kamar vila villa una un uno il lo la una casa appartamento
    camera affitto jl jln jalan gang gg via viale street road perumahan komplek office kantor
    """.split()
)
