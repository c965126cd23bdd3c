"""Stamps: serials, signatures checked by independent tools, immutability, revocation, keys,
verification, seal PDF, QR code, commitments."""
import base64
import datetime
import json
import shutil
import subprocess
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from departments.tests.factories import DepartmentFactory, HeadFactory, OfficerFactory
from notifications.models import Notification
from projects.tests.factories import UserFactory
from workorders import signing
from workorders.exceptions import WorkOrderError
from workorders.models import Approval, Assignment, Commitment, ImmutableError, RequestEvent
from workorders.selectors import verify_serial
from workorders.services import accept_commitment, fulfil_commitment, revoke_approval, stamp_assignment
from workorders.tests.factories import AssignmentFactory, WorkOrderFactory
from workorders.tests.tampering import triggers_dropped
from workorders.views.stamps import verification_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    department = DepartmentFactory(short_code="JJ", name_zh="区经济委员会", name_en="Commission of Economy",
                                   seal_text="审批专用章")
    officer = OfficerFactory(department=department, display_name="经委经办人").user
    head = HeadFactory(department=department).user
    assignment = AssignmentFactory(department=department, status=Assignment.Status.IN_PROGRESS)
    contact = UserFactory()
    assignment.work_order.request.enterprise.users.add(contact)
    return dict(department=department, officer=officer, head=head, assignment=assignment, contact=contact)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_stamp_gets_a_serial_and_a_signature_that_independent_tools_verify(desk, tmp_path):
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved",
                                opinion="同意延期")
    year = timezone.localtime(approval.stamped_at).year
    assert approval.serial == f"JJ-{year}-000001"
    header_b64, payload_b64, signature_b64 = approval.signature.split(".")
    header, payload = json.loads(_unb64(header_b64)), json.loads(_unb64(payload_b64))
    assert header == {"alg": "EdDSA", "kid": approval.key_id}
    assert payload["serial"] == approval.serial and payload["department"] == "区经济委员会"
    assert payload["officer"] == "经委经办人" and payload["kid"] == approval.key_id
    assert set(payload) == {"type", "serial", "tracking_number", "project", "enterprise", "department", "decision",
                            "conditions", "opinion", "officer", "time", "kid"}
    jwks = Client().get("/.well-known/jwks.json").json()
    key = next(k for k in jwks["keys"] if k["kid"] == approval.key_id)
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA") and "d" not in key
    signing_input = f"{header_b64}.{payload_b64}".encode()
    # 1. The `cryptography` package's Ed25519 directly (not jwcrypto's JWS code).
    Ed25519PublicKey.from_public_bytes(_unb64(key["x"])).verify(_unb64(signature_b64), signing_input)
    # 2. openssl, from the JWKS's raw public key (RFC 8410 DER prefix + x).
    if shutil.which("openssl"):
        der = bytes.fromhex("302a300506032b6570032100") + _unb64(key["x"])
        (tmp_path / "pub.der").write_bytes(der)
        (tmp_path / "msg").write_bytes(signing_input)
        (tmp_path / "sig").write_bytes(_unb64(signature_b64))
        result = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey",
                                 str(tmp_path / "pub.der"), "-rawin", "-in", str(tmp_path / "msg"), "-sigfile",
                                 str(tmp_path / "sig")], capture_output=True, text=True)
        assert result.returncode == 0 and "Successfully" in result.stdout
        (tmp_path / "msg").write_bytes(signing_input + b"x")
        assert subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey",
                               str(tmp_path / "pub.der"), "-rawin", "-in", str(tmp_path / "msg"), "-sigfile",
                               str(tmp_path / "sig")], capture_output=True).returncode != 0
    assert verify_serial(approval.serial)["status"] == "genuine"
    assert RequestEvent.objects.filter(kind="stamped", text__startswith=approval.serial).exists()
    assert Notification.objects.filter(recipient=desk["contact"], subject__contains="区经济委员会").exists()


@pytest.mark.parametrize("column,value", [
    ("decision", "declined"), ("conditions", "另加条件"), ("opinion", "改过的意见"), ("officer_display_name", "别人"),
    ("serial", "JJ-2099-000001"), ("stamped_at", "2020-01-01 00:00:00"),
])
def test_changing_any_field_makes_it_tampered(desk, column, value):
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    # Behind the application's back, as an attacker who owns the database (and drops its triggers) would.
    with triggers_dropped("workorders_approval"), connection.cursor() as cursor:
        cursor.execute(f"UPDATE workorders_approval SET {column} = %s WHERE id = %s", [value, approval.pk])
    serial = value if column == "serial" else approval.serial
    assert verify_serial(serial)["status"] == "tampered"
    page = Client().get(f"/verify/{serial}/")
    assert page.status_code == 200 and "verify-tampered" in page.content.decode()


