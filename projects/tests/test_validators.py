import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from projects.models import Enterprise
from projects.tests.factories import EnterpriseFactory, make_credit_code
from projects.validators import credit_code_check_character, validate_credit_code

# Codes whose check characters were worked by hand from the GB 32100-2015 weights.
VALID_CODES = ["91350100M000100Y43", "91110000802100433B"]


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_codes_pass(code):
    validate_credit_code(code)
    validate_credit_code(code.lower())  # people type lower case; it is upper-cased before checking


def test_check_character_of_a_known_code():
    assert credit_code_check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("91350100M000100Y44", "credit_code_check"),  # wrong check character
        ("91350100M000100Y4", "credit_code_length"),  # 17 characters
        ("91350100M000100Y433", "credit_code_length"),
        ("91350100M000100I43", "credit_code_charset"),  # I is not in the character set
        ("91350100M000100O43", "credit_code_charset"),
        ("", "credit_code_length"),
    ],
)
def test_invalid_codes_are_refused_with_their_reason(code, error_code):
    with pytest.raises(ValidationError) as raised:
        validate_credit_code(code)
    assert raised.value.code == error_code


def test_every_single_character_typo_is_caught():
    code = VALID_CODES[0]
    for position in range(17):
        for replacement in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if replacement == code[position]:
                continue
            typo = code[:position] + replacement + code[position + 1 :]
            with pytest.raises(ValidationError):
                validate_credit_code(typo)


def _message_in(language):
    # The message is lazy: read it while the language is still active.
    with translation.override(language):
        with pytest.raises(ValidationError) as raised:
            validate_credit_code("91350100M000100Y44")
        return str(raised.value.messages[0])


def test_message_in_chinese_and_english():
    assert "校验" in _message_in("zh-hans")
    assert "check character" in _message_in("en")


def test_factory_codes_are_valid():
    for seed in range(200):
        validate_credit_code(make_credit_code(seed))


@pytest.mark.django_db
def test_full_clean_refuses_a_bad_code():
    enterprise = EnterpriseFactory.build(credit_code="91350100M000100Y44")
    with pytest.raises(ValidationError) as raised:
        enterprise.full_clean()
    assert "credit_code" in raised.value.message_dict


@pytest.mark.django_db
def test_credit_code_is_unique_whatever_the_case():
    EnterpriseFactory(credit_code=VALID_CODES[0])
    with pytest.raises(IntegrityError):
        EnterpriseFactory(credit_code=VALID_CODES[0].lower())


@pytest.mark.django_db
def test_database_refuses_a_malformed_code_even_without_full_clean():
    with pytest.raises(IntegrityError):
        Enterprise.objects.create(
            name="x", credit_code="91350100M000100I43", contact_name="x", contact_mobile="1", contact_email="x@x.cn"
        )
