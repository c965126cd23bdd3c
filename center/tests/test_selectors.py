"""Each selector of the center's contexts reads in a fixed number of queries, however many rows it
returns: made with 2 rows, counted; 5 more made, counted again, the same figure (issue 16, part 7).

Each reading touches what its page shows (related rows included).
"""
import datetime
import itertools

import pytest
from django.utils import timezone

from center.dashboards import selectors as dashboards
from center.dashboards.figures import add_months, month_start
from center.health import selectors as health
from center.mechanisms import selectors as mechanisms
from center.models import AgendaItem, DepartmentMonth, Mechanism
from center.office_hours import selectors as office_hours
from center.tests.factories import (
    AgendaItemFactory,
    MechanismFactory,
    OfficeHoursSessionFactory,
    WorkerHeartbeatFactory,
)
from departments.tests.factories import DepartmentFactory, OfficerFactory
from projects.tests.factories import InvestmentProjectFactory, StaffFactory, TownFactory
from tests.queries import assert_constant
from workdays.calendar import local_date
from workorders import selectors as workorder_selectors
from workorders.models import Assignment, WorkOrder
from workorders.tests.factories import (
    AssignmentFactory,
    ModelCaseFactory,
    ProblemTagFactory,
    ServiceRequestFactory,
)

pytestmark = pytest.mark.django_db
S = Assignment.SlaState


@pytest.fixture
def staff():
    return StaffFactory()


_weeks = itertools.count(1)


def _sessions(*, ahead: bool):
    """``n`` sessions a week apart, after today or before it, each with two items."""
    def make(n):
        for _ in range(n):
            weeks = next(_weeks)
            day = local_date() + datetime.timedelta(weeks=weeks if ahead else -weeks)
            AgendaItemFactory.create_batch(2, session=OfficeHoursSessionFactory(date=day))
    return make


def _late(state, n):
    today = local_date()
    for _ in range(n):
        AssignmentFactory(department=DepartmentFactory(), status=Assignment.Status.IN_PROGRESS, sla_state=state,
                          issued_on=today - datetime.timedelta(days=40), due_date=today - datetime.timedelta(days=20),
                          work_order__request__project__town=TownFactory())


def test_health_report(django_assert_num_queries, settings):
    settings.CELERY_BROKER_URL = "memory://"  # no broker file of var/ is touched
    WorkerHeartbeatFactory()

    def read():
        assert health.health_report()["database"]["ok"]

    # SELECT 1, the heartbeat, the key ids the stamps were signed with
    assert_constant(django_assert_num_queries, 3,
                    lambda n: [WorkerHeartbeatFactory(name=f"other-{next(_weeks)}") for _ in range(n)], read)


def test_sessions_visible_to(django_assert_num_queries, staff):
    # is the user center staff, the sessions
    assert_constant(django_assert_num_queries, 2, _sessions(ahead=True),
                    lambda: len(list(office_hours.sessions_visible_to(staff))))


def test_agenda_items_visible_to(django_assert_num_queries, staff):
    # may the user see office hours (staff), are removed items shown (staff), the items
    assert_constant(django_assert_num_queries, 3, _sessions(ahead=True),
                    lambda: len(list(office_hours.agenda_items_visible_to(staff))))


def test_upcoming_sessions(django_assert_num_queries, staff):
    def read():
        assert all(session.item_count == 2 for session in office_hours.upcoming_sessions(staff))

    assert_constant(django_assert_num_queries, 2, _sessions(ahead=True), read)


def test_past_sessions(django_assert_num_queries, staff):
    def read():
        assert all(session.item_count == 2 for session in office_hours.past_sessions(staff))

    assert_constant(django_assert_num_queries, 2, _sessions(ahead=False), read)


def test_agenda_by_department(django_assert_num_queries, staff):
    session = OfficeHoursSessionFactory(date=local_date() + datetime.timedelta(days=3))

    def make(n):
        for _ in range(n):
            assignment = AssignmentFactory()
            AgendaItemFactory(session=session, department=assignment.department, work_order=assignment.work_order,
                              assignment=assignment, project=assignment.work_order.request.project,
                              kind=AgendaItem.Kind.OVERDUE)
        AgendaItemFactory(session=session, department=None, work_order=None, kind=AgendaItem.Kind.OTHER)

    def read():
        for department, items in office_hours.agenda_by_department(staff, session):
            for item in items:
                if department is not None:
                    assert item.department.name_zh and item.assignment.department.name_zh
                    assert item.work_order.request.enterprise.name and item.project.name

    # may the user see office hours, are removed items shown, the items with their rows
    assert_constant(django_assert_num_queries, 3, make, read)


