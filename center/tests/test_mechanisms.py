"""Recurring problems: mechanism candidates at the threshold, published mechanisms where they apply."""
import datetime

import pytest
from django.test import Client
from django.utils import timezone

from center.models import Mechanism
from center.mechanisms.selectors import mechanism_candidates, published_mechanisms
from projects.tests.factories import InvestmentProjectFactory, TownFactory
from workorders.models import ModelCase, ProblemTag, WorkOrder
from workorders.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


def _cases(town, tag, n, *, days_ago=30):
    for _ in range(n):
        project = InvestmentProjectFactory(town=town)
        work_order = WorkOrderFactory(request__project=project, request__enterprise=project.enterprise,
                                      status=WorkOrder.Status.RESOLVED)
        type(work_order.request).objects.filter(pk=work_order.request_id).update(
            submitted_at=timezone.now() - datetime.timedelta(days=days_ago))
        ModelCase.objects.create(work_order=work_order, title="案例", summary="摘要").tags.add(tag)


def test_a_tag_is_a_candidate_from_k_cases_in_one_town_within_m_months(settings):
    luodian, gucun = TownFactory(name_zh="罗店镇"), TownFactory(name_zh="顾村镇")
    road = ProblemTag.objects.create(slug="road", name_zh="道路未开通", name_en="unopened road")
    _cases(luodian, road, 3)
    _cases(gucun, road, 2)
    _cases(gucun, road, 5, days_ago=800)  # outside the window
    found = mechanism_candidates(today=timezone.localdate(), count=3, months=12)
    assert [(c["town"], c["tag"], c["seen"]) for c in found] == [("罗店镇", "道路未开通", 3)]
    assert mechanism_candidates(today=timezone.localdate(), count=4, months=12) == []
    assert found[0]["covered"] is False
    mechanism = Mechanism.objects.create(title_zh="道路未开通的验收指引", text="……", status=Mechanism.Status.PUBLISHED)
    mechanism.tags.add(road)
    mechanism.towns.add(luodian)
    assert mechanism_candidates(today=timezone.localdate(), count=3, months=12)[0]["covered"] is True
    assert list(published_mechanisms(tag_ids={road.pk})) == [mechanism]
    assert list(published_mechanisms(tag_ids=set(), town_id=gucun.pk)) == []


def test_published_mechanisms_are_on_the_public_portal_and_drafts_are_not():
    Mechanism.objects.create(title_zh="已发布的指引", text="正文", status=Mechanism.Status.PUBLISHED)
    Mechanism.objects.create(title_zh="草稿指引", text="正文", status=Mechanism.Status.DRAFT)
    page = Client().get("/mechanisms/").content.decode()
    assert "已发布的指引" in page and "草稿指引" not in page
