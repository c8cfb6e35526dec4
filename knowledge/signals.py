"""Signals other apps connect to (golden answers re-check their sources when a document changes)."""

from django.dispatch import Signal

# Sent after the transaction commits, with `document=` (a knowledge.models.Document) and `change=` one of
# "created", "updated", "retired", whenever a document's content changes or it is retired.
document_changed = Signal()
