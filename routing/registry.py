"""The router's tools: the one place that maps a label to what the chat pipeline does with it.

Adding a tool is one entry here, then `python manage.py train_router` with training lines for the new label.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tool:
    label: str
    description: str
    collections: tuple[str, ...]  # knowledge collections the pipeline retrieves from (empty: no retrieval)
    handler: str  # "knowledge" | "memory" | "smalltalk" | "handoff"


HANDLERS = frozenset({"knowledge", "memory", "smalltalk", "handoff"})

TOOLS: dict[str, Tool] = {
    tool.label: tool
    for tool in (
        Tool(
            label="visa",
            description="visas, KITAS/KITAP, extensions, overstay, immigration offices",
            collections=("visa_oracle",),
            handler="knowledge",
        ),
        Tool(
            label="company",
            description="PT PMA / CV / PT perorangan setup, KBLI codes, OSS/NIB, business licences, investment rules",
            collections=("kbli_eye", "kbli_comprehensive", "legal_architect"),
            handler="knowledge",
        ),
        Tool(
            label="tax",
            description="NPWP, income tax, VAT, withholding, treaties, reporting, penalties",
            collections=("tax_genius", "tax_updates", "tax_knowledge"),
            handler="knowledge",
        ),
        Tool(
            label="property",
            description="land titles, leasehold, buying/renting villas, building permits, listings",
            collections=("property_listings", "property_knowledge"),
            handler="knowledge",
        ),
        Tool(
            label="legal",
            description="marriage, contracts, disputes, inheritance, criminal law, new regulations",
            collections=("legal_architect", "legal_updates", "kb_indonesian"),
            handler="knowledge",
        ),
        Tool(
            label="pricing",
            description="what our consultancy charges for its services",
            collections=("bali_zero_pricing",),
            handler="knowledge",
        ),
        Tool(
            label="culture",
            description="Balinese/Indonesian customs, ceremonies, etiquette, language",
            collections=("cultural_insights", "kb_indonesian", "zantara_books"),
            handler="knowledge",
        ),
        Tool(
            label="memory",
            description="the user's own stored facts: remember / forget / what do you know about me",
            collections=(),
            handler="memory",
        ),
        Tool(
            label="smalltalk",
            description="greetings, thanks, who are you, what can you do",
            collections=(),
            handler="smalltalk",
        ),
        Tool(
            label="handoff",
            description="wants a human: call me, book a consultation, contact the office",
            collections=(),
            handler="handoff",
        ),
    )
}

LABELS: tuple[str, ...] = tuple(TOOLS)


def all_knowledge_collections() -> tuple[str, ...]:
    """Every collection any tool retrieves from, in registry order: what an abstained decision searches."""
    seen: dict[str, None] = {}
    for tool in TOOLS.values():
        seen.update(dict.fromkeys(tool.collections))
    return tuple(seen)
