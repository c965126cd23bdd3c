"""Demo data from the seeds' cases (``manage.py load_demo``).

Idempotent: every row is found by its natural key (username, credit code, short code, town
name, tracking number, session date, tag slug, title) and left alone when it exists, so a second
run writes nothing, history included. Open work is dated relative to the day of the first load
so that the demo shows every SLA state; the LETS case keeps its historical dates.
"""
from __future__ import annotations

import datetime
import random
import uuid
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from center.dashboards.figures import all_months, refresh_figures
from center.models import Consultation, Mechanism, OfficeHoursSession
from core import roles
from departments.models import Department, Officer
from departments.services import add_membership
from projects.models import Enterprise, InvestmentProject, Town
from projects.validators import credit_code_check_character
from workdays.calendar import get_calendar, local_date
from workorders import signing
from workorders.models import (
    Approval,
    Assignment,
    ClockPause,
    Commitment,
    DepartmentAsk,
    ModelCase,
    ProblemTag,
    ServiceRequest,
    SlaTransition,
    StampCounter,
    WorkOrder,
)
from workorders.services.stamps import approval_payload
from workorders.services import issue_work_order, pause_assignment, sla_state_for
from workorders.similarity import rebuild_index

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "demo-pass-2026"

# (short code, Chinese name, English name, kind, permanent office-hours member)
DEPARTMENTS = [
    ("JT", "宝山区交通委员会", "Baoshan District Transportation Commission", "district", True),
    ("JW", "宝山区建设和管理委员会", "Baoshan District Commission of Housing and Urban-Rural Development", "district", True),
    ("JJ", "宝山区经济委员会", "Baoshan District Commission of Economy", "district", True),
    ("TC", "宝山区投资促进办公室", "Baoshan District Investment Promotion Office", "district", True),
    ("ZD", "宝山区重大项目办公室", "Baoshan District Major Projects Office", "district", True),
    ("KW", "宝山区科学技术委员会", "Baoshan District Science and Technology Innovation Commission", "district", True),
    ("YS", "宝山区建设工程竣工验收中心", "Baoshan District Construction Affairs Acceptance Center", "district", True),
    ("GH", "宝山区规划和自然资源局", "Baoshan District Planning and Natural Resources Bureau", "district", True),
    ("FG", "宝山区发展和改革委员会", "Baoshan Development and Reform Commission", "district", True),
    ("FJ", "宝山区住房保障和房屋管理局", "Baoshan Bureau of Housing Security and Management", "district", False),
    ("XF", "宝山区消防救援支队", "Baoshan District Fire and Rescue Detachment", "district", False),
    ("GJ", "宝山区高境镇人民政府", "Gaojing Town Government", "town", False),
    ("ST", "上海申通地铁集团有限公司", "Shentong Metro Group", "outside", False),
]

# (Chinese name, English name, kind)
TOWNS = [
    ("高境镇", "Gaojing Town", "town"),
    ("罗店镇", "Luodian Town", "town"),
    ("顾村镇", "Gucun Town", "town"),
    ("杨行镇", "Yanghang Town", "town"),
    ("大场镇", "Dachang Town", "town"),
    ("淞南镇", "Songnan Town", "town"),
    ("月浦镇", "Yuepu Town", "town"),
    ("罗泾镇", "Luojing Town", "town"),
    ("庙行镇", "Miaohang Town", "town"),
    ("友谊路街道", "Youyi Road Street", "street"),
    ("吴淞街道", "Wusong Street", "street"),
    ("张庙街道", "Zhangmiao Street", "street"),
    ("宝山城市工业园区", "Baoshan Urban Industrial Park", "park"),
]

TAGS = [
    ("unopened-road", "道路未开通", "Unopened road"),
    ("fire-safety-entrances", "消防出入口", "Fire-safety entrances"),
    ("completion-inspection", "竣工验收", "Completion inspection"),
    ("metro-overlap", "地铁交叉", "Metro overlap"),
    ("land-use", "土地利用", "Land use"),
]

