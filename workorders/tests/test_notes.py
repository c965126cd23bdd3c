"""Internal notes and the lead unit's one answer (issue 18, point 5): who may note, on what; a
co-handler's reply is its conclusion to the lead and the center, the lead's is the enterprise's answer."""
import pytest

from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from notifications.models import Notification, OutboundEmail
from projects.tests.factories import LeaderFactory, StaffFactory, UserFactory
from workorders import selectors
from workorders.exceptions import WorkOrderError
from workorders.models import Assignment, RequestEvent
from workorders.services import (
    add_internal_note,
    ask_reroute,
    complete_assignment,
    reply_to_assignment,
    triage_and_issue,
)
from workorders.tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    """Lead JT and co-handler JW on one work order; ZD is on none of it."""
    staff = StaffFactory(username="center-staff")
    jt, jw, zd = (DepartmentFactory(short_code=code) for code in ("JT", "JW", "ZD"))
    people = {
        "officer_jt": OfficerFactory(department=jt, display_name="交通委经办人").user,
        "head_jt": HeadFactory(department=jt).user,
        "officer_jw": OfficerFactory(department=jw, display_name="建管委经办人").user,
        "officer_zd": OfficerFactory(department=zd).user,
        "contact": UserFactory(username="contact"),
        "leader": LeaderFactory(),
        "staff": staff,
    }
    request = ServiceRequestFactory()
    request.enterprise.users.add(people["contact"])
    work_order = triage_and_issue(actor=staff, request=request, lead_department=jt, co_departments=[jw], problem="道路")
    by_code = {a.department.short_code: a for a in work_order.assignments.select_related("department")}
    return dict(request=request, people=people, lead=by_code["JT"], co=by_code["JW"], jt=jt, jw=jw)


def _enterprise_heard(case, text: str) -> bool:
    """Whether ``text`` reached the enterprise: an in-app notice to its accounts, or a queued e-mail
    to them or its contact address."""
    contact = case["people"]["contact"]
    addresses = [contact.email, case["request"].enterprise.contact_email]
    return (Notification.objects.filter(recipient=contact, body__contains=text).exists()
            or OutboundEmail.objects.filter(to__in=addresses, body__contains=text).exists())


@pytest.mark.parametrize("author,unit", [
    ("officer_jt", "JT"),   # the assignment's own department
    ("head_jt", "JT"),
    ("officer_jw", "JW"),   # another department on the work order notes on the lead's assignment
    ("staff", None),        # the center
])
def test_the_work_orders_departments_and_the_center_note(case, author, unit):
    note = add_internal_note(actor=case["people"][author], assignment=case["lead"], text="  地铁公司下周回复。 ")
    assert (note.kind, note.public, note.text, note.assignment_id) == (RequestEvent.Kind.NOTE, False, "地铁公司下周回复。",
                                                                      case["lead"].pk)
    assert (note.department.short_code if note.department else None) == unit
    assert note.created_by == case["people"][author]
    assert not _enterprise_heard(case, "地铁公司")


@pytest.mark.parametrize("stranger", ["officer_zd", "contact", "leader"])
def test_anyone_else_is_refused(case, stranger):
    with pytest.raises(WorkOrderError) as raised:
        add_internal_note(actor=case["people"][stranger], assignment=case["lead"], text="x")
    assert raised.value.code == "forbidden"
    assert not RequestEvent.objects.filter(kind=RequestEvent.Kind.NOTE).exists()


def test_an_empty_note_is_refused_beside_the_field(case):
    with pytest.raises(WorkOrderError) as raised:
        add_internal_note(actor=case["people"]["officer_jt"], assignment=case["lead"], text=" \n ")
    assert (raised.value.code, raised.value.field) == ("empty", "text")
    assert not RequestEvent.objects.filter(kind=RequestEvent.Kind.NOTE).exists()


def test_departments_note_on_open_work_staff_also_on_finished_nobody_on_withdrawn(case):
    officer, staff = case["people"]["officer_jt"], case["people"]["staff"]
    Assignment.objects.filter(pk=case["lead"].pk).update(status=Assignment.Status.DONE)
    with pytest.raises(WorkOrderError) as raised:
        add_internal_note(actor=officer, assignment=case["lead"], text="办结后补充")
    assert raised.value.code == "wrong_status"
    assert add_internal_note(actor=staff, assignment=case["lead"], text="办结审核：材料齐全").public is False
    Assignment.objects.filter(pk=case["lead"].pk).update(status=Assignment.Status.WITHDRAWN)
    with pytest.raises(WorkOrderError):
        add_internal_note(actor=staff, assignment=case["lead"], text="已改派")
    assert RequestEvent.objects.filter(kind=RequestEvent.Kind.NOTE).count() == 1


