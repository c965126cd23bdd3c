import datetime

import factory
from django.utils import timezone

from center.models import AgendaItem, Consultation, Mechanism, OfficeHoursSession, WorkerHeartbeat
from workorders.tests.factories import WorkOrderFactory


class OfficeHoursSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeHoursSession

    date = factory.Sequence(lambda n: datetime.date(2026, 1, 5) + datetime.timedelta(weeks=n))
    venue = "宝山区行政服务中心"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    session = factory.SubFactory(OfficeHoursSessionFactory)
    kind = AgendaItem.Kind.CONSULTATION
    work_order = factory.SubFactory(WorkOrderFactory)
    title = factory.Sequence(lambda n: f"议题{n}")


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    work_order = factory.SubFactory(WorkOrderFactory)
    held_at = factory.LazyFunction(timezone.now)
    outside_parties = "申通地铁集团 Shentong Metro Group"


class MechanismFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mechanism

    title_zh = factory.Sequence(lambda n: f"工作机制{n}")
    text = "流程说明。"


class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerHeartbeat

    name = "celery"
    last_seen = factory.LazyFunction(timezone.now)
