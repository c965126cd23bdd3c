"""Model cases: a resolved work order kept as the precedent for the next project with the same problem."""
from __future__ import annotations

from celery import current_app
from django.db import transaction
from django.utils.translation import gettext as _

from workorders.exceptions import WorkOrderError
from workorders.models import WORK_ORDER_LIFECYCLE, ModelCase, ProblemTag, WorkOrder
from workorders.permissions import is_center_staff
from workorders.services._common import save_as


# Queued by name: the task module imports the services, so importing it here would be a cycle.
REBUILD_TASK = "workorders.tasks.rebuild_similarity_index"


def _queue_index_rebuild():
    try:
        current_app.signature(REBUILD_TASK).delay()
    except Exception:  # noqa: BLE001 - broker down: the next change (or manage.py) rebuilds it
        pass


def mark_model_case(*, actor, work_order: WorkOrder, title: str, summary: str, tags) -> ModelCase:
    """Center staff mark a resolved work order as a model case, with problem tags and a summary of
    the resolution. Atomic; once per work order; the similar-case index is rebuilt after the commit."""
    if not is_center_staff(actor):
        raise WorkOrderError(_("Only center staff can mark model cases."), code="forbidden")
    if not title.strip():
        raise WorkOrderError(_("Give the case a title."), code="title", field="title")
    if not summary.strip():
        raise WorkOrderError(_("Summarise how it was resolved."), code="summary", field="summary")
    tags = list(tags)
    if not tags:
        raise WorkOrderError(_("Choose at least one problem tag."), code="tags", field="tags")
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
        WORK_ORDER_LIFECYCLE.require(locked.status, "mark_model_case",
                                     _("Only a resolved work order can become a model case."), code="not_resolved")
        if ModelCase.objects.filter(work_order=locked).exists():
            raise WorkOrderError(_("This work order is already a model case."), code="exists")
        case = save_as(ModelCase(work_order=locked, title=title.strip(), summary=summary.strip(), marked_by=actor), actor)
        case.tags.set([t if isinstance(t, ProblemTag) else ProblemTag.objects.get(pk=t) for t in tags])
        transaction.on_commit(_queue_index_rebuild)
    return case
