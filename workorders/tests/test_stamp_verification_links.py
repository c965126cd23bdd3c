"""Security issue 17: a stamp records the membership that signed it (finding 2), and the public
verification page shows a stamp's details only with the token from its QR code (finding 6)."""
import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone, translation

from departments.models import Officer
from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from projects.tests.factories import StaffFactory, UserFactory
from workorders.exceptions import WorkOrderError
from workorders.models import Approval, Assignment
from workorders.selectors import verify_serial
from workorders.services import revoke_approval, stamp_assignment
from workorders.tests.factories import AssignmentFactory
from workorders.tests.tampering import triggers_dropped
from workorders.views.stamps import verification_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    department = DepartmentFactory(short_code="JJ", name_zh="区经济委员会", name_en="Commission of Economy")
    membership = OfficerFactory(department=department, display_name="经委经办人甲")
    head = HeadFactory(department=department, display_name="经委负责人乙")
    assignment = AssignmentFactory(department=department, status=Assignment.Status.IN_PROGRESS)
    request = assignment.work_order.request
    request.enterprise.name = "上海保密科技有限公司"
    request.enterprise.save()
    request.project.name = "保密园区项目"
    request.project.save()
    return dict(department=department, membership=membership, officer=membership.user, head=head.user,
                assignment=assignment, request=request)


def _conditional(desk):
    return stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="conditional",
                            conditions="竣工前建成临时出入口", opinion="同意并附条件",
                            commitment_due_date=timezone.localdate() + datetime.timedelta(days=30))


def _card(response) -> str:
    """The verification card of the page (the rest of the page is the site's frame)."""
    return re.search(r'<div class="card verify.*?</div>', response.content.decode(), re.S).group(0)


def _path(approval) -> str:
    """The path of the link in the stamp's QR code."""
    return verification_url(approval).removeprefix(settings.CENTER_PUBLIC_BASE_URL.rstrip("/"))


# --- Finding 2: the stamp records the membership that allowed it --------------------------------

def test_a_stamp_records_the_membership_that_allowed_it_and_its_role_is_shown(desk):
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    assert Approval.objects.get(pk=approval.pk).membership == desk["membership"]
    assert approval.officer_display_name == "经委经办人甲"
    by_head = stamp_assignment(actor=desk["head"], assignment=AssignmentFactory(
        department=desk["department"], status=Assignment.Status.IN_PROGRESS), decision="declined")
    assert by_head.membership.role == Officer.Role.HEAD
    client = Client()
    client.force_login(desk["head"])
    page = client.get(f"/approvals/{by_head.serial}/").content.decode()
    with translation.override(settings.LANGUAGE_CODE):
        assert f"经委负责人乙 · {Officer.Role.HEAD.label}" in page


@pytest.mark.parametrize("who", ["center_staff", "superuser", "inactive_member", "member_of_another_department",
                                 "member_of_an_inactive_department"])
def test_no_active_membership_of_the_department_no_stamp(desk, who):
    if who == "center_staff":
        actor = StaffFactory()
    elif who == "superuser":
        actor = UserFactory(is_superuser=True, is_staff=True)
    elif who == "inactive_member":
        actor = OfficerFactory(department=desk["department"], is_active=False).user
    elif who == "member_of_another_department":
        actor = HeadFactory().user
    else:
        actor = desk["officer"]
        desk["department"].is_active = False
        desk["department"].save()
    with pytest.raises(WorkOrderError) as error:
        stamp_assignment(actor=actor, assignment=desk["assignment"], decision="approved")
    assert error.value.code == "forbidden"
    assert not Approval.objects.exists()


def test_a_membership_that_signed_cannot_be_deleted(desk):
    from django.db.models import ProtectedError

    stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    with pytest.raises(ProtectedError):
        desk["membership"].delete()


# --- Finding 6: no enumeration of the verification page ----------------------------------------

def _secrets(desk, approval) -> list[str]:
    return [desk["request"].enterprise.name, desk["request"].project.name, desk["request"].tracking_number,
            approval.officer_display_name, approval.conditions, approval.opinion, approval.get_decision_display()]


