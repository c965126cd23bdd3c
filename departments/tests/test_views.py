"""The heads' members page on the desk: wiring, deny by default, and bad input kept with its message.
(The status of every role on every members route is in tests/test_access_matrix.py.)"""
import pytest
from django.test import Client

from departments.models import Officer
from departments.tests.factories import HeadFactory
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user, *, language="zh-hans") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _membership(user) -> Officer:
    return user.officer_memberships.get()


def test_a_head_sees_the_department_s_members_in_chinese_first(world):
    head = _client(world.head_a)
    index = head.get("/desk/members/")
    assert index.status_code == 302 and index.url == f"/desk/members/{world.dept_a.pk}/"
    page = head.get(index.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "区交通委成员" in html and "添加经办人" in html
    rows = dict((m.user_id, changeable) for m, changeable in page.context["rows"])
    assert rows == {world.officer_a.pk: True, world.head_a.pk: False}  # no other department's members
    assert world.officer_b.username not in html
    assert f"/desk/members/{world.dept_a.pk}/{_membership(world.officer_a).pk}/" in html
    assert f"/desk/members/{world.dept_a.pk}/{_membership(world.head_a).pk}/" not in html
    assert "Members of Transportation Commission" in _client(world.head_a, language="en").get(index.url).content.decode()
    assert 'href="/desk/members/"' in head.get("/desk/").content.decode()  # the desk links to it for heads
    assert 'href="/desk/members/"' not in _client(world.officer_a).get("/desk/").content.decode()


def test_a_head_with_two_departments_chooses_one(world):
    HeadFactory(department=world.dept_b, user=world.head_a)
    page = _client(world.head_a).get("/desk/members/")
    assert page.status_code == 200
    assert {d.pk for d in page.context["departments"]} == {world.dept_a.pk, world.dept_b.pk}


def test_a_head_adds_an_officer_and_only_an_officer(world):
    newcomer = UserFactory(username="newcomer")
    response = _client(world.head_a).post(f"/desk/members/{world.dept_a.pk}/add/", {
        "add-user": " newcomer ", "add-display_name": "新经办", "add-is_mobile_staff": "on", "add-role": "head"})
    assert response.status_code == 302 and response.url == f"/desk/members/{world.dept_a.pk}/"
    membership = Officer.objects.get(user=newcomer)
    assert (membership.department, membership.role, membership.display_name, membership.is_mobile_staff) == (
        world.dept_a, Officer.Role.OFFICER, "新经办", True)
    assert membership.history.get().history_user == world.head_a


@pytest.mark.parametrize("typed,message", [
    ({"add-user": "nobody-here", "add-display_name": "某人"}, "没有使用该用户名的有效账号"),
    ({"add-user": "staff", "add-display_name": "某人"}, "中心工作人员不能成为部门成员"),
    ({"add-user": "ent_a", "add-display_name": "某人"}, "企业账号不能成为部门成员"),
    ({"add-user": "officer_a", "add-display_name": "某人"}, "该用户已是本部门人员"),
    ({"add-user": "officer_b", "add-display_name": ""}, "该字段是必填项"),
])
def test_bad_input_is_answered_at_its_field_and_kept(world, typed, message):
    before = list(Officer.objects.order_by("pk").values())
    response = _client(world.head_a).post(f"/desk/members/{world.dept_a.pk}/add/", typed)
    assert response.status_code == 400
    form = response.context["add_form"]
    field = "display_name" if not typed["add-display_name"] else "user"
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert f'value="{typed["add-user"]}"' in html  # what was typed is still there
    if typed["add-display_name"]:
        assert f'value="{typed["add-display_name"]}"' in html
    assert list(Officer.objects.order_by("pk").values()) == before


def test_a_head_changes_and_deactivates_an_officer(world):
    membership = _membership(world.officer_a)
    head = _client(world.head_a)
    url = f"/desk/members/{world.dept_a.pk}/{membership.pk}/"
    page = head.get(url)
    assert page.status_code == 200 and "变更成员资格" in page.content.decode()
    response = head.post(url, {f"m{membership.pk}-display_name": "王科长", f"m{membership.pk}-is_active": "on",
                               f"m{membership.pk}-is_mobile_staff": "on", f"m{membership.pk}-role": "head"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.display_name, membership.is_mobile_staff, membership.role) == ("王科长", True, Officer.Role.OFFICER)
    history = head.get(url).content.decode()
    assert "head_a" in history  # the history names who changed it
    assert head.post(url + "deactivate/").status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    assert head.get("/desk/").status_code == 200
    assert _client(world.officer_a).get("/desk/").status_code == 403  # the deactivated officer's desk is closed


def test_an_empty_display_name_is_answered_at_its_field_and_the_rest_kept(world):
    membership = _membership(world.officer_a)
    url = f"/desk/members/{world.dept_a.pk}/{membership.pk}/"
    response = _client(world.head_a).post(url, {f"m{membership.pk}-display_name": "  ",
                                                 f"m{membership.pk}-is_mobile_staff": "on"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["display_name"] and form["is_mobile_staff"].value() is True
    membership.refresh_from_db()
    assert membership.is_active and not membership.is_mobile_staff


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "staff", "user_a", "leader", "staff_head", "other_head"])
def test_nobody_else_reaches_the_page_by_guessed_urls(world, who):
    if who == "staff_head":  # a head's membership made for a member of staff before the rule
        actor = UserFactory(is_staff=True)
        HeadFactory(department=world.dept_a, user=actor)
    elif who == "other_head":
        actor = HeadFactory(department=world.dept_b).user
    else:
        actor = getattr(world, who)
    client = _client(actor)
    a, b = world.dept_a.pk, world.dept_b.pk
    officer_a, officer_b = _membership(world.officer_a).pk, _membership(world.officer_b).pk
    before = list(Officer.objects.order_by("pk").values())
    expected = 404 if who == "other_head" else 403
    for url in [f"/desk/members/{a}/", f"/desk/members/{a}/{officer_a}/"]:
        assert client.get(url).status_code == expected, url
    for url in [f"/desk/members/{a}/add/", f"/desk/members/{a}/{officer_a}/", f"/desk/members/{a}/{officer_a}/deactivate/"]:
        assert client.post(url, {"add-user": "newcomer", "add-display_name": "x",
                                 f"m{officer_a}-display_name": "x"}).status_code == expected, url
    if who == "other_head":
        # Their own department's page does not reach department A's members through its ids.
        assert client.get(f"/desk/members/{b}/{officer_a}/").status_code == 404
        assert client.post(f"/desk/members/{b}/{officer_a}/deactivate/").status_code == 404
        assert client.get(f"/desk/members/{b}/{officer_b}/").status_code == 200
    else:
        assert client.get("/desk/members/").status_code == 403
    assert list(Officer.objects.order_by("pk").values()) == before


def test_a_head_cannot_change_a_head_or_themself(world):
    other_head = HeadFactory(department=world.dept_a)
    client = _client(world.head_a)
    before = list(Officer.objects.order_by("pk").values())
    for membership in (_membership(world.head_a), other_head):
        url = f"/desk/members/{world.dept_a.pk}/{membership.pk}/"
        assert client.get(url).status_code == 403
        assert client.post(url, {f"m{membership.pk}-display_name": "x"}).status_code == 403
        assert client.post(url + "deactivate/").status_code == 403
    assert list(Officer.objects.order_by("pk").values()) == before


def test_a_post_without_its_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.head_a)
    response = client.post(f"/desk/members/{world.dept_a.pk}/add/", {"add-user": "officer_b", "add-display_name": "x"})
    assert response.status_code == 403
    assert not Officer.objects.filter(user=world.officer_b, department=world.dept_a).exists()
