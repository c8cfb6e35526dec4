"""A conversation as a file to keep: Markdown or PDF, each turn with its role and time, each answer's citations.

Replaced messages (regenerated answers, edited questions) are left out: the export is the conversation as it stands.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Conversation, Message

logger = logging.getLogger(__name__)
EXPORT_TYPES = ("md", "pdf")
CONTENT_TYPES = {"md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}


@dataclass(frozen=True)
class ExportedCitation:
    n: int
    title: str
    where: str  # the publisher or source, and the collection
    url: str  # the citation's page in the web chat


@dataclass(frozen=True)
class ExportedTurn:
    role: str  # "You" or "ZANTARA", translated
    time: str
    via: str  # how an answer was made ("AI answer", "Curated answer"...), empty for a question
    text: str
    citations: list[ExportedCitation]


def _when(message: Message) -> str:
    return timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M %Z")


def conversation_export_turns(
    *, conversation: Conversation, citation_url: Callable[[Message, int], str]
) -> list[ExportedTurn]:
    """The conversation's messages that are not replaced and say something, oldest first, with their citations."""
    from knowledge.models import Document

    messages = [m for m in conversation.messages.filter(replaced=False).exclude(content="")]
    document_ids = {s.get("document_id") for m in messages for s in m.sources or [] if s.get("document_id")}
    collections = dict(
        Document.objects.filter(pk__in=document_ids).values_list("pk", "collection__name")
    )  # documents deleted since are cited without a collection
    turns = []
    for message in messages:
        citations = []
        for source in message.sources or []:
            if source.get("golden_answer_id"):
                where = _("Curated answer")
            elif source.get("attachment_id"):
                where = _("Your attachment")
            else:
                where = " · ".join(
                    p for p in (source.get("source", ""), collections.get(source.get("document_id"))) if p
                )
            page = _("p. %(page)s") % {"page": source["page"]} if source.get("page") else ""
            citations.append(
                ExportedCitation(
                    n=source.get("n", 0),
                    title=", ".join(part for part in (source.get("title", ""), page) if part),
                    where=where,
                    url=citation_url(message, source.get("n", 0)),
                )
            )
        user = message.role == Message.Role.USER
        if message.role == Message.Role.STAFF:  # a consultant's reply: their name
            role = message.author_name or str(_("Consultant"))
        else:
            role = _("You") if user else "ZANTARA"
        turns.append(
            ExportedTurn(
                role=role,
                time=_when(message),
                via="" if user else str(message.get_source_display()),
                text=message.content,
                citations=citations,
            )
        )
    return turns


def _title(conversation: Conversation) -> str:
    return conversation.title or _("Untitled")


def _exported_line() -> str:
    return _("Exported from ZANTARA on %(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")}


def conversation_markdown(*, conversation: Conversation, turns: list[ExportedTurn]) -> str:
    lines = [f"# {_title(conversation)}", "", f"_{_exported_line()}_", ""]
    for turn in turns:
        via = f" · {turn.via}" if turn.via else ""
        lines += [f"## {turn.role} — {turn.time}{via}", "", turn.text.strip(), ""]
        if turn.citations:
            lines += [f"**{_('Sources')}**", ""]
            for citation in turn.citations:
                where = f" — {citation.where}" if citation.where else ""
                lines.append(f"- [{citation.n}] [{citation.title}]({citation.url}){where}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_BULLET = re.compile(r"^(\s*)[-*] ", re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)


def _plain(text: str) -> str:
    """An answer's Markdown as the plain text a PDF line shows: no ** or ## marks, bullets as •."""
    return _BULLET.sub(r"\1• ", _HEADING.sub("", _EMPHASIS.sub(r"\2", text.strip())))


def _pdf_fonts(pdf) -> tuple[str, bool]:  # noqa: ANN001
    """DejaVu Sans when the font files are there (every accent), else Helvetica (Latin-1 only); and which."""
    folder = settings.EXPORT_PDF_FONT_DIR
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return "DejaVu", True
    logger.warning("DejaVu fonts missing: PDF export in Helvetica", extra={"font_dir": str(folder)})
    return "Helvetica", False


def conversation_pdf(*, conversation: Conversation, turns: list[ExportedTurn]) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_title(conversation))
    pdf.set_creator("ZANTARA")
    family, unicode = _pdf_fonts(pdf)

    def text(value: str) -> str:
        return value if unicode else value.encode("latin-1", "replace").decode("latin-1")

    def block(value: str, *, size: float, style: str = "", height: float = 6, link: str = "", gray: int = 0) -> None:
        pdf.set_font(family, style, size)
        pdf.set_text_color(gray)
        pdf.multi_cell(0, height, text(value), link=link or None, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")

    pdf.add_page()
    block(_title(conversation), size=16, style="B", height=8)
    block(_exported_line(), size=9, gray=110)
    for turn in turns:
        pdf.ln(4)
        via = f" · {turn.via}" if turn.via else ""
        block(f"{turn.role} — {turn.time}{via}", size=10, style="B", gray=60)
        block(_plain(turn.text), size=11)
        if turn.citations:
            pdf.ln(1)
            block(_("Sources"), size=9, style="B", gray=60)
            for citation in turn.citations:
                where = f" — {citation.where}" if citation.where else ""
                block(f"[{citation.n}] {citation.title}{where}", size=9, height=5, link=citation.url, gray=40)
    return bytes(pdf.output())
