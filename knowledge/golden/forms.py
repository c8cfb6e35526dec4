"""Admin forms: the golden answer itself (approval rules), CSV import, "test a query"."""

from django import forms

from knowledge.models import Document

from .models import GoldenAnswer
from .selectors import MAX_QUERY_CHARS


class GoldenAnswerForm(forms.ModelForm):
    class Meta:
        model = GoldenAnswer
        fields = [
            "question", "answer", "language", "tool", "collection", "source_documents", "status", "valid_until",
            "review_reason",
        ]  # fmt: skip
        widgets = {"answer": forms.Textarea(attrs={"rows": 14, "cols": 100})}

    def clean(self) -> dict:
        data = super().clean()
        if data.get("status") == GoldenAnswer.Status.APPROVED:
            documents = data.get("source_documents") or []
            retired = [d for d in documents if d.status == Document.Status.RETIRED]
            if retired:
                names = ", ".join(f"{d.pk} ({d.title})" for d in retired)
                raise forms.ValidationError(f"Cannot approve: source document(s) retired: {names}.")
        return data


class CsvImportForm(forms.Form):
    file = forms.FileField(
        help_text="UTF-8 CSV: question, answer, language, tool, variants (| separated), "
        "source_document_ids; optional id (to update) and status (default draft)."
    )


class TestQueryForm(forms.Form):
    q = forms.CharField(label="Query", max_length=MAX_QUERY_CHARS, widget=forms.TextInput(attrs={"size": 90}))
