"""Reads of the center's own: the health report, office-hours sessions and their agenda."""
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from center.models import WorkerHeartbeat
from center.services import HEARTBEAT_NAME


def health_report() -> dict:
    """Database, broker and worker heartbeat, each ``ok`` or not, plus the heartbeat's age in seconds."""
    report = {"database": {"ok": False}, "broker": {"ok": False}, "worker": {"ok": False, "heartbeat_age_seconds": None}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"]["ok"] = True
    except Exception as error:  # noqa: BLE001 - health reports every failure as data
        report["database"]["error"] = type(error).__name__
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=3) as broker:
            broker.ensure_connection(max_retries=1, timeout=3)
        report["broker"]["ok"] = True
    except Exception as error:  # noqa: BLE001
        report["broker"]["error"] = type(error).__name__
    if report["database"]["ok"]:
        heartbeat = WorkerHeartbeat.objects.filter(name=HEARTBEAT_NAME).first()
        if heartbeat is not None:
            age = (timezone.now() - heartbeat.last_seen).total_seconds()
            report["worker"]["heartbeat_age_seconds"] = round(age, 1)
            report["worker"]["ok"] = age <= settings.CENTER_HEARTBEAT_MAX_AGE_SECONDS
    report["ok"] = all(part["ok"] for part in (report["database"], report["broker"], report["worker"]))
    return report



def upcoming_sessions(limit: int = 10):
    from center.models import OfficeHoursSession
    from workdays.calendar import local_date

    return (OfficeHoursSession.objects.filter(date__gte=local_date()).order_by("date")
            .annotate(item_count=_item_count())[:limit])


def past_sessions(limit: int = 10):
    from center.models import OfficeHoursSession
    from workdays.calendar import local_date

    return (OfficeHoursSession.objects.filter(date__lt=local_date()).order_by("-date")
            .annotate(item_count=_item_count())[:limit])


def _item_count():
    from django.db.models import Count, Q

    return Count("items", filter=Q(items__removed=False))


def agenda_by_department(session, *, include_removed: bool = False) -> list[tuple]:
    """The session's items grouped by department (in agenda order), each group ``(department, items)``;
    items without a department come last. A fixed number of queries whatever the agenda's size."""
    from center.models import AgendaItem

    items = (AgendaItem.objects.filter(session=session)
             .select_related("department", "work_order__request__enterprise", "assignment__department", "project")
             .order_by("position", "slot_start", "id"))
    if not include_removed:
        items = items.filter(removed=False)
    groups: dict = {}
    for item in items:
        groups.setdefault(item.department, []).append(item)
    ordered = sorted(groups.items(), key=lambda pair: (pair[0] is None, pair[0].short_code if pair[0] else ""))
    return ordered


def own_assignments_by_work_order(user, work_order_ids) -> dict[int, int]:
    """{work order id: id of the user's department's assignment on it} (one query)."""
    from workorders.models import Assignment
    from workorders.permissions import department_ids

    departments = department_ids(user)
    if not departments or not work_order_ids:
        return {}
    return dict(Assignment.objects.filter(work_order_id__in=set(work_order_ids), department_id__in=departments)
                .values_list("work_order_id", "pk"))


def mechanism_candidates(*, today=None, count: int | None = None, months: int | None = None) -> list[dict]:
    """Problem tags seen at least ``count`` times in one town within ``months`` months (tags of model
    cases whose requests were submitted in the window), with whether a mechanism already covers
    that tag and town. One aggregate query plus one for the existing mechanisms."""
    import datetime

    from django.conf import settings
    from django.db.models import Count

    from center.models import Mechanism
    from workdays.calendar import local_date
    from workorders.models import ModelCase

    today = today or local_date()
    count = settings.CENTER_MECHANISM_CANDIDATE_COUNT if count is None else count
    months = settings.CENTER_MECHANISM_CANDIDATE_MONTHS if months is None else months
    since = today - datetime.timedelta(days=round(months * 30.44))
    rows = (ModelCase.tags.through.objects
            .filter(modelcase__work_order__request__submitted_at__date__gte=since,
                    modelcase__work_order__request__project__isnull=False)
            .values("problemtag_id", "problemtag__name_zh", "problemtag__name_en",
                    "modelcase__work_order__request__project__town_id",
                    "modelcase__work_order__request__project__town__name_zh")
            .annotate(seen=Count("modelcase_id", distinct=True))
            .filter(seen__gte=count)
            .order_by("-seen", "problemtag__name_zh"))
    covered = set(Mechanism.objects.filter(status__in=[Mechanism.Status.REFINING, Mechanism.Status.PUBLISHED])
                  .values_list("tags", "towns"))
    return [{"tag_id": r["problemtag_id"], "tag": r["problemtag__name_zh"], "tag_en": r["problemtag__name_en"],
             "town_id": r["modelcase__work_order__request__project__town_id"],
             "town": r["modelcase__work_order__request__project__town__name_zh"], "seen": r["seen"],
             "covered": (r["problemtag_id"], r["modelcase__work_order__request__project__town_id"]) in covered}
            for r in rows]


def published_mechanisms(*, tag_ids=None, town_id=None):
    """Published mechanisms, optionally those for any of the tags or the town."""
    from django.db.models import Q

    from center.models import Mechanism

    queryset = Mechanism.objects.filter(status=Mechanism.Status.PUBLISHED).prefetch_related("tags", "towns")
    if tag_ids is not None or town_id is not None:
        condition = Q()
        if tag_ids:
            condition |= Q(tags__in=tag_ids)
        if town_id:
            condition |= Q(towns=town_id)
        queryset = queryset.filter(condition).distinct() if condition else queryset.none()
    return queryset.order_by("title_zh")
