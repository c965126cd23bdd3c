import factory

from departments.models import Department, Officer
from projects.tests.factories import UserFactory


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name_zh = factory.Sequence(lambda n: f"测试委{n}")
    name_en = factory.Sequence(lambda n: f"Test Commission {n}")
    short_code = factory.Sequence(lambda n: f"T{n}")
    seal_text = factory.LazyAttribute(lambda o: f"{o.name_zh}专用章")


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    display_name = factory.Sequence(lambda n: f"经办人{n}")


class HeadFactory(OfficerFactory):
    role = Officer.Role.HEAD
