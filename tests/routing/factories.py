import factory

from routing.models import RouteDecision
from routing.services import query_hash


class RouteDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RouteDecision

    class Params:
        query = factory.Sequence(lambda n: f"how do I extend my KITAS, take {n}")

    query_hash = factory.LazyAttribute(lambda o: query_hash(o.query))
    tool = "visa"
    confidence = 0.9
    abstained = False
    latency_ms = 4.2
    model_version = "t5-0123456789"