def test_own_assignments_by_work_order(django_assert_num_queries):
    officer = OfficerFactory()
    work_orders = []

    def make(n):
        work_orders.extend(AssignmentFactory(department=officer.department).work_order_id for _ in range(n))

    def read():
        assert len(workorder_selectors.own_assignments_by_work_order(officer.user, work_orders)) == len(work_orders)

    assert_constant(django_assert_num_queries, 2, make, read)  # the user's departments, the assignments


def test_mechanism_candidates(django_assert_num_queries):
    town = TownFactory()

    def make(n):
        for _ in range(n):
            tag = ProblemTagFactory()
            ModelCaseFactory(work_order__status=WorkOrder.Status.RESOLVED,
                             work_order__request__project__town=town).tags.add(tag)
            MechanismFactory(status=Mechanism.Status.PUBLISHED).tags.add(tag)

    def read():
        assert all(row["seen"] == 1 for row in mechanisms.mechanism_candidates(count=1))

    assert_constant(django_assert_num_queries, 2, make, read)  # the counts, the mechanisms


def test_published_mechanisms(django_assert_num_queries):
    def make(n):
        for _ in range(n):
            mechanism = MechanismFactory(status=Mechanism.Status.PUBLISHED)
            mechanism.tags.add(ProblemTagFactory())
            mechanism.towns.add(TownFactory())

    def read():
        for mechanism in mechanisms.published_mechanisms():
            assert len(mechanism.tags.all()) == len(mechanism.towns.all()) == 1

    assert_constant(django_assert_num_queries, 3, make, read)  # the mechanisms, their tags, their towns


def test_projects_by_town(django_assert_num_queries):
    assert_constant(django_assert_num_queries, 1, lambda n: InvestmentProjectFactory.create_batch(n),
                    lambda: len(dashboards.projects_by_town()))


def test_late_work_by_department(django_assert_num_queries):
    def read():
        assert all(row["late"] == 1 for row in dashboards.late_work_by_department())

    # the counts, the departments' names
    assert_constant(django_assert_num_queries, 2, lambda n: _late(S.OVERDUE, n), read)


def test_escalated_items(django_assert_num_queries):
    def read():
        for item in dashboards.escalated_items():
            request = item.work_order.request
            assert item.department.name_zh and request.enterprise.name and request.project.town.name_zh
            assert item.working_days_overdue > 0

    # the items with their rows, the calendar's overrides (one snapshot)
    assert_constant(django_assert_num_queries, 2, lambda n: _late(S.ESCALATED, n), read)


def test_escalated_count(django_assert_num_queries):
    assert_constant(django_assert_num_queries, 1, lambda n: _late(S.ESCALATED, n), dashboards.escalated_count)


def _department_months(month):
    def make(n):
        for _ in range(n):
            DepartmentMonth.objects.create(department=DepartmentFactory(), month=month, refreshed_at=timezone.now())
    return make


def test_department_months(django_assert_num_queries):
    month = month_start(local_date())
    DepartmentMonth.objects.create(department=None, month=month, refreshed_at=timezone.now())

    def read():
        departments, district = dashboards.department_months(month)
        assert district is not None and all(row.department.short_code for row in departments)

    assert_constant(django_assert_num_queries, 1, _department_months(month), read)


def test_district_trend(django_assert_num_queries):
    months = (add_months(month_start(local_date()), -k) for k in itertools.count())

    def make(n):
        for _ in range(n):
            DepartmentMonth.objects.create(department=None, month=next(months), refreshed_at=timezone.now())

    assert_constant(django_assert_num_queries, 1, make,
                    lambda: len(dashboards.district_trend(month_start(local_date()))))


def test_figures_refreshed_at(django_assert_num_queries):
    assert_constant(django_assert_num_queries, 1, _department_months(month_start(local_date())),
                    dashboards.figures_refreshed_at)


def test_incoming_requests(django_assert_num_queries):
    def read():
        assert dashboards.incoming_requests()["today"] >= 2

    assert_constant(django_assert_num_queries, 1, lambda n: ServiceRequestFactory.create_batch(n), read)


def test_this_weeks_session(django_assert_num_queries):
    session = OfficeHoursSessionFactory(date=local_date() + datetime.timedelta(days=2))

    def make(n):
        for _ in range(n):
            AgendaItemFactory(session=session, department=DepartmentFactory())

    # the session, its items counted per department
    assert_constant(django_assert_num_queries, 2, make, lambda: office_hours.this_weeks_session().total_items)
