from celery import shared_task


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def golden_draft_nightly() -> dict:
    """Nightly (02:00 UTC): draft golden answers for the most asked questions no golden answer served last week."""
    from .drafting.run import golden_drafts_nightly_run

    run = golden_drafts_nightly_run()
    return {
        "run": run.pk,
        "status": run.status,
        "questions": run.questions,
        "clusters": run.clusters,
        "drafts": run.drafts_created,
        "errors": len(run.errors),
        "skipped": run.skipped_reason,
    }


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1750)
def golden_lookup_log_expire() -> dict:
    """Daily (04:30 UTC): erase lookup log rows older than GOLDEN_LOOKUP_RETENTION_DAYS."""
    from .services import golden_lookups_expire

    return {"deleted": golden_lookups_expire()}
