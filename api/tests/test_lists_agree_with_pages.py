"""Every list the API serves holds exactly the rows of the permission function the pages use, for
every role (TESTING.md T4: the object check and the list filter agree; issue 16, part 3)."""
import pytest
from rest_framework.test import APIClient

from center.models import AgendaItem
from center.office_hours.selectors import agenda_items_visible_to, sessions_visible_to
from workorders import permissions

pytestmark = pytest.mark.django_db

ROLES = ["enterprise_a", "enterprise_b", "officer_a", "officer_b", "head_a", "staff", "leader"]
LISTS = {
    "enterprises": permissions.enterprises_visible_to,
    "projects": permissions.projects_visible_to,
    "requests": permissions.requests_visible_to,
    "work-orders": permissions.work_orders_visible_to,
    "assignments": permissions.assignments_visible_to,
    "approvals": permissions.approvals_visible_to,
    "commitments": permissions.commitments_visible_to,
    "sessions": sessions_visible_to,
    "agenda-items": agenda_items_visible_to,
    "model-cases": permissions.model_cases_visible_to,
}


def _all_ids(client, url):
    ids = set()
    while url:
        body = client.get(url, {"page_size": 200} if "?" not in url else None).json()
        ids |= {row["id"] for row in body["results"]}
        url = body.get("next")
    return ids


@pytest.mark.parametrize("role", ROLES)
def test_each_api_list_is_the_pages_rows(rich_world, role):
    AgendaItem.objects.create(session=rich_world.session, kind="other", title="removed", removed=True, position=2)
    user = rich_world.users[role]
    client = APIClient()
    client.force_authenticate(user)
    for resource, visible_to in LISTS.items():
        wanted = set(visible_to(user).values_list("pk", flat=True))
        assert _all_ids(client, f"/api/v1/{resource}/") == wanted, (resource, role)