def test_a_forged_signature_is_tampered(desk):
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    header, payload, signature = approval.signature.split(".")
    forged = f"{header}.{payload}.{_b64(b'0' * 64)}"
    with triggers_dropped("workorders_approval"), connection.cursor() as cursor:
        cursor.execute("UPDATE workorders_approval SET signature = %s WHERE id = %s", [forged, approval.pk])
    assert verify_serial(approval.serial)["status"] == "tampered"


def test_only_the_department_stamps_and_only_once(desk):
    outsider = OfficerFactory().user
    with pytest.raises(WorkOrderError):
        stamp_assignment(actor=outsider, assignment=desk["assignment"], decision="approved")
    client = Client()
    client.force_login(outsider)
    response = client.post(f"/desk/assignments/{desk['assignment'].pk}/stamp/", {"stamp-decision": "approved"})
    assert response.status_code == 404
    stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    with pytest.raises(WorkOrderError):
        stamp_assignment(actor=desk["head"], assignment=desk["assignment"], decision="declined")
    assert Approval.objects.count() == 1


def test_conditions_are_required_for_a_conditional_approval(desk):
    with pytest.raises(WorkOrderError) as error:
        stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="conditional")
    assert error.value.field == "conditions"
    with pytest.raises(WorkOrderError) as error:
        stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="conditional",
                         conditions="建成临时出入口")
    assert error.value.field == "commitment_due_date"
    assert not Approval.objects.exists()


def test_immutable_on_every_path(desk, admin_client):
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    approval.decision = "declined"
    with pytest.raises(ImmutableError):
        approval.save()
    with pytest.raises(ImmutableError):
        Approval.objects.filter(pk=approval.pk).update(opinion="x")
    fresh = Approval.objects.get(pk=approval.pk)
    fresh.opinion = "x"
    with pytest.raises(ImmutableError):
        Approval.objects.bulk_update([fresh], ["opinion"])
    with pytest.raises(ImmutableError):
        fresh.delete()
    with pytest.raises(ImmutableError):
        Approval.objects.all().delete()
    response = admin_client.post(f"/admin/workorders/approval/{approval.pk}/change/", {"opinion": "x"})
    assert response.status_code == 403
    assert verify_serial(approval.serial)["status"] == "genuine"


def test_revocation_by_the_head_only_and_signed(desk, settings):
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    with pytest.raises(WorkOrderError):
        revoke_approval(actor=desk["officer"], approval=approval, reason="错误")
    client = Client()
    client.force_login(desk["officer"])
    url = f"/desk/assignments/{desk['assignment'].pk}/approvals/{approval.serial}/revoke/"
    assert client.post(url, {"revoke-reason": "错误"}).status_code == 403
    revoked = revoke_approval(actor=desk["head"], approval=approval, reason="依据变更，重新审批")
    result = verify_serial(approval.serial, token=approval.verification_token)
    assert result["status"] == "revoked" and result["revocation"]["department"] == "区经济委员会"
    assert signing.verify(revoked.revocation_signature)["type"] == "revocation"
    with pytest.raises(WorkOrderError):
        revoke_approval(actor=desk["head"], approval=approval, reason="again")
    page = Client().get(f"/verify/{approval.serial}/").content.decode()
    assert "verify-revoked" in page and "区经济委员会" in page and "依据变更" not in page
    page = Client().get(verification_url(revoked).removeprefix(settings.CENTER_PUBLIC_BASE_URL)).content.decode()
    assert "verify-revoked" in page and "依据变更" in page
    # A new stamp may follow the revoked one, with the next serial.
    again = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="declined")
    assert again.serial.endswith("000002")


def test_keys_rotate_and_old_stamps_still_verify(desk):
    first = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    new_kid = signing.generate_key("k99999999")
    other = AssignmentFactory(department=desk["department"], status=Assignment.Status.IN_PROGRESS)
    second = stamp_assignment(actor=desk["officer"], assignment=other, decision="approved")
    assert second.key_id == new_kid != first.key_id
    assert {k["kid"] for k in signing.public_jwks()["keys"]} == {first.key_id, new_kid}
    assert verify_serial(first.serial)["status"] == verify_serial(second.serial)["status"] == "genuine"


def test_a_key_from_the_environment(settings, desk, tmp_path):
    from jwcrypto import jwk

    key = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    settings.CENTER_STAMP_KEY_DIR = str(tmp_path / "none")
    settings.CENTER_STAMP_GENERATE_KEYS = False
    settings.CENTER_STAMP_PRIVATE_KEY = key.export_to_pem(private_key=True, password=None).decode()
    settings.CENTER_STAMP_KEY_ID = "prod-2026"
    signing.reset_cache()
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    assert approval.key_id == "prod-2026" and verify_serial(approval.serial)["status"] == "genuine"


def test_verification_page_is_public_shows_only_the_stamp_and_is_rate_limited(settings, desk):
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved",
                                opinion="同意")
    page = Client().get(f"/verify/{approval.serial}/")
    body = page.content.decode()
    assert page.status_code == 200 and "verify-genuine" in body and "区经济委员会" in body
    assert desk["assignment"].work_order.request.description not in body  # nothing beyond the stamp
    assert Client().get("/verify/NOPE-1/").status_code == 404
    settings.CENTER_VERIFY_RATE_PER_MINUTE = 3
    client = Client()
    statuses = [client.get(f"/verify/{approval.serial}/").status_code for _ in range(5)]
    assert statuses[-1] == 429 and statuses.count(200) <= 3


