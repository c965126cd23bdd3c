"""The stamps' deployment check: with DEBUG off, new stamps must be signable and every stamp in the
database checkable. Registered when the app is ready; run by ``check --deploy`` and by the web's
start-up (``center.checks.refuse_to_serve``, tag ``center_stamp_keys``)."""
from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from workorders import signing
from workorders.selectors import stamp_key_report

KEYS_TAG = "center_stamp_keys"


@checks.register(KEYS_TAG, deploy=True)
def stamps_can_be_signed_and_verified(app_configs=None, **kwargs):
    """An error when there is no active signing key (stamping would fail), or when a stamp in the
    database names a key id whose key is missing (its public page could not check it). A deployment
    check, so that ``migrate`` on a first install runs before the first key is made; the stamps are
    not looked at while the database cannot answer (or has no tables yet)."""
    if settings.DEBUG:
        return []
    messages = []
    if signing.active_key_id() is None and not settings.CENTER_STAMP_GENERATE_KEYS:
        messages.append(checks.Error(
            "There is no active stamp signing key: stamping would fail.",
            hint="Put the key files in CENTER_STAMP_KEY_DIR (manage.py rotate_stamp_key makes one) or set "
                 "CENTER_STAMP_PRIVATE_KEY and CENTER_STAMP_KEY_ID; CENTER_STAMP_ACTIVE_KEY_ID must name one of them.",
            id="center.E005"))
    try:
        missing = stamp_key_report()["missing_key_ids"]
    except DatabaseError:
        missing = []
    if missing:
        messages.append(checks.Error(
            f"Stamps in the database were signed with keys that are missing here: {', '.join(missing)}. "
            "Their public verification could not check them.",
            hint="Restore those key files into CENTER_STAMP_KEY_DIR (from the backup of the keys).", id="center.E006"))
    return messages
