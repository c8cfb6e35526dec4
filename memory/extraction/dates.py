"""Dates as people write them in English, Indonesian and Italian, normalized to "2026-03-14" or "March 2026"."""

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    # Indonesian
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "mei": 5, "juni": 6, "juli": 7, "agustus": 8,
    "agt": 8, "agu": 8, "ags": 8, "oktober": 10, "okt": 10, "desember": 12, "des": 12, "nopember": 11,
    # Italian
    "gennaio": 1, "gen": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "mag": 5, "giugno": 6, "giu": 6,
    "luglio": 7, "lug": 7, "agosto": 8, "ago": 8, "settembre": 9, "set": 9, "ottobre": 10, "ott": 10,
    "novembre": 11, "dicembre": 12, "dic": 12,
}  # fmt: skip
MONTH_NAMES = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_YEAR = r"(?:19|20)\d{2}"

DATE_PATTERN = re.compile(
    rf"""
    (?P<iso>(?P<iy>{_YEAR})-(?P<im>0?[1-9]|1[0-2])-(?P<id>3[01]|[12]\d|0?[1-9])(?!\d))
    | (?P<num>(?P<n1>\d{{1,2}})[/.-](?P<n2>\d{{1,2}})[/.-](?P<n3>\d{{4}}|\d{{2}}))
    | (?P<dmy>(?P<d1>{_DAY})(?:\s+of)?\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y1>{_YEAR}))?)
    | (?P<mdy>(?P<m2>{_MONTH})\s+(?P<d2>{_DAY})(?:,?\s+(?P<y2>{_YEAR}))?)
    | (?P<my>(?:(?:the\s+)?end\s+of\s+|akhir\s+(?:bulan\s+)?|fine\s+|bulan\s+)?(?P<m3>{_MONTH})(?:\s+(?:di\s+|del\s+|of\s+)?(?P<y3>{_YEAR}))?)
    | (?P<yonly>(?<![\d-])(?P<y4>{_YEAR})(?![\d-]))
    """,
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class ParsedDate:
    text: str  # normalized: "2026-03-14", "March 2026", "2026"
    start: int
    end: int
    year_given: bool = True


def _infer_year(month: int, day: int, today: date) -> int:
    """A date without a year is the next one to come (people talk about deadlines and expiries ahead)."""
    try:
        candidate = date(today.year, month, day)
    except ValueError:
        return today.year
    return today.year if candidate >= today else today.year + 1


def _day(raw: str) -> int:
    return int(re.sub(r"\D", "", raw))


def _safe_iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_dates(text: str, *, today: date) -> list[ParsedDate]:
    """Every date found in `text`, in order; ambiguous words ("may", "mar", "set") only count as months near a year or day."""
    found: list[ParsedDate] = []
    for match in DATE_PATTERN.finditer(text):
        g = match.groupdict()
        normalized: str | None = None
        year_given = True
        if g["iso"]:
            normalized = _safe_iso(int(g["iy"]), int(g["im"]), int(g["id"]))
        elif g["num"]:
            a, b, year = int(g["n1"]), int(g["n2"]), int(g["n3"])
            year = year + 2000 if year < 100 else year
            day, month = (a, b) if b <= 12 else (b, a)  # day first (ID/IT/UK), unless that cannot be a month
            normalized = _safe_iso(year, month, day)
        elif g["dmy"] or g["mdy"]:
            month = MONTHS[(g["m1"] or g["m2"]).lower().rstrip(".")]
            day = _day(g["d1"] or g["d2"])
            year_raw = g["y1"] or g["y2"]
            year = int(year_raw) if year_raw else _infer_year(month, day, today)
            year_given = bool(year_raw)
            normalized = _safe_iso(year, month, day)
        elif g["my"]:
            word = g["m3"].lower().rstrip(".")
            month = MONTHS[word]
            has_year = bool(g["y3"])
            prefixed = match.group("my").lower() != g["m3"].lower()
            if len(word) <= 3 and not has_year and not prefixed:
                continue  # "may", "mar", "set", "des" alone are too often ordinary words
            if word in {"may", "mei", "set", "des", "gen", "mag", "ago", "dic"} and not (has_year or prefixed):
                if not re.search(
                    r"\b(in|on|by|until|till|di|pada|bulan|a|entro|nel|il)\s*$", text[: match.start()], re.I
                ):
                    continue
            year = int(g["y3"]) if has_year else (today.year if month >= today.month else today.year + 1)
            year_given = has_year
            prefix = "end of " if re.match(r"(the\s+)?end|akhir|fine", match.group("my"), re.I) else ""
            normalized = f"{prefix}{MONTH_NAMES[month]} {year}"
        elif g["yonly"]:
            normalized = g["y4"]
        if normalized:
            found.append(ParsedDate(text=normalized, start=match.start(), end=match.end(), year_given=year_given))
    return found


def first_date(text: str, *, today: date) -> ParsedDate | None:
    dates = parse_dates(text, today=today)
    return dates[0] if dates else None
