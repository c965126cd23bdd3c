"""Issue 25, part 2: missing stamp keys. A genuine stamp whose key is not here must never be called
tampered on its public page: it "cannot be checked right now" (503, logged as an error); /healthz
reports the keys; with DEBUG off the start-up check refuses to run without an active key or when a
stamp names a key that is missing."""
import logging
import shutil

import pytest
from django.db import connection
from django.test import Client

from center.checks import refuse_to_serve
from workorders.checks import stamps_can_be_signed_and_verified
from center.health.selectors import health_report
from departments.tests.factories import DepartmentFactory, OfficerFactory
from workorders import signing
from workorders.models import Assignment
from workorders.selectors import stamp_key_report, verify_serial
from workorders.services import stamp_assignment
from workorders.tests.factories import AssignmentFactory
from workorders.tests.tampering import triggers_dropped

pytestmark = pytest.mark.django_db


@pytest.fixture
def stamped(settings):
    department = DepartmentFactory(short_code="JJ", name_zh="区经济委员会")
    officer = OfficerFactory(department=department).user
    assignment = AssignmentFactory(department=department, status=Assignment.Status.IN_PROGRESS)
    approval = stamp_assignment(actor=officer, assignment=assignment, decision="approved")
    return approval


def _lose_the_keys(settings, tmp_path):
    """The assessment's set-up: the key folder points at an empty one, and generation is off."""
    empty = tmp_path / "empty-keys"
    empty.mkdir()
    settings.CENTER_STAMP_KEY_DIR = str(empty)
    settings.CENTER_STAMP_GENERATE_KEYS = False
    signing.reset_cache()


def test_a_genuine_stamp_whose_key_is_missing_is_not_called_tampered(stamped, settings, tmp_path, caplog):
    link = f"/verify/{stamped.serial}/{stamped.verification_token}/"
    assert Client().get(link).status_code == 200
    _lose_the_keys(settings, tmp_path)
    with caplog.at_level(logging.ERROR, logger="workorders.selectors"):
        response = Client().get(link)
    body = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"]
    assert "verify-unchecked" in body and "verify-tampered" not in body
    assert "区经济委员会" in body
    assert any(stamped.key_id in record.getMessage() for record in caplog.records)
    assert verify_serial(stamped.serial)["status"] == "unchecked"


def test_a_signature_naming_another_key_than_the_stamp_is_still_tampered(stamped, settings, tmp_path):
    """A forgery with a foreign key id must not hide behind "cannot be checked"."""
    header = signing.jws.JWS()
    header.deserialize(stamped.signature)
    assert header.jose_header["kid"] == stamped.key_id
    key = signing.jwk.JWK.generate(kty="OKP", crv="Ed25519", kid="foreign")
    forged = signing.jws.JWS(b'{"serial":"x"}')
    forged.add_signature(key, alg="EdDSA", protected='{"alg":"EdDSA","kid":"foreign"}')
    with triggers_dropped("workorders_approval"), connection.cursor() as cursor:
        cursor.execute("UPDATE workorders_approval SET signature = %s WHERE id = %s",
                       [forged.serialize(compact=True), stamped.pk])
    assert verify_serial(stamped.serial)["status"] == "tampered"


def test_health_reports_the_keys(stamped, settings, tmp_path):
    report = health_report()["stamp_keys"]
    assert report["ok"] and report["active_key_id"] == stamped.key_id and report["missing_key_ids"] == []
    _lose_the_keys(settings, tmp_path)
    report = health_report()
    assert report["ok"] is False
    assert report["stamp_keys"] == {"ok": False, "active_key_id": None, "keys": 0, "missing_key_ids": [stamped.key_id]}
    assert Client().get("/healthz").status_code == 503


def test_the_start_up_check_refuses_without_keys(stamped, settings, tmp_path):
    settings.DEBUG = False
    assert stamps_can_be_signed_and_verified() == []
    keys = tmp_path / "stamp-keys"
    moved = tmp_path / "moved"
    shutil.copytree(keys, moved)
    _lose_the_keys(settings, tmp_path)
    ids = sorted(message.id for message in stamps_can_be_signed_and_verified())
    assert ids == ["center.E005", "center.E006"]
    with pytest.raises(Exception, match="Refusing to serve"):
        refuse_to_serve()
    # The keys are back, but not the active one named by the setting: still refused.
    settings.CENTER_STAMP_KEY_DIR = str(moved)
    settings.CENTER_STAMP_ACTIVE_KEY_ID = "k-not-there"
    signing.reset_cache()
    assert [message.id for message in stamps_can_be_signed_and_verified()] == ["center.E005"]
    settings.CENTER_STAMP_ACTIVE_KEY_ID = ""
    signing.reset_cache()
    assert stamps_can_be_signed_and_verified() == [] and stamp_key_report()["ok"]
    settings.DEBUG = True
