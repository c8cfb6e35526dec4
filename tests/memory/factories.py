import factory
from django.contrib.auth import get_user_model

from memory.models import MemoryFact
from nuzantara.embeddings import get_embedder


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


class MemoryFactFactory(factory.django.DjangoModelFactory):
    """A stored fact with its real embedding, as the services would write it."""

    class Meta:
        model = MemoryFact
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    kind = "other"
    text = factory.Sequence(lambda n: f"Note number {n}")
    confidence = 1.0

    @factory.post_generation
    def embed(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object first
        obj.set_text(obj.text, get_embedder().encode([obj.text])[0])
        if create:
            obj.save()