# (username, role group, department short code or None, officer role, enterprise key or None, where)
USERS = [
    ("admin", None, None, None, None, "/admin/"),
    ("staff", roles.CENTER_STAFF, None, None, None, "/admin/"),
    ("officer_jt", roles.OFFICER, "JT", Officer.Role.OFFICER, None, "/desk/"),
    ("head_jt", roles.HEAD, "JT", Officer.Role.HEAD, None, "/desk/"),
    ("officer_jw", roles.OFFICER, "JW", Officer.Role.OFFICER, None, "/desk/"),
    ("officer_jj", roles.OFFICER, "JJ", Officer.Role.OFFICER, None, "/desk/"),
    ("officer_tc", roles.OFFICER, "TC", Officer.Role.OFFICER, None, "/desk/"),
    ("leader", roles.LEADER, None, None, None, "/leader/"),
    ("lets", roles.ENTERPRISE, None, None, "lets", "/"),
    ("minhong", roles.ENTERPRISE, None, None, "minhong", "/"),
    ("tiancheng", roles.ENTERPRISE, None, None, "tiancheng", "/"),
]
DISPLAY_NAMES = {"officer_jt": "交通委 王经办", "head_jt": "交通委 李主任", "officer_jw": "建管委 陈经办",
                 "officer_jj": "经委 周经办", "officer_tc": "投促办 吴经办"}


def _credit_code(body17: str) -> str:
    return body17 + credit_code_check_character(body17)


ENTERPRISES = {
    "lets": dict(name="上海力智科技园发展有限公司", credit_code=_credit_code("91310113MA1GLE7T0"),
                 contact_name="张世泽", contact_mobile="13900001111", contact_email="lets@example.com"),
    "minhong": dict(name="上海敏弘智慧方舟科技发展有限公司", credit_code=_credit_code("91310113MA1GMH0F2"),
                    contact_name="刘敏", contact_mobile="13900002222", contact_email="minhong@example.com"),
    "tiancheng": dict(name="上海高境天成置业有限公司", credit_code=_credit_code("91310113MA1GTC019"),
                      contact_name="赵天成", contact_mobile="13900003333", contact_email="tiancheng@example.com"),
}


def _at(year, month, day, hour=10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def _save(obj, actor):
    obj._history_user = actor
    obj.save()
    return obj


def _get_or_create(model, actor, lookup: dict, defaults: dict):
    """Like ``get_or_create`` but names the actor in the history row of a new object."""
    existing = model.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    return _save(model(**lookup, **defaults), actor), True


def _users(admin) -> dict:
    User = get_user_model()
    users = {"admin": admin}
    for username, role, department_code, officer_role, enterprise_key, _where in USERS:
        if username == "admin":
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=f"{username}@example.com", is_staff=role == roles.CENTER_STAFF)
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users


def _officers(users, departments, admin):
    """The demo's memberships, made through the membership service as the superuser (so their history
    names the admin and the department's heads are told), each only once."""
    for username, _role, code, officer_role, _enterprise, _where in USERS:
        if code and not Officer.objects.filter(user=users[username], department=departments[code]).exists():
            add_membership(actor=admin, user=users[username], department=departments[code], role=officer_role,
                           display_name=DISPLAY_NAMES[username])


def _next_session_date(today: datetime.date) -> datetime.date:
    calendar = get_calendar()
    monday = today + datetime.timedelta(days=(7 - today.weekday()) % 7 or 7)
    return monday if calendar.is_working_day(monday) else calendar.add_working_days(monday, 1)


def load_demo() -> dict:
    """Create the demo rows (idempotent), build the similar-case index over them and compute the
    dashboards' monthly figures."""
    summary = _load_demo_rows()
    rebuild_index()
    refresh_figures(months=all_months())
    return summary