def test_a_co_handlers_reply_is_its_conclusion_to_the_lead_and_the_center(case, django_capture_on_commit_callbacks):
    people = case["people"]
    with django_capture_on_commit_callbacks(execute=True):
        reply_to_assignment(actor=people["officer_jw"], assignment=case["co"], text="同意按临时出入口方案容缺验收。")
    case["co"].refresh_from_db()
    assert case["co"].reply == "同意按临时出入口方案容缺验收。" and case["co"].status == Assignment.Status.IN_PROGRESS
    event = case["request"].events.get(kind=RequestEvent.Kind.CONCLUSION)
    assert (event.public, event.department, event.assignment_id) == (False, case["jw"], case["co"].pk)
    assert not case["request"].events.filter(kind=RequestEvent.Kind.REPLIED).exists()
    assert not _enterprise_heard(case, "临时出入口")
    for told in ("officer_jt", "head_jt", "staff"):
        assert Notification.objects.filter(recipient=people[told], body__contains="临时出入口").exists(), told
    assert not Notification.objects.filter(recipient=people["officer_jw"], body__contains="临时出入口").exists()


def test_the_leads_reply_is_the_answer_the_enterprise_receives(case):
    reply_to_assignment(actor=case["people"]["officer_jt"], assignment=case["lead"], text="金绍路年内通车，可设临时出入口。")
    event = case["request"].events.get(kind=RequestEvent.Kind.REPLIED)
    assert event.public is True and event.department == case["jt"]
    assert _enterprise_heard(case, "金绍路年内通车")
    assert not case["request"].events.filter(kind=RequestEvent.Kind.CONCLUSION).exists()


def test_a_co_handlers_final_text_is_a_conclusion_and_its_done_step_carries_no_text(case):
    complete_assignment(actor=case["people"]["officer_jw"], assignment=case["co"], text="验收意见：同意。")
    done = case["request"].events.get(kind=RequestEvent.Kind.DONE)
    assert done.public is True and done.text == ""
    assert case["request"].events.get(kind=RequestEvent.Kind.CONCLUSION).text == "验收意见：同意。"
    assert not _enterprise_heard(case, "验收意见")
    complete_assignment(actor=case["people"]["officer_jt"], assignment=case["lead"], text="已协调完毕。")
    assert case["request"].events.get(kind=RequestEvent.Kind.DONE, department=case["jt"]).text == "已协调完毕。"


def test_the_thread_and_the_conclusions_as_the_pages_read_them(case, django_assert_num_queries):
    people = case["people"]
    add_internal_note(actor=people["officer_jt"], assignment=case["lead"], text="第一条")
    add_internal_note(actor=people["staff"], assignment=case["co"], text="第二条")
    reply_to_assignment(actor=people["officer_jw"], assignment=case["co"], text="协办意见")
    with django_assert_num_queries(3):
        notes = selectors.notes_thread(case["request"])
    assert [(n.text, n.author_name) for n in notes] == [("第一条", "交通委经办人"), ("第二条", "center-staff")]
    conclusions = selectors.co_handlers_conclusions(case["lead"])
    assert [(c.department, c.reply, c.officer_name) for c in conclusions] == [(case["jw"], "协办意见", "建管委经办人")]
    assert selectors.co_handlers_conclusions(case["co"]) == []


def test_each_desk_reads_the_notes_and_its_own_steps_and_only_the_lead_reads_the_conclusions():
    staff = StaffFactory()
    jt, jw, gh = (DepartmentFactory(short_code=code) for code in ("JT", "JW", "GH"))
    officers = {d.short_code: OfficerFactory(department=d).user for d in (jt, jw, gh)}
    request = ServiceRequestFactory()
    work_order = triage_and_issue(actor=staff, request=request, lead_department=jt, co_departments=[jw, gh],
                                  problem="地铁保护区")
    mine = {a.department.short_code: a for a in work_order.assignments.select_related("department")}
    reply_to_assignment(actor=officers["JW"], assignment=mine["JW"], text="建管委意见：同意围挡方案")
    reply_to_assignment(actor=officers["GH"], assignment=mine["GH"], text="规划局意见：需补充红线图")
    add_internal_note(actor=officers["GH"], assignment=mine["GH"], text="内部备注：周一会商")
    ask_reroute(actor=officers["GH"], assignment=mine["GH"], reason_category="not_competent", text="规划局退单理由")

    def read_by(code):
        return " ".join(e.text for e in selectors.timeline(request, for_assignment=mine[code]))

    lead, jw_desk, gh_desk = read_by("JT"), read_by("JW"), read_by("GH")
    assert "建管委意见" in lead and "规划局意见" in lead and "内部备注" in lead
    assert "规划局退单理由" not in lead  # another department's request to the center
    assert "建管委意见" in jw_desk and "规划局意见" not in jw_desk and "规划局退单理由" not in jw_desk
    assert "内部备注" in jw_desk  # notes are for every department on the work order
    assert "规划局意见" in gh_desk and "规划局退单理由" in gh_desk and "建管委意见" not in gh_desk
    everything = " ".join(e.text for e in selectors.timeline(request, include_internal=True))  # the center
    assert all(text in everything for text in ("建管委意见", "规划局意见", "内部备注", "规划局退单理由"))
