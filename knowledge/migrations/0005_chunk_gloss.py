"""Chunk.gloss: the English gloss of an Indonesian or Italian chunk, made at ingest; existing chunks are glossed here."""

from django.db import migrations, models

BATCH = 2000


def gloss_existing_chunks(apps, schema_editor) -> None:  # noqa: ANN001
    from knowledge.search.embedding import chunk_gloss

    Chunk = apps.get_model("knowledge", "Chunk")
    rows = (
        Chunk.objects.filter(document__language__in=("id", "it"))
        .order_by("pk")
        .values_list("pk", "document__title", "heading_path", "text", "document__language")
    )
    batch = []
    for pk, title, heading_path, text, language in rows.iterator(chunk_size=BATCH):
        batch.append(Chunk(pk=pk, gloss=chunk_gloss(title=title, heading_path=heading_path, text=text, language=language)))
        if len(batch) >= BATCH:
            Chunk.objects.bulk_update(batch, ["gloss"])
            batch = []
    Chunk.objects.bulk_update(batch, ["gloss"])


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0004_document_ingest_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="chunk",
            name="gloss",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(gloss_existing_chunks, migrations.RunPython.noop, elidable=True),
    ]
