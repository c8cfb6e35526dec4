"""Chunk.page: the PDF page a chunk starts on, recorded at ingest. PDFs ingested before keep null until re-ingested
(their stored text has no page breaks to recover the pages from)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0005_chunk_gloss"),
    ]

    operations = [
        migrations.AddField(
            model_name="chunk",
            name="page",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