@transaction.atomic
def _load_demo_rows() -> dict:
    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser("admin", "admin@example.com", DEMO_PASSWORD)
    users = _users(admin)

    departments = {}
    for code, name_zh, name_en, kind, permanent in DEPARTMENTS:
        departments[code], _ = _get_or_create(
            Department, admin, {"short_code": code},
            {"name_zh": name_zh, "name_en": name_en, "kind": kind, "is_permanent_member": permanent,
             "seal_text": name_zh if name_zh.startswith("上海") else f"上海市{name_zh}"},
        )
    _officers(users, departments, admin)

    towns = {}
    for name_zh, name_en, kind in TOWNS:
        towns[name_zh], _ = _get_or_create(Town, admin, {"name_zh": name_zh}, {"name_en": name_en, "kind": kind})
    tags = {}
    for slug, name_zh, name_en in TAGS:
        tags[slug], _ = _get_or_create(ProblemTag, admin, {"slug": slug}, {"name_zh": name_zh, "name_en": name_en})

    enterprises = {}
    for key, fields in ENTERPRISES.items():
        enterprise, created = _get_or_create(Enterprise, admin, {"credit_code": fields["credit_code"]},
                                             {k: v for k, v in fields.items() if k != "credit_code"})
        if created:
            enterprise.users.add(users[key])
        enterprises[key] = enterprise

    projects = {
        "lets": _get_or_create(InvestmentProject, admin, {"enterprise": enterprises["lets"], "name": "上海力智科技园（力诺第二总部）"}, dict(
            town=towns["罗店镇"], address="宝山区金绍路（规划）两侧地块", industry="先进材料与建筑科技服务",
            total_investment=Decimal("680000000.00"), stage=InvestmentProject.Stage.IN_OPERATION,
            planned_completion_date=datetime.date(2024, 12, 31), current_completion_date=datetime.date(2025, 6, 30),
            is_key_project=True, difficulty=InvestmentProject.Difficulty.GREEN, lead_unit=departments["TC"]))[0],
        "minhong": _get_or_create(InvestmentProject, admin, {"enterprise": enterprises["minhong"], "name": "敏弘智慧方舟科技园"}, dict(
            town=towns["顾村镇"], address="宝山区天春路（规划）沿线地块", industry="科技园区",
            total_investment=Decimal("450000000.00"), stage=InvestmentProject.Stage.COMPLETION_INSPECTION,
            planned_completion_date=local_date() + datetime.timedelta(days=60),
            current_completion_date=local_date() + datetime.timedelta(days=60),
            is_key_project=True, difficulty=InvestmentProject.Difficulty.YELLOW, lead_unit=departments["KW"]))[0],
        "tiancheng": _get_or_create(InvestmentProject, admin, {"enterprise": enterprises["tiancheng"], "name": "高境天成商务办公项目"}, dict(
            town=towns["高境镇"], address="宝山区高境镇轨道交通19号线车站周边地块", industry="商务办公",
            total_investment=Decimal("1200000000.00"), stage=InvestmentProject.Stage.CONSTRUCTION_PERMIT,
            planned_completion_date=datetime.date(2028, 12, 31), current_completion_date=datetime.date(2028, 12, 31),
            is_key_project=True, difficulty=InvestmentProject.Difficulty.RED, lead_unit=departments["GJ"]))[0],
    }

    sessions = [_lets_case(admin, users, departments, tags, projects["lets"])]
    _minhong_request(users, projects["minhong"])
    _tiancheng_case(admin, users, departments, projects["tiancheng"])
    next_date = _next_session_date(local_date())
    session, created = _get_or_create(OfficeHoursSession, admin, {"date": next_date},
                                      {"venue": settings.CENTER_OFFICE_HOURS_VENUE})
    if created:
        session.departments.set([d for d in departments.values() if d.is_permanent_member])
    sessions.append(session)
    _mechanisms(admin, tags, towns)
    _history(admin, users, departments, towns)
    return {"users": [(u[0], u[1] or "superuser", u[5]) for u in USERS], "password": DEMO_PASSWORD}


