"""A small world for view tests and the access matrix: two enterprises, two departments, staff, a leader.

Enterprise A's request is issued to department A (lead) and has an attachment; enterprise B's
request is issued to department B; enterprise A also has a request waiting for triage.
"""
from __future__ import annotations

import datetime
from types import SimpleNamespace

from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from projects.tests.factories import (
    EnterpriseFactory,
    EnterpriseUserFactory,
    HeadUserFactory,
    InvestmentProjectFactory,
    LeaderFactory,
    OfficerUserFactory,
    StaffFactory,
)
from workorders.services import submit_request, triage_and_issue
from workorders.tests import samples

PASSWORD = "pass-for-tests-1"


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.staff = StaffFactory(username="staff")
    w.leader = LeaderFactory(username="leader")
    w.dept_a = DepartmentFactory(short_code="JT", name_zh="区交通委", name_en="Transportation Commission")
    w.dept_b = DepartmentFactory(short_code="JW", name_zh="区建设管理委", name_en="Construction Commission")
    w.officer_a = OfficerFactory(department=w.dept_a, user=OfficerUserFactory(username="officer_a")).user
    w.head_a = HeadFactory(department=w.dept_a, user=HeadUserFactory(username="head_a")).user
    w.officer_b = OfficerFactory(department=w.dept_b, user=OfficerUserFactory(username="officer_b")).user
    w.ent_a = EnterpriseFactory(name="甲科技有限公司")
    w.ent_b = EnterpriseFactory(name="乙置业有限公司")
    w.user_a = EnterpriseUserFactory(username="ent_a", enterprise=w.ent_a)
    w.user_b = EnterpriseUserFactory(username="ent_b", enterprise=w.ent_b)
    w.project_a = InvestmentProjectFactory(enterprise=w.ent_a, planned_completion_date=datetime.date(2027, 6, 30))
    w.project_b = InvestmentProjectFactory(enterprise=w.ent_b, planned_completion_date=datetime.date(2027, 6, 30))
    w.request_a, _ = submit_request(actor=w.user_a, project=w.project_a, kind="blocker", title="道路未开通",
                                    description="天春路未开通，影响竣工验收。", files=[("现场照片.pdf", samples.pdf())])
    w.attachment_a = w.request_a.attachments.get()
    w.request_b, _ = submit_request(actor=w.user_b, project=w.project_b, kind="blocker", title="地铁重叠",
                                    description="地铁19号线与地块重叠，需要许可。", files=[("b.pdf", samples.pdf())])
    w.attachment_b = w.request_b.attachments.get()
    w.waiting_a, _ = submit_request(actor=w.user_a, project=w.project_a, kind="other", title="待分办",
                                    description="另一个问题，等待中心分办。")
    wo_a = triage_and_issue(actor=w.staff, request=w.request_a, lead_department=w.dept_a, problem="道路")
    wo_b = triage_and_issue(actor=w.staff, request=w.request_b, lead_department=w.dept_b, problem="地铁")
    w.assignment_a = wo_a.assignments.get()
    w.assignment_b = wo_b.assignments.get()
    from center.tests.factories import OfficeHoursSessionFactory

    w.session = OfficeHoursSessionFactory(date=datetime.date(2026, 11, 30))
    w.users = {
        "enterprise_a": w.user_a, "enterprise_b": w.user_b, "officer_a": w.officer_a, "officer_b": w.officer_b,
        "head_a": w.head_a, "staff": w.staff, "leader": w.leader,
    }
    return w
