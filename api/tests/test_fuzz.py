"""Schemathesis against our OpenAPI schema, through the WSGI app, with a token of each role:
no 5xx and every response matches the schema. Bounded by a few examples per operation."""
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.models import ApiClient
from center.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
ROLES = ("enterprise_a", "officer_a", "head_a", "staff", "leader")


@pytest.fixture
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request, as it should in
    production; inside a test transaction that would close the test's own connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def role_tokens(world, keep_the_test_connection, api_unthrottled):
    # Every example of one operation runs in one test (one cache and window): api_unthrottled keeps
    # the throttles from turning the fuzzer's calls into 429s.
    tokens = {}
    for role in ROLES:
        client = ApiClient(name=f"fuzz-{role}", user=world.users[role], scope=ApiClient.Scope.WRITE)
        tokens[role] = client.issue_token()
        client.save()
    return tokens


@pytest.mark.fuzz
@schema.parametrize()
@hypothesis_settings(max_examples=6, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))
def test_no_server_error_and_responses_match_the_schema(case, role_tokens):
    for token in role_tokens.values():
        # call_and_validate raises on any failed check; the assertion states the main one plainly.
        response = case.call_and_validate(headers={"Authorization": f"Token {token}"},
                                          checks=[not_a_server_error, response_schema_conformance])
        assert response.status_code < 500