def _lets_case(admin, users, departments, tags, project):
    """The six-month extension: work order to JT and JW, stamps by JJ and TC at Monday office hours."""
    session, created = _get_or_create(OfficeHoursSession, admin, {"date": datetime.date(2025, 1, 13)}, {
        "venue": settings.CENTER_OFFICE_HOURS_VENUE, "status": OfficeHoursSession.Status.HELD})
    if created:
        session.departments.set([d for d in departments.values() if d.is_permanent_member])
    tracking = "BS2025010600001"
    if ServiceRequest.objects.filter(tracking_number=tracking).exists():
        return session
    request = _save(ServiceRequest(
        tracking_number=tracking, enterprise=project.enterprise, project=project, kind=ServiceRequest.Kind.EXTENSION,
        title="力智科技园项目竣工期限延期六个月", submitted_by=users["lets"],
        description=("项目原定2024年12月竣工，主体工程已完成90%。地块位于河道两侧，原设计主出入口在金绍路，"
                     "该路尚未开通，无法满足消防两个出入口的要求，影响竣工验收和投产。申请延期六个月，避免违反投资协议。\n"
                     "The project was due for completion in December 2024 and is 90% built. Jinshao Road, where the main "
                     "entrance was designed, is not open, so the fire-safety rule of two entrances cannot be met and the "
                     "completion inspection is held up. We ask for a six-month extension."),
        requested_completion_date=datetime.date(2025, 6, 30)), admin)
    ServiceRequest.objects.filter(pk=request.pk).update(submitted_at=_at(2025, 1, 6, 9))
    work_order = issue_work_order(
        actor=users["staff"], request=request, lead_department=departments["JT"],
        co_departments=[departments["JW"], departments["JJ"], departments["TC"]],
        problem="金绍路未开通导致消防出入口不足，竣工验收受阻；企业申请延期六个月。",
        proposed_approach="交通委明确金绍路建设计划并提出替代路线及临时出入口方案；建管委按临时出入口方案容缺验收；经委、投促办在集中办公日盖章同意延期。",
        at=_at(2025, 1, 6, 14))
    replies = {
        "JT": "金绍路计划2025年内建成通车；可利用现有道路设置临时出入口作为替代路线。",
        "JW": "同意以企业提出的临时出入口方案，按承诺制办理竣工验收。",
        "JJ": "同意项目竣工期限延期至2025年6月30日。",
        "TC": "同意延期，投资协议相应顺延。",
    }
    for assignment in work_order.assignments.select_related("department"):
        assignment.reply = replies[assignment.department.short_code]
        assignment.replied_at = assignment.closed_at = _at(2025, 1, 10, 16)
        assignment.closed_on = datetime.date(2025, 1, 10)
        assignment.response_working_days = assignment.working_days_taken = get_calendar().working_days_between(
            assignment.issued_on, assignment.closed_on)
        assignment.replied_by = users.get(f"officer_{assignment.department.short_code.lower()}", admin)
        assignment.status = Assignment.Status.DONE
        assignment.sla_state = Assignment.SlaState.DONE
        _save(assignment, assignment.replied_by)
    consultation = _save(Consultation(
        work_order=work_order, session=None, held_at=_at(2025, 1, 9, 14), venue=settings.CENTER_OFFICE_HOURS_VENUE,
        attendees="交通委、建管委、力智科技园项目负责人张世泽", outcome="明确金绍路建设时间表，采用替代路线与临时出入口。",
        decisions="建管委按临时出入口方案容缺验收；企业书面承诺临时出入口在验收前建成。", convened_by=users["staff"]), users["staff"])
    consultation.departments.set([departments["JT"], departments["JW"]])
    stamps = {"JJ": ("JJ-2025-000001", Approval.Decision.APPROVED, ""),
              "TC": ("TC-2025-000001", Approval.Decision.CONDITIONAL, "企业须在竣工验收前建成临时出入口，并于金绍路通车后三个月内恢复原设计主出入口。")}
    approvals = {}
    for code, (serial, decision, conditions) in stamps.items():
        officer = users[f"officer_{code.lower()}"]
        approval = Approval(
            assignment=work_order.assignments.get(department=departments[code]), department=departments[code],
            decision=decision, conditions=conditions, opinion=replies[code], officer=officer,
            membership=Officer.objects.get(user=officer, department=departments[code]),
            officer_display_name=DISPLAY_NAMES[f"officer_{code.lower()}"], stamped_at=_at(2025, 1, 13, 10), serial=serial)
        # Signed like any stamp, so that its QR code leads to "genuine and in force".
        approval.signature, approval.key_id = signing.sign(approval_payload(approval))
        approvals[code] = _save(approval, officer)
        StampCounter.objects.update_or_create(department=departments[code], year=2025, defaults={"last": 1})
    _save(Commitment(
        request=request, approval=approvals["TC"], department=departments["TC"],
        text="竣工验收前建成临时出入口；金绍路通车后三个月内恢复原设计主出入口。",
        due_date=datetime.date(2025, 6, 30), accepted_at=_at(2025, 1, 13, 11), accepted_by=users["lets"],
        pledge="我司承诺在竣工验收前建成临时出入口，并在金绍路通车后三个月内恢复原设计主出入口。",
        fulfilled_at=_at(2025, 6, 20, 10), sla_state=Assignment.SlaState.DONE), users["lets"])
    work_order.status = work_order.Status.RESOLVED
    work_order.resolved_at = _at(2025, 1, 13, 11)
    work_order.resolution_summary = "以临时出入口替代未开通的金绍路入口，承诺制竣工验收，延期六个月。"
    _save(work_order, users["staff"])
    request.status = ServiceRequest.Status.RESOLVED
    request.resolved_at = work_order.resolved_at
    request.rating = 5
    request.rating_comment = "原以为要好几天，没想到当场就盖章了。"
    request.rated_at = _at(2025, 1, 14, 9)
    _save(request, users["lets"])
    case = _save(ModelCase(
        work_order=work_order, title="道路未开通影响消防出入口与竣工验收：临时出入口+承诺制验收（力智科技园）",
        summary=("金绍路未开通，项目无法满足消防两个出入口要求。交通委提出替代路线并设临时出入口，建管委按临时出入口方案"
                 "容缺验收，企业书面承诺；经委、投促办在集中办公日当场盖章同意延期六个月。"),
        marked_by=users["staff"]), users["staff"])
    case.tags.set([tags["unopened-road"], tags["fire-safety-entrances"], tags["completion-inspection"]])
    return session


