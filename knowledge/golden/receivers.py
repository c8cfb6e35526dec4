"""Signal receivers: keep every process's matrix current, and stop serving answers whose sources changed."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from knowledge.signals import document_changed

from .models import GoldenAnswer, GoldenAnswerVariant, GoldenIndexState


@receiver(post_save, sender=GoldenAnswer, dispatch_uid="golden_answer_saved")
@receiver(post_delete, sender=GoldenAnswer, dispatch_uid="golden_answer_deleted")
@receiver(post_save, sender=GoldenAnswerVariant, dispatch_uid="golden_variant_saved")
@receiver(post_delete, sender=GoldenAnswerVariant, dispatch_uid="golden_variant_deleted")
def golden_changed(sender, raw: bool = False, **kwargs) -> None:  # noqa: ANN001
    if raw:  # loaddata: the state row is bumped when the fixture's answers are first looked up anyway
        return
    GoldenIndexState.bump()


@receiver(m2m_changed, sender=GoldenAnswer.source_documents.through, dispatch_uid="golden_sources_changed")
def golden_sources_changed(sender, action: str, **kwargs) -> None:  # noqa: ANN001
    if action in {"post_add", "post_remove", "post_clear"}:
        GoldenIndexState.bump()


@receiver(document_changed, dispatch_uid="golden_document_changed")
def golden_document_changed(sender, document, change: str, **kwargs) -> None:  # noqa: ANN001
    """An updated or retired source document puts its golden answers back in the review queue."""
    if change in {"updated", "retired"}:
        from .services import golden_answers_flag_for_document

        golden_answers_flag_for_document(document=document, change=change)
