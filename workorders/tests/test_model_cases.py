"""Model cases and the similar-case search, in Chinese and English."""
from pathlib import Path

import pytest
from django.test import Client

from departments.tests.factories import DepartmentFactory
from projects.tests.factories import StaffFactory, UserFactory
from workorders.exceptions import WorkOrderError
from workorders.models import ModelCase, ProblemTag, ServiceRequest, WorkOrder
from workorders.selectors import similar_cases
from workorders.services import mark_model_case
from workorders.similarity import rebuild_index, similar_case_ids
from workorders.tests.factories import AssignmentFactory, ServiceRequestFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return StaffFactory()


def _case(title, problem, summary, tag_names):
    work_order = WorkOrderFactory(problem=problem, status=WorkOrder.Status.RESOLVED,
                                  request__description=problem, request__title=title)
    case = ModelCase.objects.create(work_order=work_order, title=title, summary=summary)
    for slug, name_zh, name_en in tag_names:
        tag, _ = ProblemTag.objects.get_or_create(slug=slug, defaults={"name_zh": name_zh, "name_en": name_en})
        case.tags.add(tag)
    return case


ROAD = ("road", "道路未开通", "unopened road")
METRO = ("metro", "地铁重叠", "metro overlap")
LAND = ("land", "用地", "land use")


@pytest.fixture
def cases():
    return {
        "road": _case("道路未开通影响竣工验收", "园区规划出入口所在道路尚未开通，消防出入口不满足要求，影响竣工验收。",
                      "设临时出入口，承诺制验收。", [ROAD]),
        "metro": _case("地下工程与地铁车站重叠", "地下施工范围与规划轨道交通车站重叠，地下施工许可无法办理。",
                       "地铁集团评估后两周内办理许可。", [METRO]),
        "land": _case("Land use change for a warehouse", "The warehouse plot needs a land-use change before the "
                      "planning permit can be issued.", "Planning bureau amended the plan in three weeks.", [LAND]),
    }


def test_chinese_text_finds_the_case_with_the_same_problem(cases):
    rebuild_index()
    ranked = similar_case_ids("天春路尚未开通，消防出入口不够，竣工验收做不了")
    assert ranked[0][0] == cases["road"].pk
    ranked = similar_case_ids("项目地下部分和轨道交通车站重叠，拿不到地下施工许可")
    assert ranked[0][0] == cases["metro"].pk


def test_english_text_finds_the_english_case(cases):
    rebuild_index()
    ranked = similar_case_ids("We need a land-use change for our warehouse plot to get the planning permit")
    assert ranked[0][0] == cases["land"].pk


def test_no_index_or_no_text_gives_nothing(cases):
    assert similar_case_ids("道路未开通") == []  # not built yet
    rebuild_index()
    assert similar_case_ids("   ") == []


def test_marking_a_case_rules_and_the_index_rebuild_is_queued_after_commit(staff, django_capture_on_commit_callbacks):
    from workorders.services.model_cases import _queue_index_rebuild
    from workorders.tasks import rebuild_similarity_index

    open_order = WorkOrderFactory()
    tag = ProblemTag.objects.create(slug="road", name_zh="道路未开通", name_en="unopened road")
    with pytest.raises(WorkOrderError):
        mark_model_case(actor=staff, work_order=open_order, title="x", summary="y", tags=[tag])
    resolved = WorkOrderFactory(status=WorkOrder.Status.RESOLVED, problem="道路未开通，无法验收")
    with pytest.raises(WorkOrderError):
        mark_model_case(actor=UserFactory(), work_order=resolved, title="x", summary="y", tags=[tag])
    with pytest.raises(WorkOrderError):
        mark_model_case(actor=staff, work_order=resolved, title="x", summary="y", tags=[])
    with django_capture_on_commit_callbacks() as callbacks:
        case = mark_model_case(actor=staff, work_order=resolved, title="道路未开通的处理", summary="临时出入口", tags=[tag])
    assert _queue_index_rebuild in callbacks
    assert rebuild_similarity_index() == 1  # what the worker runs (tests/test_worker.py runs real tasks)
    assert similar_case_ids("道路未开通")[0][0] == case.pk
    with pytest.raises(WorkOrderError):
        mark_model_case(actor=staff, work_order=resolved, title="again", summary="y", tags=[tag])


def test_marking_a_case_rebuilds_the_index_after_the_commit(staff, django_capture_on_commit_callbacks, monkeypatch,
                                                             settings, tmp_path):
    from workorders import tasks

    queued = []

    def apply_async(*args, **kwargs):  # the task as the worker runs it (queued by name, as a signature)
        queued.append(True)
        tasks.rebuild_similarity_index()

    monkeypatch.setattr(tasks.rebuild_similarity_index, "apply_async", apply_async)
    resolved = WorkOrderFactory(status=WorkOrder.Status.RESOLVED, problem="道路未开通，无法验收")
    tag = ProblemTag.objects.create(slug="road", name_zh="道路未开通", name_en="unopened road")
    with django_capture_on_commit_callbacks(execute=True):
        case = mark_model_case(actor=staff, work_order=resolved, title="道路未开通的处理", summary="临时出入口", tags=[tag])
        assert not queued  # not before the commit
    assert queued == [True]
    assert similar_case_ids("道路未开通")[0][0] == case.pk
    # The index of a test lives in its temporary folder (the root conftest), never in var/.
    assert Path(settings.CENTER_SIMILARITY_INDEX_PATH).is_relative_to(tmp_path)
    assert Path(settings.CENTER_SIMILARITY_INDEX_PATH).exists()


def test_triage_page_shows_similar_cases_and_reuse_prefills_the_work_order(cases, staff):
    lead, co = DepartmentFactory(short_code="JT"), DepartmentFactory(short_code="JW")
    AssignmentFactory(work_order=cases["road"].work_order, department=lead, role="lead")
    AssignmentFactory(work_order=cases["road"].work_order, department=co, role="co_handling")
    WorkOrder.objects.filter(pk=cases["road"].work_order.pk).update(lead_department=lead)
    rebuild_index()
    waiting = ServiceRequestFactory(title="天春路未开通", description="规划出入口所在的天春路尚未开通，消防出入口不满足要求。",
                                    status=ServiceRequest.Status.SUBMITTED)
    assert [c.pk for c in similar_cases(waiting)][0] == cases["road"].pk
    client = Client()
    client.force_login(staff)
    page = client.get(f"/center/requests/{waiting.tracking_number}/")
    assert page.status_code == 200 and cases["road"].title in page.content.decode()
    reuse = client.get(f"/center/requests/{waiting.tracking_number}/?reuse={cases['road'].pk}")
    initial = reuse.context["issue_form"].initial
    assert initial["lead_department"] == lead.pk and initial["co_departments"] == [co.pk]
    assert initial["proposed_approach"] == cases["road"].summary


def test_marking_through_the_center_page(staff):
    resolved = WorkOrderFactory(status=WorkOrder.Status.RESOLVED)
    tag = ProblemTag.objects.create(slug="fire", name_zh="消防出入口", name_en="fire-safety entrances")
    client = Client()
    client.force_login(staff)
    url = f"/center/requests/{resolved.request.tracking_number}/model-case/"
    assert client.post(url, {"case-title": "x", "case-summary": "y"}).status_code == 400  # no tag
    assert client.post(url, {"case-title": "消防出入口案例", "case-summary": "临时出入口", "case-tags": [tag.pk]}).status_code == 302
    assert ModelCase.objects.get(work_order=resolved).tags.get() == tag