def _minhong_request(users, project):
    """Tianchun Road not open: the same problem as LETS, waiting for triage."""
    tracking = "BS-DEMO-MINHONG"
    if ServiceRequest.objects.filter(tracking_number=tracking).exists():
        return
    request = _save(ServiceRequest(
        tracking_number=tracking, enterprise=project.enterprise, project=project, kind=ServiceRequest.Kind.BLOCKER,
        title="天春路未开通影响竣工验收和入驻", submitted_by=users["minhong"],
        description=("园区规划出入口位于天春路，该路尚未开通，消防出入口不满足要求，影响整体竣工验收和企业入驻。请协调解决。\n"
                     "Tianchun Road, where the park's entrance is planned, is not open; the fire-safety entrances fall "
                     "short, which blocks the completion inspection and tenants moving in.")), users["minhong"])
    ServiceRequest.objects.filter(pk=request.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=2))


def _tiancheng_case(admin, users, departments, project):
    """Metro Line 19 overlap: an open work order whose assignments show each SLA state."""
    tracking = "BS-DEMO-TIANCHENG"
    if ServiceRequest.objects.filter(tracking_number=tracking).exists():
        return
    calendar = get_calendar()
    today = local_date()
    request = _save(ServiceRequest(
        tracking_number=tracking, enterprise=project.enterprise, project=project, kind=ServiceRequest.Kind.BLOCKER,
        title="地下工程与轨道交通19号线车站重叠，地下施工许可受阻", submitted_by=users["tiancheng"],
        description=("项目地下施工范围与规划轨道交通19号线车站重叠，地下施工许可无法办理。项目计划1月开工，延误将影响后续建设和经营。\n"
                     "The underground works overlap the planned Metro Line 19 station, so the underground construction "
                     "permit cannot be issued. Work was planned to start in January.")), users["tiancheng"])
    # The lead was issued 16 working days ago: 10 allowed, so it is 6 working days overdue (escalated).
    issued_on = _working_days_before(calendar, today, 16)
    work_order = issue_work_order(
        actor=users["staff"], request=request, lead_department=departments["JT"],
        co_departments=[departments["ZD"], departments["GH"], departments["YS"], departments["GJ"]],
        problem="地下工程与19号线车站重叠，需申通地铁集团评估后出具意见，再办理地下施工许可。",
        proposed_approach="交通委牵头，邀请申通地铁集团会商；规资局、竣工验收中心在两周内办理许可。",
        needs_consultation=True, at=datetime.datetime.combine(issued_on, datetime.time(10), SHANGHAI))
    # Re-date the co-handling assignments so that the demo shows overdue, due soon, on track and paused too.
    issued_days_ago = {"JT": 16, "ZD": 12, "GH": 9, "YS": 2, "GJ": 4}
    for assignment in work_order.assignments.select_related("department"):
        code = assignment.department.short_code
        assignment.issued_on = _working_days_before(calendar, today, issued_days_ago[code])
        assignment.issued_at = datetime.datetime.combine(assignment.issued_on, datetime.time(10), SHANGHAI)
        assignment.due_date = assignment.original_due_date = calendar.add_working_days(
            assignment.issued_on, assignment.sla_working_days)
        assignment.ack_due_on = calendar.add_working_days(assignment.issued_on, settings.CENTER_ACK_WORKING_DAYS)
        assignment.sla_state = sla_state_for(assignment.due_date, today, calendar=calendar)
        assignment.escalation_level = 1 if assignment.sla_state == Assignment.SlaState.ESCALATED else 0
        if code != "YS":
            assignment.status = Assignment.Status.IN_PROGRESS
        _save(assignment, users["staff"])
        if code == "GJ":
            pause_assignment(actor=users["staff"], assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_MATERIAL,
                             note="请企业补充地下结构与车站的距离测算资料。")
    consultation = _save(Consultation(
        work_order=work_order, held_at=timezone.now() - datetime.timedelta(days=1), venue=settings.CENTER_OFFICE_HOURS_VENUE,
        outside_parties="上海申通地铁集团有限公司 Shentong Metro Group",
        attendees="投促办、重大办、高境镇、交通委、申通地铁集团", outcome="基于专业安全评估形成一致意见。",
        decisions="申通地铁集团出具施工方案同意意见后，规资局、竣工验收中心两周内办理地下施工许可。",
        convened_by=users["staff"]), users["staff"])
    consultation.departments.set([departments[c] for c in ("JT", "TC", "ZD", "GJ", "ST")])


