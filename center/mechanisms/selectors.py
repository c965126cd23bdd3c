"""Reads of the mechanisms (procedures for recurring problems) and of the problems that call for one."""
import datetime

from django.conf import settings
from django.db.models import Count, Q

from center.models import Mechanism
from workdays.calendar import local_date
from workorders.models import ModelCase


def mechanism_candidates(*, today=None, count: int | None = None, months: int | None = None) -> list[dict]:
    """Problem tags seen at least ``count`` times in one town within ``months`` months (tags of model
    cases whose requests were submitted in the window), with whether a mechanism already covers
    that tag and town. One aggregate query plus one for the existing mechanisms."""
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
    queryset = Mechanism.objects.filter(status=Mechanism.Status.PUBLISHED).prefetch_related("tags", "towns")
    if tag_ids is not None or town_id is not None:
        condition = Q()
        if tag_ids:
            condition |= Q(tags__in=tag_ids)
        if town_id:
            condition |= Q(towns=town_id)
        queryset = queryset.filter(condition).distinct() if condition else queryset.none()
    return queryset.order_by("title_zh")
