"""Guards that refuse a semantic hit even above the threshold: embeddings see "can I" and "can't I", or "E33G" and
"C312", as near neighbours, but the answers differ."""

from dataclasses import dataclass

from .text import Bound, Figures, Situation, covered_by_bounds, extract_figures, has_negation, situations

NEGATION = "negation"
CODE = "code"
NUMBER = "number"
GUARDS = (NEGATION, CODE, NUMBER)


@dataclass(frozen=True)
class Refusal:
    guard: str  # one of GUARDS
    detail: str


@dataclass(frozen=True)
class QueryFeatures:
    negated: bool
    figures: Figures
    situations: tuple[Situation, ...] = ()

    @classmethod
    def of(cls, text: str) -> "QueryFeatures":
        return cls(negated=has_negation(text), figures=extract_figures(text), situations=situations(text))


def _listed(values: frozenset[str]) -> str:
    return ", ".join(sorted(values)) or "none"


def refusal(
    query: QueryFeatures,
    *,
    matched_text: str,
    matched_negated: bool,
    codes: frozenset[str],
    numbers: frozenset[str],
    bounds: tuple[Bound, ...] = (),
) -> Refusal | None:
    """Why the query must not get this golden answer, or None.

    - negation on one side only, between the query and the phrasing it matched;
    - a code (visa index, KBLI) in the query that none of the answer's phrasings mention;
    - a number (amount, year, percentage, count) in the query that none of the answer's phrasings mention. Not the
      answer text: it cites other figures too ("25%" of the personal brackets must not answer "is corporate tax 25%?").
      The asker's own age or length of time ("I'm 64", "3 days over") is no other figure when the answer states the
      limit or the daily rate that covers it (`bounds`, from its text: "60 or older", "IDR 1,000,000 per day").
    """
    if query.negated != matched_negated:
        side = "the query" if query.negated else "the golden question"
        return Refusal(NEGATION, f"only {side} is negated (matched: {matched_text[:120]!r})")
    extra_codes = query.figures.codes - codes
    if extra_codes:
        return Refusal(CODE, f"query mentions {_listed(extra_codes)}; the golden answer covers {_listed(codes)}")
    own = frozenset(s.number for s in query.situations if covered_by_bounds(s, bounds))
    extra_numbers = query.figures.numbers - numbers - own
    if extra_numbers:
        return Refusal(
            NUMBER, f"query mentions {_listed(extra_numbers)}; the golden answer mentions {_listed(numbers)}"
        )
    return None
