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
