"""Each selector of projects.selectors reads in one query, however many rows it returns: made with
2 rows, counted; 5 more made, counted again, the same figure (issue 16, part 7)."""
import pytest

from projects import selectors
from projects.tests.factories import (
    EnterpriseFactory,
    EnterpriseUserFactory,
    InvestmentProjectFactory,
)
from tests.queries import assert_constant

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return EnterpriseUserFactory()


def test_enterprises_of(django_assert_num_queries, user):
    def make(n):
        for enterprise in EnterpriseFactory.create_batch(n):
            enterprise.users.add(user)

    assert_constant(django_assert_num_queries, 1, make, lambda: len(list(selectors.enterprises_of(user))))


def _projects(user):
    enterprise = EnterpriseFactory()
    enterprise.users.add(user)
    return lambda n: InvestmentProjectFactory.create_batch(n, enterprise=enterprise)


def test_project_choices(django_assert_num_queries, user):
    def read():
        assert all(project.enterprise.name for project in selectors.project_choices(user))

    assert_constant(django_assert_num_queries, 1, _projects(user), read)


def test_projects_of(django_assert_num_queries, user):
    def read():
        for project in selectors.projects_of(user):
            assert project.enterprise.name and project.town.name_zh and project.request_count == 0

    assert_constant(django_assert_num_queries, 1, _projects(user), read)
