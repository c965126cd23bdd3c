"""Model cases in the API: who sees them, the tag filter, and similar-case ranking over a text."""
import pytest
from rest_framework.test import APIClient

from workorders.models import Assignment
from workorders.similarity import rebuild_index
from workorders.tests.factories import AssignmentFactory, ModelCaseFactory, ProblemTagFactory, WorkOrderFactory

ROLES = ["enterprise_a", "enterprise_b", "officer_a", "officer_b", "head_a", "staff", "leader"]


def _client(world, role):
    client = APIClient()
    client.force_authenticate(world.users[role])
    return client


@pytest.fixture
def cases(world):
    road, metro = ProblemTagFactory(slug="unopened-road"), ProblemTagFactory(slug="metro-overlap")
    road_wo = WorkOrderFactory(lead_department=world.dept_a, proposed_approach="临时出入口，承诺制验收。")
    AssignmentFactory(work_order=road_wo, department=world.dept_b, role=Assignment.Role.CO_HANDLING)
    AssignmentFactory(work_order=road_wo, department=world.dept_a, role=Assignment.Role.LEAD)
    road_case = ModelCaseFactory(work_order=road_wo, title="道路未开通影响消防出入口与竣工验收",
                                 summary="以临时出入口替代未开通道路的主入口，承诺制竣工验收。")
    road_case.tags.set([road])
    metro_case = ModelCaseFactory(work_order=WorkOrderFactory(lead_department=world.dept_b),
                                  title="地下工程与地铁车站重叠", summary="申通地铁集团评估后出具意见，再办理地下施工许可。")
    metro_case.tags.set([metro])
    rebuild_index()
    return {"road": road_case, "metro": metro_case}


@pytest.mark.django_db
def test_who_sees_model_cases(world, cases):
    everything = {cases["road"].pk, cases["metro"].pk}
    expected = {"enterprise_a": set(), "enterprise_b": set(), "officer_a": everything, "officer_b": everything,
                "head_a": everything, "staff": everything, "leader": everything}
    assert APIClient().get("/api/v1/model-cases/").status_code in (401, 403)
    for role in ROLES:
        response = _client(world, role).get("/api/v1/model-cases/")
        assert response.status_code == 200
        assert {row["id"] for row in response.json()["results"]} == expected[role], role
        detail = _client(world, role).get(f"/api/v1/model-cases/{cases['road'].pk}/")
        assert detail.status_code == (404 if role.startswith("enterprise") else 200), role
        similar = _client(world, role).get("/api/v1/model-cases/similar/", {"text": "道路未开通"})
        assert similar.status_code == 200
        assert bool(similar.json()) == (not role.startswith("enterprise")), role


@pytest.mark.django_db
def test_a_case_carries_its_tags_departments_and_approach(world, cases):
    row = _client(world, "staff").get(f"/api/v1/model-cases/{cases['road'].pk}/").json()
    assert [t["slug"] for t in row["tags"]] == ["unopened-road"]
    assert row["lead_department"] == world.dept_a.pk
    assert row["departments"] == [world.dept_a.pk, world.dept_b.pk]  # lead first
    assert row["proposed_approach"] == "临时出入口，承诺制验收。"
    tagged = _client(world, "staff").get("/api/v1/model-cases/", {"tag": "metro-overlap"}).json()["results"]
    assert [r["id"] for r in tagged] == [cases["metro"].pk]


@pytest.mark.django_db
def test_similar_ranks_a_text_and_explains_bad_input(world, cases):
    staff = _client(world, "staff")
    chinese = staff.get("/api/v1/model-cases/similar/", {"text": "天春路尚未开通，消防出入口不满足，竣工验收受阻"}).json()
    assert chinese[0]["id"] == cases["road"].pk and 0 < chinese[0]["score"] <= 1
    metro = staff.get("/api/v1/model-cases/similar/", {"text": "地下车库与地铁车站重叠", "limit": "1"}).json()
    assert [r["id"] for r in metro] == [cases["metro"].pk]
    for params, field in (({}, "text"), ({"text": "  "}, "text"), ({"text": "x" * 4001}, "text"),
                          ({"text": "道路", "limit": "0"}, "limit"), ({"text": "道路", "limit": "abc"}, "limit"),
                          ({"text": "道路", "limit": "21"}, "limit")):
        response = staff.get("/api/v1/model-cases/similar/", params)
        assert response.status_code == 400 and field in response.json(), params