# Demo history for the dashboards: earlier requests of other (demo) enterprises, resolved over the
# last twelve months, some late. (town, project, difficulty light, stage)
HISTORY_PROJECTS = [
    ("杨行镇", "杨行智能制造产业园", "green", "under_construction"),
    ("大场镇", "大场数字经济楼宇", "yellow", "construction_permit"),
    ("月浦镇", "月浦新材料中试基地", "red", "planning_permit"),
    ("罗泾镇", "罗泾港口物流仓储", "green", "completion_inspection"),
    ("庙行镇", "庙行生命健康研发中心", "yellow", "under_construction"),
    ("宝山城市工业园区", "城市工业园区机器人项目", "red", "land"),
    ("顾村镇", "顾村总部商务综合体", "green", "filing"),
    ("淞南镇", "淞南绿色能源示范项目", "yellow", "construction_permit"),
]
HISTORY_PROBLEMS = [
    ("extension", "竣工期限延期", "因配套道路施工滞后，申请竣工期限延期三个月。"),
    ("blocker", "施工许可办理受阻", "规划条件调整后施工许可材料需重新审核，请协调加快办理。"),
    ("modification", "规划方案调整", "申请调整建筑方案中地下车库出入口位置。"),
    ("blocker", "供电接入排期", "项目即将竣工，电力接入排期较晚，影响投产。"),
]


