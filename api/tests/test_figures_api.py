"""The leaders' figures through the API (/api/v1/figures/): the same rows as /leader/, for district
leaders and center staff only; both on-time rates, acknowledgement and the departments' requests."""
import pytest
from rest_framework.test import APIClient

from center.dashboards.figures import refresh_figures
from center.models import DepartmentMonth
from workdays.calendar import local_date

pytestmark = pytest.mark.django_db


def _client(world, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world.users[role])
    return client


@pytest.fixture
def figures(world):
    refresh_figures(today=local_date())
    return DepartmentMonth.objects.all()


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_leaders_and_staff_read_every_row_with_both_on_time_rates(world, figures, role):
    response = _client(world, role).get("/api/v1/figures/?page_size=200")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == set(figures.values_list("pk", flat=True)) and rows
    row = next(r for r in rows if r["department"] == world.dept_a.pk)
    for name in ("on_time_rate", "on_time_extended_rate", "ack_in_time_rate", "reroutes_asked",
                 "extensions_granted", "extension_days_granted", "third_party_pause_days"):
        assert name in row
    assert row["issued"] == DepartmentMonth.objects.get(pk=row["id"]).issued == 1


@pytest.mark.parametrize("role", ["anonymous", "enterprise_a", "officer_a", "head_a"])
def test_nobody_else_sees_a_figure_by_list_or_guessed_id(world, figures, role):
    client = _client(world, role)
    listed = client.get("/api/v1/figures/")
    assert listed.status_code in (401, 403) if role == "anonymous" else listed.json()["results"] == []
    assert client.get(f"/api/v1/figures/{figures.first().pk}/").status_code in ((401, 403) if role == "anonymous"
                                                                              else (404,))


def test_filters_by_department_district_and_month(world, figures):
    client = _client(world, "leader")
    by_department = client.get(f"/api/v1/figures/?department={world.dept_a.pk}").json()["results"]
    assert {row["department"] for row in by_department} == {world.dept_a.pk}
    district = client.get("/api/v1/figures/?district=true").json()["results"]
    assert district and {row["department"] for row in district} == {None}
    month = local_date().replace(day=1)
    assert client.get(f"/api/v1/figures/?month_from={month:%Y-%m}-15").json()["results"]
    assert client.get(f"/api/v1/figures/?month_from={month.replace(year=month.year + 1)}").json()["results"] == []
    bad = client.get("/api/v1/figures/?month_from=soon")
    assert bad.status_code == 400 and "month_from" in str(bad.json())
