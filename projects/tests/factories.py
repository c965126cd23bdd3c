import random
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core import roles
from projects.models import Enterprise, InvestmentProject, Town
from projects.validators import CREDIT_CODE_CHARSET, credit_code_check_character


def make_credit_code(seed: int | None = None) -> str:
    """A valid unified social credit code (GB 32100-2015), distinct per seed."""
    rng = random.Random(seed)
    body = "91310113" + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
    return body + credit_code_check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pass-for-tests-1")


def _in_role(role: str):
    """Put the new user in the role's group (``sync_roles`` made the groups after migrate)."""
    def join(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=role))
    return factory.PostGeneration(join)


class _RoleUserFactory(UserFactory):
    class Meta:
        skip_postgeneration_save = True  # the hooks only add group and enterprise rows


class StaffFactory(_RoleUserFactory):
    """A member of center staff."""

    role = _in_role(roles.CENTER_STAFF)


class LeaderFactory(_RoleUserFactory):
    """A district leader."""

    role = _in_role(roles.LEADER)


class EnterpriseUserFactory(_RoleUserFactory):
    """An account in the enterprise-contact role; ``enterprise=...`` also makes it one of that
    enterprise's accounts."""

    role = _in_role(roles.ENTERPRISE)

    @factory.post_generation
    def enterprise(user, create, extracted, **kwargs):
        if create and extracted is not None:
            extracted.users.add(user)


class OfficerUserFactory(_RoleUserFactory):
    """A user in the department-officer role (the membership itself: ``departments`` factories)."""

    role = _in_role(roles.OFFICER)


class HeadUserFactory(_RoleUserFactory):
    """A user in the department-head role (the membership itself: ``departments`` factories)."""

    role = _in_role(roles.HEAD)


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town

    name_zh = factory.Sequence(lambda n: f"测试镇{n}")
    name_en = factory.Sequence(lambda n: f"Test Town {n}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    credit_code = factory.Sequence(make_credit_code)
    contact_name = "张三"
    contact_mobile = "13800000000"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.com")


class InvestmentProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvestmentProject

    enterprise = factory.SubFactory(EnterpriseFactory)
    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试项目{n}")
    total_investment = Decimal("100000000.00")