def _history(admin, users, departments, towns):
    """About sixty resolved requests spread over the last twelve months (fixed random seed), so that
    the dashboards have months to show. Written directly, as a migration of old records would be."""
    first = "BS-DEMO-H0001"
    if ServiceRequest.objects.filter(tracking_number=first).exists():
        return
    rng = random.Random(2026)
    # Acknowledgement, requests to the center and third-party pauses from a second generator, so that
    # the rest of the history stays as it was before they were kept.
    asks_rng = random.Random(18)
    calendar = get_calendar()
    today = local_date()
    enterprise, _ = _get_or_create(Enterprise, admin, {"credit_code": _credit_code("91310113MA1GHT001")}, dict(
        name="上海宝山示例投资有限公司（演示历史）", contact_name="演示", contact_mobile="13900009999",
        contact_email="history@example.com"))
    projects = [
        _get_or_create(InvestmentProject, admin, {"enterprise": enterprise, "name": name}, dict(
            town=towns[town], stage=stage, difficulty=light, industry="演示 demo",
            total_investment=Decimal(rng.randrange(50, 900)) * Decimal("1000000")))[0]
        for town, name, light, stage in HISTORY_PROJECTS]
    codes = ["JT", "JW", "JJ", "TC", "GH", "YS", "FG", "XF"]
    for number in range(1, 61):
        kind, title, description = HISTORY_PROBLEMS[number % len(HISTORY_PROBLEMS)]
        project = projects[number % len(projects)]
        issued_on = today - datetime.timedelta(days=rng.randrange(40, 365))
        while not calendar.is_working_day(issued_on):
            issued_on += datetime.timedelta(days=1)
        issued_at = datetime.datetime.combine(issued_on, datetime.time(10), SHANGHAI)
        request = ServiceRequest(
            tracking_number=f"BS-DEMO-H{number:04d}", enterprise=enterprise, project=project, kind=kind,
            title=f"{project.name}：{title}", description=description, submitted_by=admin,
            requested_completion_date=issued_on + datetime.timedelta(days=90) if kind == "extension" else None,
            status=ServiceRequest.Status.RESOLVED)
        _save(request, admin)
        chosen = rng.sample(codes, rng.choice((1, 2, 2, 3)))
        work_order = _save(WorkOrder(request=request, problem=description, lead_department=departments[chosen[0]],
                                     issued_by=users["staff"], issued_at=issued_at,
                                     status=WorkOrder.Status.RESOLVED), users["staff"])
        finished = []
        for code in chosen:
            taken = rng.choice((2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 12, 15))
            original_due = calendar.add_working_days(issued_on, 10)
            story = _history_story(asks_rng, taken)
            due = calendar.add_working_days(original_due, story["extension"] + story["paused"])
            closed_on = calendar.add_working_days(issued_on, taken + story["paused"])
            closed_at = datetime.datetime.combine(closed_on, datetime.time(16), SHANGHAI)
            acknowledged_at = (issued_at + datetime.timedelta(minutes=story["ack_minutes"])
                               if story["ack_minutes"] else None)
            assignment = _save(Assignment(
                work_order=work_order, department=departments[code],
                role=Assignment.Role.LEAD if code == chosen[0] else Assignment.Role.CO_HANDLING,
                status=Assignment.Status.DONE, sla_state=Assignment.SlaState.DONE, issued_at=issued_at,
                issued_on=issued_on, sla_working_days=10, due_date=due, original_due_date=original_due,
                extension_working_days=story["extension"], third_party_paused_working_days=story["paused"],
                ack_due_on=calendar.add_working_days(issued_on, settings.CENTER_ACK_WORKING_DAYS),
                acknowledged_at=acknowledged_at, acknowledged_by=users.get(f"officer_{code.lower()}"),
                ack_working_hours=(Decimal(story["ack_minutes"]) / 60).quantize(Decimal("0.1"))
                if acknowledged_at else None, reply="已办结（演示历史）。",
                replied_at=closed_at, closed_at=closed_at, closed_on=closed_on,
                response_working_days=min(taken, rng.choice((1, 1, 2, 3))), working_days_taken=taken), admin)
            _history_asks(assignment, story, calendar, users)
            if closed_on > due:
                overdue_at = datetime.datetime.combine(calendar.add_working_days(due, 1), datetime.time(1), SHANGHAI)
                SlaTransition.objects.create(sweep=uuid.uuid4(), assignment=assignment, from_state="due_soon",
                                             to_state="overdue", at=overdue_at)
            finished.append(closed_at)
        resolved_at = max(finished)
        work_order.resolved_at = resolved_at
        _save(work_order, admin)
        request.resolved_at = resolved_at
        if rng.random() < 0.8:
            request.rating = rng.choice((3, 4, 4, 5, 5, 5))
            request.rated_at = resolved_at + datetime.timedelta(days=1)
        _save(request, admin)
        ServiceRequest.objects.filter(pk=request.pk).update(submitted_at=issued_at - datetime.timedelta(days=1))


