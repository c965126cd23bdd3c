"""Concurrency on PostgreSQL: real threads with their own connections (T5)."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from projects.tests.factories import InvestmentProjectFactory, UserFactory
from workorders.models import Attachment, RequestEvent, ServiceRequest
from workorders.services import submit_request
from workorders.tests import samples


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_thousand_concurrent_submissions_with_one_token_make_one_request():
    contact = UserFactory(username="concurrent-contact")
    project = InvestmentProjectFactory()
    project.enterprise.users.add(contact)

    def submit(_):
        try:
            request, created = submit_request(
                actor=contact, project=project, kind="blocker", title="并发提交",
                description="同一表单令牌的重复提交只能生成一条诉求。", files=[("a.pdf", samples.pdf())], token="same-token",
            )
            return request.pk, created
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(submit, range(1000)))

    assert ServiceRequest.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert RequestEvent.objects.count() == 1
    the_one = ServiceRequest.objects.get().pk
    assert {pk for pk, _ in results} == {the_one}
    assert sum(created for _, created in results) == 1
    assert connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_staff_deciding_one_ask_at_once_one_wins_and_the_others_are_told(world):
    """Issue 18: eight staff decide one extension at once (half grant, half refuse): one decision
    stands, the others are told it is already decided, and the due date moved at most once."""
    import threading

    from projects.tests.factories import StaffFactory
    from workorders.exceptions import WorkOrderError
    from workorders.models import Assignment, DepartmentAsk
    from workorders.services import ask_extension, decide_ask

    ask = ask_extension(actor=world.officer_a, assignment=world.assignment_a, working_days=3, text="等待评估。")
    staff = [StaffFactory(username=f"decider-{i}") for i in range(8)]
    due = world.assignment_a.due_date
    barrier = threading.Barrier(len(staff))

    def decide(index):
        try:
            barrier.wait()
            decide_ask(actor=staff[index], ask=DepartmentAsk.objects.get(pk=ask.pk), grant=index % 2 == 0,
                       ruling="会商决定。")
            return "decided"
        except WorkOrderError as error:
            return error.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(staff)) as pool:
        results = list(pool.map(decide, range(len(staff))))

    assert sorted(results) == ["already_decided"] * 7 + ["decided"]
    ask.refresh_from_db()
    assignment = Assignment.objects.get(pk=world.assignment_a.pk)
    if ask.status == DepartmentAsk.Status.GRANTED:
        assert assignment.extension_working_days == 3 and assignment.due_date > due
    else:
        assert ask.status == DepartmentAsk.Status.REFUSED
        assert assignment.extension_working_days == 0 and assignment.due_date == due
    assert ask.history.count() == 2  # asked, decided once
