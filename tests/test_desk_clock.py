"""The clock on the desk and the triage page: acknowledge (签收), pause for a third party, run again."""
import pytest
from django.test import Client

from workorders.models import Assignment, ClockPause, RequestEvent
from workorders.services import pause_assignment

pytestmark = pytest.mark.django_db
METRO = "申通地铁集团"
SECRET = "地铁公司内部评估尚未完成"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pause_for_metro(world):
    pause_assignment(actor=world.officer_a, assignment=world.assignment_a, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                     third_party_name=METRO, note=SECRET)


def test_an_officer_acknowledges_with_one_click(world):
    client = _client(world.officer_a)
    url = f"/desk/assignments/{world.assignment_a.pk}/"
    assert "未签收" in client.get("/desk/").content.decode()
    assert 'id="acknowledge-form"' in client.get(url).content.decode()
    assert _client(world.officer_b).post(f"{url}acknowledge/").status_code == 404  # another department's guessed id
    assert client.post(f"{url}acknowledge/").status_code == 302
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.acknowledged_by == world.officer_a
    page = client.get(url).content.decode()
    assert 'id="acknowledge-form"' not in page and "签收时间" in page
    assert "未签收" not in client.get("/desk/").content.decode()
    again = client.post(f"{url}acknowledge/")
    assert again.status_code == 400 and "已签收" in again.content.decode()


def test_an_officer_pauses_for_a_third_party_and_the_enterprise_sees_only_whom(world):
    client = _client(world.officer_a)
    url = f"/desk/assignments/{world.assignment_a.pk}/pause/"
    refused = client.post(url, {"pause-note": SECRET})
    assert refused.status_code == 400 and "third_party_department" in refused.context["pause_form"].errors
    assert refused.context["pause_form"]["note"].value() == SECRET  # what was typed is kept
    assert _client(world.officer_b).post(url, {"pause-third_party_name": METRO, "pause-note": SECRET}).status_code == 404
    assert client.post(url, {"pause-third_party_name": METRO, "pause-note": SECRET}).status_code == 302
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.status == Assignment.Status.PAUSED
    pause = world.assignment_a.pauses.get()
    desk = client.get(f"/desk/assignments/{world.assignment_a.pk}/").content.decode()
    assert METRO in desk and SECRET in desk and pause.resumes_on.isoformat() in desk and 'id="resume-form"' in desk
    portal = _client(world.user_a).get(f"/requests/{world.request_a.tracking_number}/").content.decode()
    assert METRO in portal and SECRET not in portal
    assert "material-form" not in portal  # the enterprise is not asked for anything


def test_the_department_runs_the_clock_again(world):
    _pause_for_metro(world)
    url = f"/desk/assignments/{world.assignment_a.pk}/resume/"
    assert _client(world.officer_b).post(url).status_code == 404
    assert _client(world.head_a).post(url).status_code == 302
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.status == Assignment.Status.IN_PROGRESS
    assert RequestEvent.objects.filter(assignment=world.assignment_a, kind=RequestEvent.Kind.RESUMED, public=True).exists()


def test_center_staff_run_a_paused_clock_again_from_the_triage_page(world):
    _pause_for_metro(world)
    client = _client(world.staff)
    page = client.get(f"/center/requests/{world.request_a.tracking_number}/").content.decode()
    assert f'id="resume-{world.assignment_a.pk}"' in page and METRO in page
    base = f"/center/requests/{world.request_a.tracking_number}/assignments"
    assert client.post(f"{base}/{world.assignment_b.pk}/resume/").status_code == 404  # not this request's
    assert client.post(f"{base}/{world.assignment_a.pk}/resume/").status_code == 302
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.status == Assignment.Status.IN_PROGRESS
