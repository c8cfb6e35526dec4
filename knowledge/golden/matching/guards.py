"""Guards that refuse a semantic hit even above the threshold: embeddings see "can I" and "can't I", or "E33G" and
"C312", as near neighbours, but the answers differ."""

from dataclasses import dataclass

from .text import Figures, extract_figures, has_negation

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

    @classmethod
    def of(cls, text: str) -> "QueryFeatures":
        return cls(negated=has_negation(text), figures=extract_figures(text))


def _listed(values: frozenset[str]) -> str:
    return ", ".join(sorted(values)) or "none"


def refusal(
    query: QueryFeatures, *, matched_text: str, matched_negated: bool, codes: frozenset[str], numbers: frozenset[str]
) -> Refusal | None:
    """Why the query must not get this golden answer, or None.

    - negation on one side only, between the query and the phrasing it matched;
    - a code (visa index, KBLI) in the query that none of the answer's phrasings mention;
    - a number (amount, year, percentage, count) in the query that none of the answer's phrasings mention. Not the
      answer text: it cites other figures too ("25%" of the personal brackets must not answer "is corporate tax 25%?").
    """
    if query.negated != matched_negated:
        side = "the query" if query.negated else "the golden question"
        return Refusal(NEGATION, f"only {side} is negated (matched: {matched_text[:120]!r})")
    extra_codes = query.figures.codes - codes
    if extra_codes:
        return Refusal(CODE, f"query mentions {_listed(extra_codes)}; the golden answer covers {_listed(codes)}")
    extra_numbers = query.figures.numbers - numbers
    if extra_numbers:
        return Refusal(
            NUMBER, f"query mentions {_listed(extra_numbers)}; the golden answer mentions {_listed(numbers)}"
        )
    return None
