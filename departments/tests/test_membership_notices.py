"""Every membership change is in its history (with the actor) and told to the department's active
heads, except the actor, in the app and by e-mail through the outbox, each in their own language."""
import pytest
from django.core import mail

from core.errors import DomainError
from departments.models import Officer
from departments.services import add_membership, change_membership
from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from notifications.models import Notification, OutboundEmail, Preference
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def jt(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    department = DepartmentFactory(short_code="JT", name_zh="区交通委", name_en="Transportation Commission")
    head = HeadFactory(department=department, display_name="李主任", user=UserFactory(username="head_jt"))
    english_head = HeadFactory(department=department, display_name="Ms Wu", user=UserFactory(username="head_wu"))
    Preference.objects.create(user=english_head.user, language="en")
    HeadFactory(department=department, is_active=False)  # a former head is not told
    HeadFactory(user=UserFactory(username="head_jw"))  # nor another department's head
    officer = OfficerFactory(department=department, display_name="王经办", user=UserFactory(username="officer_jt"))
    return department, head, english_head, officer


def _mails():
    return {message.to[0]: message for message in mail.outbox}


def test_a_superuser_adding_an_officer_tells_every_active_head_in_their_language(
        jt, queued_emails, django_capture_on_commit_callbacks):
    department, head, english_head, _officer = jt
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        membership = add_membership(actor=root, user=UserFactory(username="new_one"), department=department,
                                    display_name="赵经办")
        assert not mail.outbox  # nothing leaves before the commit
    assert membership.history.get().history_user == root
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {head.user_id, english_head.user_id}
    sent = _mails()
    assert set(sent) == {head.user.email, english_head.user.email}
    chinese, english = sent[head.user.email], sent[english_head.user.email]
    assert "区交通委" in chinese.subject and "成员" in chinese.subject
    assert "root" in chinese.body and "赵经办 (new_one)" in chinese.body and "经办人" in chinese.body
    assert english.subject == "Membership change in Transportation Commission"
    assert english.body == (f"root added 赵经办 (new_one) to Transportation Commission as Officer.\n\n"
                            f"/desk/members/{department.pk}/")
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 2 and queued_emails


def test_a_head_changing_an_officer_tells_the_other_heads_who_changed_what(
        jt, queued_emails, django_capture_on_commit_callbacks):
    department, head, english_head, officer = jt
    with django_capture_on_commit_callbacks(execute=True):
        change_membership(actor=head.user, membership=officer, display_name="王科长", is_active=False)
    record = officer.history.order_by("-history_id").first()
    assert (record.history_user, record.display_name, record.is_active) == (head.user, "王科长", False)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [english_head.user_id]
    assert list(_mails()) == [english_head.user.email]  # not the head who made the change
    body = mail.outbox[0].body
    assert body.startswith("李主任 (head_jt) changed the membership of 王科长 (officer_jt) in Transportation Commission:")
    assert "- display name: 王经办 → 王科长" in body and "- active: yes → no" in body
    assert "/desk/members/" in body


def test_a_head_removed_by_a_superuser_is_told_too(jt, queued_emails, django_capture_on_commit_callbacks):
    department, head, english_head, _officer = jt
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        change_membership(actor=root, membership=head, role=Officer.Role.OFFICER)
    assert set(_mails()) == {head.user.email, english_head.user.email}
    assert "- role: Head → Officer" in _mails()[english_head.user.email].body
    assert "负责人" in _mails()[head.user.email].body


def test_no_change_and_a_refused_change_tell_nobody(jt, queued_emails, django_capture_on_commit_callbacks):
    department, head, _english_head, officer = jt
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        change_membership(actor=head.user, membership=officer, display_name=officer.display_name)
        with pytest.raises(DomainError):
            change_membership(actor=head.user, membership=officer, role=Officer.Role.HEAD)
        with pytest.raises(DomainError):
            add_membership(actor=head.user, user=officer.user, department=department, display_name="again")
    assert callbacks == [] and not Notification.objects.exists() and not OutboundEmail.objects.exists()
    assert officer.history.count() == 1
