import random
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

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
