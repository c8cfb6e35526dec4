"""How a client wants a consultant to reach them, read from a follow-up in an open handoff request (EN/ID/IT).

"WhatsApp please: +62 812 3456 7890", "email saya ana@example.com, besok pagi", "chiamatemi domani mattina al
+39 333 1234567": a channel, a number or address, and a time. Nothing here is logged: contact details are personal data.
"""

import re
from dataclasses import dataclass

I = re.IGNORECASE  # noqa: E741 - the flag, as `re` names it

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number: an optional +, then 8-15 digits with spaces, dots, dashes or brackets between them.
_PHONE = re.compile(r"(?<![\w+])\+?\d(?:[\s().-]?\d){7,14}(?!\w)")
_CHANNELS = (
    ("WhatsApp", r"whats\s?app|wa|whatsapp-?an"),
    ("Telegram", r"telegram"),
    ("Email", r"e-?mail|surel"),
    ("Phone call", r"phone|call|ring|telepon|telpon|telp|tlp|telefono|telefonata|chiamat[aeio]|chiamami|chiamatemi"),
    ("SMS", r"sms|text\s+me"),
)
_CHANNEL = [(name, re.compile(rf"\b(?:{pattern})\b", I)) for name, pattern in _CHANNELS]

_DAY = (
    r"today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|"
    r"hari\s+ini|besok|lusa|nanti|senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|"
    r"oggi|domani|dopodomani|stasera|lunedì|lunedi|martedì|martedi|mercoledì|mercoledi|giovedì|giovedi|venerdì|"
    r"venerdi|sabato|domenica"
)
_PART = r"morning|afternoon|evening|night|pagi|siang|sore|malam|mattina|mattinata|pomeriggio|sera"
_CLOCK = (
    r"(?:at|after|before|around|from|between|jam|pukul|setelah|sebelum|sekitar|alle|dopo\s+le|prima\s+delle|verso\s+le|"
    r"dalle|tra\s+le)\s+\d{1,2}(?:[.:]\d{2})?\s*(?:am|pm|wita|wib)?(?:\s*(?:and|-|–|to|dan|sampai|e|alle)\s*\d{1,2}"
    r"(?:[.:]\d{2})?\s*(?:am|pm|wita|wib)?)?"
)
_TIME = re.compile(
    rf"\b(?:(?:this|next|{_DAY})\s+)?(?:{_DAY}|{_PART})(?:\s+(?:{_PART}))?\b(?:\s+{_CLOCK})?|\b{_CLOCK}(?:\s*(?:{_PART}))?",
    I,
)
MAX_FIELD = 200


@dataclass(frozen=True)
class ContactDetails:
    contact: str  # "WhatsApp: +62 812 3456 7890", "Email: ana@example.com", "Phone call"; "" when none is given
    time: str  # "tomorrow morning", "besok jam 10", ""

    def __bool__(self) -> bool:
        return bool(self.contact or self.time)


def contact_details(text: str) -> ContactDetails:
    """The channel, number or address, and preferred time a message gives; empty fields where it gives none."""
    text = text or ""
    email = _EMAIL.search(text)
    phone = _PHONE.search(_EMAIL.sub(" ", text))
    channel = next((name for name, pattern in _CHANNEL if pattern.search(text)), "")
    if email and channel in ("", "Phone call", "SMS", "WhatsApp", "Telegram") and not phone:
        channel = "Email"
    if phone and not channel:
        channel = "Phone"
    address = email.group(0) if channel == "Email" and email else (" ".join(phone.group(0).split()) if phone else "")
    contact = f"{channel}: {address}" if channel and address else channel
    times = [" ".join(m.group(0).split()) for m in _TIME.finditer(text) if m.group(0).strip()]
    return ContactDetails(contact=contact[:MAX_FIELD], time=", ".join(dict.fromkeys(times))[:MAX_FIELD])
