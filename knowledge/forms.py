"""Curation forms: multi-file upload into a collection and the "try a query" bench."""

from django import forms
from django.conf import settings

from knowledge.ingest.limits import upload_size_check
from knowledge.ingest.parsers import FORMATS, RejectedFile
from knowledge.models import Collection
from knowledge.selectors import MAX_K, MAX_QUERY_CHARS
from knowledge.services import upload_check


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    collection = forms.ModelChoiceField(queryset=Collection.objects.all(), help_text="overrides the front matter")
    files = MultipleFileField(
        help_text=f"{', '.join(sorted(FORMATS))}; up to {settings.KNOWLEDGE_MAX_UPLOAD_BYTES // (1024 * 1024)} MB each "
        "(front matter is read; the collection chosen here wins)",
        widget=MultipleFileInput(attrs={"accept": ",".join(sorted(FORMATS))}),
    )

    def clean(self) -> dict:
        """Check every file's limits and front matter now (parsing is the ingest task's): one bad file fails the whole
        upload, before anything is stored."""
        cleaned = super().clean()
        collection = cleaned.get("collection")
        uploads = cleaned.get("files") or []
        if collection is None or not uploads:
            return cleaned
        checked: list[tuple[str, bytes]] = []
        errors: list[str] = []
        names: set[str] = set()
        for upload in uploads:
            try:
                upload_size_check(upload.name, upload.size)
                if upload.name in names:
                    raise RejectedFile(upload.name, "selected twice")
                names.add(upload.name)
                raw = upload.read()
                upload_check(name=upload.name, raw=raw)
                checked.append((upload.name, raw))
            except RejectedFile as exc:
                errors.append(str(exc))
        if errors:
            raise forms.ValidationError([forms.ValidationError(e) for e in errors] + ["Nothing was stored."])
        cleaned["uploads"] = checked
        return cleaned


class TryQueryForm(forms.Form):
    q = forms.CharField(label="Query", max_length=MAX_QUERY_CHARS, widget=forms.TextInput(attrs={"size": 80}))
    collections = forms.ModelMultipleChoiceField(
        queryset=Collection.objects.all(), required=False, to_field_name="slug", widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(choices=[("", "any"), ("en", "en"), ("id", "id"), ("it", "it")], required=False)
    k = forms.IntegerField(min_value=1, max_value=MAX_K, initial=10)