def test_approval_pdf_has_the_chinese_department_name_and_the_qr_leads_to_verification(desk, tmp_path, settings):
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    client = Client()
    client.force_login(desk["contact"])
    page = client.get(f"/approvals/{approval.serial}/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    pdf = client.get(f"/approvals/{approval.serial}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "a.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "区经济委员会" in text and approval.serial in text
    import segno

    segno.make(verification_url(approval), error="m").save(str(tmp_path / "qr.png"), scale=6)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "qr.png")], capture_output=True, text=True,
                             check=True).stdout.strip()
    assert decoded == (f"{settings.CENTER_PUBLIC_BASE_URL}/verify/{approval.serial}/"
                       f"{approval.verification_token}/")
    assert verification_url(approval) in page.content.decode()  # the link printed under the QR code
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(f"/approvals/{approval.serial}/").status_code == 404


def test_conditional_approval_opens_a_commitment_the_enterprise_accepts_and_the_department_closes(desk):
    due = timezone.localdate() + datetime.timedelta(days=90)
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="conditional",
                                conditions="竣工验收前建成临时出入口", commitment_due_date=due)
    commitment = Commitment.objects.get(approval=approval)
    assert (commitment.text, commitment.due_date, commitment.accepted_at) == ("竣工验收前建成临时出入口", due, None)
    client = Client()
    client.force_login(desk["contact"])
    number = desk["assignment"].work_order.request.tracking_number
    assert "竣工验收前建成临时出入口" in client.get(f"/requests/{number}/").content.decode()
    url = f"/requests/{number}/accept/{commitment.pk}/"
    assert client.post(url, {"pledge": ""}).status_code == 400
    assert client.post(url, {"pledge": "我司承诺按期建成"}).status_code == 302
    commitment.refresh_from_db()
    assert commitment.accepted_by == desk["contact"] and commitment.pledge == "我司承诺按期建成"
    with pytest.raises(WorkOrderError):
        accept_commitment(actor=desk["contact"], commitment=commitment, pledge="again")
    with pytest.raises(WorkOrderError):
        fulfil_commitment(actor=OfficerFactory().user, commitment=commitment)
    officer = Client()
    officer.force_login(desk["officer"])
    assert officer.post(f"/desk/assignments/{desk['assignment'].pk}/commitments/{commitment.pk}/fulfil/").status_code == 302
    commitment.refresh_from_db()
    assert commitment.fulfilled_at is not None


def test_stamping_through_the_desk_page(desk):
    client = Client()
    client.force_login(desk["officer"])
    url = f"/desk/assignments/{desk['assignment'].pk}/stamp/"
    bad = client.post(url, {"stamp-decision": "conditional"})
    assert bad.status_code == 400 and "conditions" in bad.context["stamp_form"].errors
    done = client.post(url, {"stamp-decision": "approved", "stamp-opinion": "同意"})
    approval = Approval.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/approvals/{approval.serial}/"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_officers_stamping_at_once_get_fifty_consecutive_serials():
    department = DepartmentFactory(short_code="TC")
    officers = [OfficerFactory(department=department).user for _ in range(50)]
    assignments = [AssignmentFactory(department=department, status=Assignment.Status.IN_PROGRESS,
                                     work_order=WorkOrderFactory()) for _ in range(50)]
    signing.active_key()  # the key exists before the rush
    barrier = threading.Barrier(50)
    serials, errors = [], []

    def stamp(officer, assignment):
        try:
            barrier.wait()
            serials.append(stamp_assignment(actor=officer, assignment=assignment, decision="approved").serial)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=stamp, args=pair) for pair in zip(officers, assignments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    year = timezone.localdate().year
    assert sorted(serials) == [f"TC-{year}-{n:06d}" for n in range(1, 51)]
    assert Approval.objects.count() == 50


def test_rotate_command_adds_a_key(desk):
    from io import StringIO

    from django.core.management import call_command

    first = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    out = StringIO()
    call_command("rotate_stamp_key", "--kid", "k-rotated", stdout=out)
    assert "k-rotated" in out.getvalue()
    assert signing.active_key().get("kid") == "k-rotated"
    assert verify_serial(first.serial)["status"] == "genuine"


def test_a_later_rename_of_the_enterprise_does_not_make_a_stamp_tampered(desk):
    approval = stamp_assignment(actor=desk["officer"], assignment=desk["assignment"], decision="approved")
    enterprise = desk["assignment"].work_order.request.enterprise
    signed_name = enterprise.name
    enterprise.name = "改名后的公司"
    enterprise.save()
    result = verify_serial(approval.serial, token=approval.verification_token)
    assert result["status"] == "genuine" and result["payload"]["enterprise"] == signed_name
