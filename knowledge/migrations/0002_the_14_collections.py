"""Create the 14 knowledge collections and the corpus version row."""

from django.db import migrations

COLLECTIONS = [
    ("bali_zero_pricing", "Bali Zero pricing", "Bali Zero service packages, fees and payment terms.", 1.15),
    ("visa_oracle", "Visa oracle", "Visas and stay permits: VOA, KITAS, KITAP, Golden Visa, sponsors, overstay.", 1.0),
    ("kbli_eye", "KBLI eye", "Quick KBLI business-classification lookups and risk levels.", 1.0),
    ("kbli_comprehensive", "KBLI comprehensive", "KBLI 2020 codes in depth: scope, foreign ownership, licences.", 1.0),
    ("tax_genius", "Tax genius", "Practical tax guidance for individuals and companies in Indonesia.", 1.0),
    ("tax_updates", "Tax updates", "Recent changes in Indonesian tax regulations and rates.", 1.0),
    ("tax_knowledge", "Tax knowledge", "Tax concepts: residency, PPh, PPN, treaties, reporting.", 1.0),
    ("legal_architect", "Legal architect", "Company structures and the laws behind them: PT PMA, permits, contracts.", 1.0),
    ("legal_updates", "Legal updates", "Recent laws and regulations affecting foreigners and businesses.", 1.0),
    ("property_listings", "Property listings", "Sample property listings in Bali and their terms.", 1.0),
    ("property_knowledge", "Property knowledge", "Land titles, leasehold, HGB, hak pakai and due diligence.", 1.0),
    ("kb_indonesian", "Indonesian knowledge base", "Knowledge written in Bahasa Indonesia.", 1.0),
    ("cultural_insights", "Cultural insights", "Balinese and Indonesian customs, etiquette and ceremonies.", 1.0),
    ("zantara_books", "ZANTARA books", "Long-form guides and book excerpts.", 1.0),
]


def create_collections(apps, schema_editor):
    Collection = apps.get_model("knowledge", "Collection")
    CorpusState = apps.get_model("knowledge", "CorpusState")
    for ordering, (slug, name, description, boost) in enumerate(COLLECTIONS, start=1):
        Collection.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "score_boost": boost, "ordering": ordering * 10},
        )
    CorpusState.objects.get_or_create(pk=1)


def remove_collections(apps, schema_editor):
    Collection = apps.get_model("knowledge", "Collection")
    Collection.objects.filter(slug__in=[c[0] for c in COLLECTIONS], documents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create_collections, remove_collections)]
