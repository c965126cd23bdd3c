from celery import shared_task

from workorders.services.orphans import sweep_orphan_files
from workorders.services.sla_sweep import run_sweep
from workorders.services.stash import purge_expired_stash
from workorders.similarity import rebuild_index


@shared_task(name="workorders.tasks.sla_sweep")
def sla_sweep() -> dict:
    """The periodic SLA sweep (beat, every CENTER_SLA_SWEEP_SECONDS); safe to run twice at once."""
    result = run_sweep()
    return {"transitions": result.transitions, "digests": result.digests, "resumed": result.resumed,
            "ack_reminders": result.ack_reminders, "today": result.today.isoformat()}


@shared_task(name="workorders.tasks.rebuild_similarity_index")
def rebuild_similarity_index() -> int:
    """Rebuild the similar-case index after model cases change (queued by mark_model_case)."""
    return rebuild_index()


@shared_task(name="workorders.tasks.purge_upload_stash", ignore_result=True)
def purge_upload_stash() -> int:
    """Beat (every CENTER_UPLOAD_STASH_PURGE_SECONDS): delete files stashed for a retry that expired."""
    return purge_expired_stash()


@shared_task(name="workorders.tasks.sweep_orphan_attachments", ignore_result=True)
def sweep_orphan_attachments() -> int:
    """Beat (every CENTER_ORPHAN_SWEEP_SECONDS): delete attachment files no row refers to, older than a day."""
    return sweep_orphan_files()
