"""The API: the permission matrix, tokens and scopes, round trips, idempotency, query counts, docs."""
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.models import ApiClient
from workorders.models import ServiceRequest
from workorders.tests import samples
from workorders.tests.factories import AssignmentFactory, WorkOrderFactory

ROLES = ["anonymous", "enterprise_a", "enterprise_b", "officer_a", "officer_b", "head_a", "staff", "leader"]


def _client(world, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world.users[role])
    return client


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


# Which rows each role sees in each list (by the world's names); "all" = every row of the table.
@pytest.mark.django_db
def test_list_matrix(world):
    expected = {
        "requests": {"enterprise_a": {world.request_a.pk, world.waiting_a.pk}, "enterprise_b": {world.request_b.pk},
                     "officer_a": {world.request_a.pk}, "officer_b": {world.request_b.pk},
                     "head_a": {world.request_a.pk}, "staff": "all", "leader": set()},
        "assignments": {"enterprise_a": set(), "enterprise_b": set(), "officer_a": {world.assignment_a.pk},
                        "officer_b": {world.assignment_b.pk}, "head_a": {world.assignment_a.pk}, "staff": "all",
                        "leader": set()},
        "projects": {"enterprise_a": {world.project_a.pk}, "enterprise_b": {world.project_b.pk}, "officer_a": set(),
                     "officer_b": set(), "head_a": set(), "staff": "all", "leader": set()},
        "enterprises": {"enterprise_a": {world.ent_a.pk}, "enterprise_b": {world.ent_b.pk}, "officer_a": set(),
                        "officer_b": set(), "head_a": set(), "staff": "all", "leader": set()},
        "sessions": {"enterprise_a": set(), "enterprise_b": set(), "officer_a": "all", "officer_b": "all",
                     "head_a": "all", "staff": "all", "leader": "all"},
    }
    models = {"requests": ServiceRequest, "assignments": world.assignment_a.__class__,
              "projects": world.project_a.__class__, "enterprises": world.ent_a.__class__,
              "sessions": world.session.__class__}
    for resource, by_role in expected.items():
        assert APIClient().get(f"/api/v1/{resource}/").status_code in (401, 403)
        for role, rows in by_role.items():
            response = _client(world, role).get(f"/api/v1/{resource}/")
            assert response.status_code == 200, (resource, role)
            wanted = set(models[resource].objects.values_list("pk", flat=True)) if rows == "all" else rows
            assert _ids(response) == wanted, (resource, role)


@pytest.mark.django_db
def test_someone_elses_object_is_a_404(world):
    b = _client(world, "enterprise_b")
    assert b.get(f"/api/v1/requests/{world.request_a.pk}/").status_code == 404
    assert b.get(f"/api/v1/projects/{world.project_a.pk}/").status_code == 404
    assert _client(world, "officer_b").get(f"/api/v1/assignments/{world.assignment_a.pk}/").status_code == 404
    assert _client(world, "officer_a").get(f"/api/v1/assignments/{world.assignment_a.pk}/").status_code == 200
    assert _client(world, "leader").get(f"/api/v1/requests/{world.request_a.pk}/").status_code == 404