def _history_story(rng, taken: int) -> dict:
    """What else happened to one past assignment: acknowledged on the day of issue (most of them, 0.5
    to 5.5 hours after 10:00), a third-party pause of 2 to 4 working days (some), an extension asked
    on the sixth working day when the work ran long (granted in full, in part or refused), a refused
    re-route (a few)."""
    asked = taken - 10 + rng.choice((0, 1, 2)) if taken > 10 and rng.random() < 0.6 else 0
    return {
        "ack_minutes": rng.choice((30, 45, 60, 90, 120, 180, 240, 330)) if rng.random() < 0.85 else 0,
        "paused": rng.choice((2, 3, 4)) if rng.random() < 0.1 else 0,
        "asked": asked,
        "extension": int(asked * rng.choice((1, 1, 0.5, 0))),
        "reroute": rng.random() < 0.06,
    }


def _history_asks(assignment, story: dict, calendar, users) -> None:
    """The past assignment's requests to the center and its third-party pause, decided by center staff."""
    officer, staff = users.get(f"officer_{assignment.department.short_code.lower()}"), users["staff"]

    def at(day):
        return datetime.datetime.combine(day, datetime.time(15), SHANGHAI)

    if story["paused"]:
        started = calendar.add_working_days(assignment.issued_on, 2)
        ended = calendar.add_working_days(started, story["paused"])
        _save(ClockPause(assignment=assignment, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                         third_party_name="上海申通地铁集团有限公司", note="等待第三方出具意见（演示历史）。",
                         requested_by=officer, started_at=at(started), started_on=started, ended_at=at(ended),
                         ended_on=ended, working_days=story["paused"]), officer)
    if story["reroute"]:
        asked = calendar.add_working_days(assignment.issued_on, 1)
        decided = calendar.add_working_days(asked, 1)
        _save(DepartmentAsk(assignment=assignment, kind=DepartmentAsk.Kind.REROUTE, status=DepartmentAsk.Status.REFUSED,
                            reason_category=DepartmentAsk.RerouteReason.NOT_COMPETENT, text="本部门认为不属于职责范围。",
                            asked_by=officer, asked_at=at(asked), asked_on=asked, decided_by=staff,
                            decided_at=at(decided), decided_on=decided, ruling="属本部门职责，请继续办理。"), staff)
    if story["asked"]:
        asked = calendar.add_working_days(assignment.issued_on, 6)
        decided = calendar.add_working_days(asked, 1)
        granted = assignment.extension_working_days
        _save(DepartmentAsk(assignment=assignment, kind=DepartmentAsk.Kind.EXTENSION,
                            status=DepartmentAsk.Status.GRANTED if granted else DepartmentAsk.Status.REFUSED,
                            text="需等待相关方意见，申请延期。", working_days=story["asked"],
                            working_days_granted=granted or None, asked_by=officer, asked_at=at(asked),
                            asked_on=asked, decided_by=staff, decided_at=at(decided), decided_on=decided,
                            ruling="同意延期。" if granted else "不同意延期，请按期办结。"), staff)


def _working_days_before(calendar, today, n):
    """The latest date from which ``n`` working days end on ``today`` (going back in time)."""
    day = today
    while calendar.working_days_between(day, today) < n:
        day -= datetime.timedelta(days=1)
    return day


def _mechanisms(admin, tags, towns):
    rows = [
        ("吴淞创新城土地管理指引", "Land management guidelines for Wusong Innovation City", Mechanism.Status.DRAFT,
         ["land-use"], ["吴淞街道"]),
        ("产业用地项目落地流程", "Process for industrial land project implementation", Mechanism.Status.REFINING,
         ["land-use", "completion-inspection"], ["罗店镇", "顾村镇"]),
        ("道路未开通项目消防出入口与竣工验收指引", "Fire-safety entrances and completion inspection where a road is not open",
         Mechanism.Status.PUBLISHED, ["unopened-road", "fire-safety-entrances", "completion-inspection"], ["罗店镇", "顾村镇"]),
    ]
    for title_zh, title_en, status, tag_slugs, town_names in rows:
        mechanism, created = _get_or_create(Mechanism, admin, {"title_zh": title_zh}, {
            "title_en": title_en, "status": status, "text": f"{title_zh}\n\n{title_en}"})
        if created:
            mechanism.tags.set([tags[s] for s in tag_slugs])
            mechanism.towns.set([towns[t] for t in town_names])
