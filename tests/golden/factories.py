import factory

from knowledge.golden.models import GoldenAnswer, GoldenAnswerVariant
from knowledge.models import Collection, Document


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    collection = factory.LazyFunction(lambda: Collection.objects.get(slug="visa_oracle"))
    title = factory.Sequence(lambda n: f"Document {n}")
    source = "Directorate General of Immigration"
    language = "en"
    original_name = factory.Sequence(lambda n: f"doc-{n}.md")
    checksum = factory.Sequence(lambda n: f"{n:064d}")


class GoldenAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoldenAnswer
        skip_postgeneration_save = True

    question = factory.Sequence(lambda n: f"Sample question number {n}?")
    answer = "A curated answer."
    language = "en"
    status = GoldenAnswer.Status.APPROVED

    @factory.post_generation
    def variants(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        for text in extracted or []:
            GoldenAnswerVariant.objects.create(golden_answer=self, question=text)

    @factory.post_generation
    def sources(self, create: bool, extracted: list[Document] | None, **kwargs) -> None:
        if extracted:
            self.source_documents.set(extracted)
