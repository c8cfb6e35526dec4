import pytest

from .factories import DocumentFactory, GoldenAnswerFactory


@pytest.fixture(autouse=True)
def golden_settings(settings):
    """The threshold and coverage chosen on the tuning sets (bench/answer_quality.py), whatever the environment says."""
    settings.GOLDEN_THRESHOLD = 0.60
    settings.GOLDEN_MIN_COVERAGE = 0.80
    return settings


@pytest.fixture
def overstay_answer(db):
    """A served golden answer with a source document, a code-free question and one variant."""
    document = DocumentFactory(title="Overstay in Indonesia: daily charge, deportation and entry bans")
    return GoldenAnswerFactory(
        question="What is the fine for overstaying my visa in Indonesia?",
        answer="IDR 1,000,000 per person per day for less than 60 days.",
        variants=["How much is the overstay penalty per day?"],
        sources=[document],
    )


@pytest.fixture
def remote_worker_answer(db):
    return GoldenAnswerFactory(
        question="Can I work for Indonesian clients on an E33G remote worker KITAS?",
        answer="No. The E33G allows work only for an employer or clients outside Indonesia.",
        variants=["Am I allowed to take local clients on the E33G?"],
    )


@pytest.fixture
def vat_answer(db):
    return GoldenAnswerFactory(
        question="What is the VAT rate in Indonesia in 2025?",
        answer="12% with an 11/12 tax base for ordinary goods: an effective 11%.",
        variants=["How much is PPN in Indonesia?"],
    )
