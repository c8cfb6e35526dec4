from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("backup", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="backup",
            name="kind",
            field=models.CharField(
                choices=[
                    ("index", "Knowledge index (Chroma)"),
                    ("database", "Database"),
                    ("media", "Uploaded originals"),
                ],
                db_index=True,
                default="index",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="backup",
            name="status",
            field=models.CharField(
                choices=[
                    ("running", "Running"),
                    ("good", "Good"),
                    ("failed", "Failed"),
                    ("skipped", "Skipped"),
                    ("deleted", "Deleted"),
                ],
                db_index=True,
                default="running",
                max_length=10,
            ),
        ),
    ]