@pytest.mark.django_db
def test_tokens_scopes_and_revocation(world):
    read = ApiClient(name="erp-read", user=world.user_a, scope="read")
    read_token = read.issue_token()
    read.save()
    write = ApiClient(name="erp-write", user=world.user_a, scope="write")
    write_token = write.issue_token()
    write.save()
    body = {"kind": "other", "project": world.project_a.pk, "title": "接口提交", "description": "通过接口提交的诉求描述。"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {read_token}")
    assert client.get("/api/v1/requests/").status_code == 200
    assert client.post("/api/v1/requests/", body, format="json").status_code == 403
    client.credentials(HTTP_AUTHORIZATION=f"Token {write_token}")
    assert client.post("/api/v1/requests/", body, format="json").status_code == 201
    write.revoked_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    write.save()
    assert client.get("/api/v1/requests/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert client.get("/api/v1/requests/").status_code == 401
    assert ApiClient.objects.get(pk=read.pk).token_hash != read_token  # only the hash is kept


@pytest.mark.django_db
def test_submitting_is_idempotent_by_key_and_errors_name_the_field(world):
    client = _client(world, "enterprise_a")
    body = {"kind": "extension", "project": world.project_a.pk, "title": "申请延期",
            "description": "道路未开通，申请延期六个月。", "requested_completion_date": "2027-12-31"}
    first = client.post("/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    again = client.post("/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert ServiceRequest.objects.filter(title="申请延期").count() == 1
    bad = client.post("/api/v1/requests/", {**body, "requested_completion_date": "2026-01-01"}, format="json")
    assert bad.status_code == 400 and "requested_completion_date" in bad.json()
    foreign = client.post("/api/v1/requests/", {**body, "project": world.project_b.pk}, format="json")
    assert foreign.status_code == 400 and "project" in foreign.json()
    with_file = client.post("/api/v1/requests/", {**body, "files": [_file("说明.pdf", samples.pdf())]},
                            format="multipart", HTTP_IDEMPOTENCY_KEY="order-43")
    assert with_file.status_code == 201 and with_file.json()["attachments"][0]["original_name"] == "说明.pdf"
    refused = client.post("/api/v1/requests/", {**body, "files": [_file("x.pdf", samples.exe())]}, format="multipart")
    assert refused.status_code == 400 and "attachments" in refused.json()


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.django_db
def test_projects_round_trip(world):
    client = _client(world, "enterprise_a")
    body = {"town": world.project_a.town_id, "name": "二期厂房", "total_investment": "1000000.00", "stage": "filing",
            "planned_completion_date": "2028-06-30"}
    created = client.post("/api/v1/projects/", body, format="json")
    assert created.status_code == 201 and created.json()["enterprise"] == world.ent_a.pk
    assert client.get(f"/api/v1/projects/{created.json()['id']}/").json()["name"] == "二期厂房"
    assert client.post("/api/v1/projects/", body, format="json").status_code == 400  # same name
    assert _client(world, "officer_a").post("/api/v1/projects/", body, format="json").status_code == 403


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_page_size(world):
    department = world.dept_a
    for _ in range(60):
        AssignmentFactory(department=department, work_order=WorkOrderFactory())
    client = _client(world, "officer_a")
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/assignments/?page_size={size}")
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with CaptureQueriesContext(connection) as queries:
        response = _client(world, "staff").get("/api/v1/requests/?page_size=40")
    assert len(queries) < 10


@pytest.mark.django_db
def test_filters_and_cursor_pagination(world):
    client = _client(world, "staff")
    assert _ids(client.get(f"/api/v1/assignments/?department={world.dept_b.pk}")) == {world.assignment_b.pk}
    assert _ids(client.get("/api/v1/requests/?status=submitted")) == {world.waiting_a.pk}
    first = client.get("/api/v1/requests/?page_size=2").json()
    assert first["next"] and "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


@pytest.mark.django_db
def test_schema_and_docs_are_served_from_our_static_files(world):
    client = _client(world, "staff")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/requests/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs and "cdn" not in docs.lower()


@pytest.mark.django_db
def test_stamping_through_the_api_only_where_the_department_allows_it(world):
    from workorders.models import Approval

    account = ApiClient(name="jt-system", user=world.officer_a, scope="write")
    token = account.issue_token()
    account.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    url = f"/api/v1/assignments/{world.assignment_a.pk}/stamp/"
    assert client.post(url, {"decision": "approved"}, format="json").status_code == 403  # not allowed yet
    world.dept_a.allows_api_stamping = True
    world.dept_a.save()
    created = client.post(url, {"decision": "approved", "opinion": "同意"}, format="json")
    assert created.status_code == 201 and created.json()["serial"].startswith("JT-")
    assert client.post(url, {"decision": "approved"}, format="json").status_code == 400  # one in force
    foreign = client.post(f"/api/v1/assignments/{world.assignment_b.pk}/stamp/", {"decision": "approved"}, format="json")
    assert foreign.status_code == 404
    session = _client(world, "officer_a")  # a person in the browser stamps on the desk, not here
    assert session.post(url, {"decision": "approved"}, format="json").status_code == 403
    assert Approval.objects.count() == 1
    assert client.patch(f"/api/v1/approvals/{Approval.objects.get().pk}/", {"opinion": "x"}, format="json").status_code == 405


@pytest.mark.django_db
def test_more_endpoints_by_role(world):
    from workorders.services import stamp_assignment

    approval = stamp_assignment(actor=world.officer_a, assignment=world.assignment_a, decision="conditional",
                                conditions="先建临时出入口", commitment_due_date=datetime.date(2030, 1, 1))
    visible = {
        "towns": {role: "all" for role in ROLES[1:]},
        "departments": {role: "all" for role in ROLES[1:]},
        "work-orders": {"enterprise_a": {world.request_a.work_order.pk}, "enterprise_b": {world.request_b.work_order.pk},
                        "officer_a": {world.request_a.work_order.pk}, "officer_b": {world.request_b.work_order.pk},
                        "head_a": {world.request_a.work_order.pk}, "staff": "all", "leader": set()},
        "approvals": {"enterprise_a": {approval.pk}, "enterprise_b": set(), "officer_a": {approval.pk},
                      "officer_b": set(), "head_a": {approval.pk}, "staff": {approval.pk}, "leader": set()},
        "commitments": {"enterprise_a": "all", "enterprise_b": set(), "officer_a": "all", "officer_b": set(),
                        "head_a": "all", "staff": "all", "leader": set()},
        "agenda-items": {role: set() for role in ROLES[1:]},
    }
    from center.models import AgendaItem
    from departments.models import Department
    from projects.models import Town
    from workorders.models import Commitment, WorkOrder

    tables = {"towns": Town, "departments": Department, "work-orders": WorkOrder, "approvals": None,
              "commitments": Commitment, "agenda-items": AgendaItem}
    for resource, by_role in visible.items():
        assert APIClient().get(f"/api/v1/{resource}/").status_code in (401, 403)
        for role, rows in by_role.items():
            response = _client(world, role).get(f"/api/v1/{resource}/")
            assert response.status_code == 200, (resource, role)
            manager = tables[resource].objects if tables[resource] else None
            if resource == "departments":
                manager = Department.objects.filter(is_active=True)
            wanted = set(manager.values_list("pk", flat=True)) if rows == "all" else rows
            assert _ids(response) == wanted, (resource, role)
    for write in ("work-orders", "approvals", "commitments", "agenda-items", "towns", "departments"):
        assert _client(world, "staff").post(f"/api/v1/{write}/", {}, format="json").status_code == 405


@pytest.mark.django_db
def test_a_token_made_in_the_admin_reads_and_files(world, admin_client):
    response = admin_client.post("/admin/api/apiclient/add/", {"name": "erp", "user": world.user_a.pk, "scope": "write"},
                                 follow=True)
    shown = [str(m) for m in response.context["messages"]]
    token = next(re.search(r"ct_[\w-]+", text).group(0) for text in shown if "ct_" in text)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert _ids(client.get("/api/v1/requests/")) == {world.request_a.pk, world.waiting_a.pk}
    body = {"kind": "other", "project": world.project_a.pk, "title": "来自ERP", "description": "通过接口提交的诉求。"}
    assert client.post("/api/v1/requests/", body, format="json").status_code == 201


@pytest.mark.django_db
def test_a_foreign_id_and_an_unknown_id_get_the_same_answer(world):
    """The assessment: ``?enterprise=<someone else's>`` answered 200 with no rows, ``?enterprise=999``
    400: the difference told which ids exist. Every id filter now answers both alike (200, no rows);
    only a value that is not a number is refused, with the field named."""
    client = _client(world, "enterprise_a")
    unknown = 10_000_000
    cases = {
        "requests": {"enterprise": world.ent_b.pk, "project": world.project_b.pk},
        "assignments": {"department": world.dept_b.pk},
        "work-orders": {"lead_department": world.dept_b.pk},
    }
    for resource, filters in cases.items():
        for name, foreign in filters.items():
            answers = [client.get(f"/api/v1/{resource}/?{name}={value}") for value in (foreign, unknown)]
            assert [a.status_code for a in answers] == [200, 200], (resource, name)
            assert [a.json()["results"] for a in answers] == [[], []], (resource, name)
            refused = client.get(f"/api/v1/{resource}/?{name}=abc")
            assert refused.status_code == 400 and name in refused.content.decode(), (resource, name)
    staff = _client(world, "staff")
    for resource in ("requests", "assignments"):
        answers = [staff.get(f"/api/v1/{resource}/?town={value}") for value in (world.project_b.town_id, unknown)]
        assert [a.status_code for a in answers] == [200, 200], resource
    mine = client.get(f"/api/v1/requests/?enterprise={world.ent_a.pk}")
    assert _ids(mine) == {world.request_a.pk, world.waiting_a.pk}
