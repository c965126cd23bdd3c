"""API clients change only through api.services: issued, renewed and revoked by superusers."""
import pytest
from django.test import Client

from api.models import ApiClient
from api.services import issue_client_token, renew_client_token, revoke_client
from core.errors import DomainError
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_issue_renew_and_revoke(root):
    system_user = UserFactory()
    client, token = issue_client_token(actor=root, name=" erp ", user=system_user, scope=ApiClient.Scope.WRITE)
    assert client.name == "erp" and client.token_hash == ApiClient.hash(token) and client.revoked_at is None
    assert revoke_client(actor=root, client=client) is True
    client.refresh_from_db()
    revoked_at = client.revoked_at
    assert revoked_at is not None
    assert revoke_client(actor=root, client=client) is False  # idempotent
    client.refresh_from_db()
    assert client.revoked_at == revoked_at
    new = renew_client_token(actor=root, client=client)
    client.refresh_from_db()
    assert client.revoked_at is None and client.token_hash == ApiClient.hash(new) != ApiClient.hash(token)


def test_only_superusers_manage_clients(root):
    client, _token = issue_client_token(actor=root, name="erp", user=UserFactory())
    someone = UserFactory(is_staff=True)
    for call in (lambda: issue_client_token(actor=someone, name="x", user=someone),
                 lambda: revoke_client(actor=someone, client=client),
                 lambda: renew_client_token(actor=someone, client=client)):
        with pytest.raises(DomainError):
            call()
    client.refresh_from_db()
    assert client.revoked_at is None


def test_the_admin_action_revokes_through_the_service(root):
    client, _token = issue_client_token(actor=root, name="erp", user=UserFactory())
    browser = Client()
    browser.force_login(root)
    browser.post("/admin/api/apiclient/", {"action": "revoke", "_selected_action": [client.pk]})
    client.refresh_from_db()
    assert client.revoked_at is not None