def test_guessing_serials_without_the_token_shows_only_status_and_department(desk):
    approval = _conditional(desk)
    year = timezone.localtime(approval.stamped_at).year
    client = Client()
    for number in range(1, 6):  # the attack: walk the sequential serials
        response = client.get(f"/verify/JJ-{year}-{number:06d}/")
        card = _card(response)
        for secret in _secrets(desk, approval):
            assert secret not in card
        if number == 1:
            assert response.status_code == 200 and "verify-genuine" in card and "区经济委员会" in card
        else:
            assert response.status_code == 404 and "verify-unknown" in card
    assert verify_serial(approval.serial).keys() == {"status", "serial", "department", "details"}


def test_the_link_in_the_qr_code_shows_the_details(desk):
    approval = _conditional(desk)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", approval.verification_token)
    response = Client().get(_path(approval))
    card = _card(response)
    assert response.status_code == 200 and "verify-genuine" in card
    for secret in _secrets(desk, approval):
        if secret != approval.opinion:  # the page never showed the opinion
            assert secret in card


def test_a_wrong_token_shows_no_more_than_none(desk):
    approval = _conditional(desk)
    other = stamp_assignment(actor=desk["officer"], assignment=AssignmentFactory(
        department=desk["department"], status=Assignment.Status.IN_PROGRESS), decision="approved")
    client = Client()
    without = _card(client.get(f"/verify/{approval.serial}/"))
    for wrong in ["x", approval.verification_token[:-1], approval.verification_token + "A",
                  approval.verification_token.swapcase(), other.verification_token, "A" * 300]:
        response = client.get(f"/verify/{approval.serial}/{wrong}/")
        assert response.status_code == 200 and _card(response) == without
    assert verify_serial(approval.serial, token="") == verify_serial(approval.serial, token=other.verification_token)


def test_revoked_tampered_and_unknown_are_still_told(desk):
    approval = _conditional(desk)
    revoke_approval(actor=desk["head"], approval=approval, reason="依据变更")
    approval.refresh_from_db()
    client = Client()
    bare = _card(client.get(f"/verify/{approval.serial}/"))
    assert "verify-revoked" in bare and "区经济委员会" in bare and "依据变更" not in bare
    full = _card(client.get(_path(approval)))
    assert "verify-revoked" in full and "依据变更" in full and desk["request"].tracking_number in full
    with triggers_dropped("workorders_approval"), connection.cursor() as cursor:
        cursor.execute("UPDATE workorders_approval SET conditions = %s WHERE id = %s", ["改过", approval.pk])
    for path in (f"/verify/{approval.serial}/", _path(approval)):
        card = _card(client.get(path))
        assert "verify-tampered" in card and desk["request"].tracking_number not in card
    assert client.get(f"/verify/JJ-1999-000009/{approval.verification_token}/").status_code == 404


def test_the_rate_limit_counts_links_with_a_token_too(desk, settings):
    approval = _conditional(desk)
    settings.CENTER_VERIFY_RATE_PER_MINUTE = 3
    client = Client()
    statuses = [client.get(_path(approval)).status_code for _ in range(3)]
    statuses += [client.get(f"/verify/{approval.serial}/x{n}/").status_code for n in range(2)]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db(transaction=True)
def test_a_stamp_made_before_the_migration_gets_a_token_and_its_membership_and_keeps_its_signature():
    department = DepartmentFactory(short_code="TC", name_zh="区投资促进办公室")
    membership = OfficerFactory(department=department, display_name="投促办经办人")
    assignment = AssignmentFactory(department=department, status=Assignment.Status.IN_PROGRESS)
    approval = stamp_assignment(actor=membership.user, assignment=assignment, decision="approved")
    signed, token = approval.signature, approval.verification_token
    executor = MigrationExecutor(connection)
    executor.migrate([("workorders", "0011_assignment_states_due_date_event")])  # before the token existed
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, "workorders_approval")]
    assert "verification_token" not in columns and "membership_id" not in columns
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    old = Approval.objects.get(pk=approval.pk)
    assert old.signature == signed and old.membership_id == membership.pk
    assert old.verification_token and old.verification_token != token
    assert verify_serial(old.serial)["status"] == "genuine"
    assert verify_serial(old.serial, token=old.verification_token)["details"] is True
    assert verify_serial(old.serial, token=token)["details"] is False
    assert Client().get(_path(old)).status_code == 200
