"""Stamps in the browser: the approval page and its PDF (for those who may see the request), the
public verification page (no login, rate-limited) and the JWKS."""
from __future__ import annotations

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.downloads import download_response
from core.ratelimit import over_limit
from workorders import selectors, signing
from workorders.models import Approval
from workorders.seal import seal_svg


def verification_url(approval: Approval) -> str:
    """The link in a stamp's QR code and under it: its serial and its verification token, which
    alone shows the stamp's details on the public page."""
    return settings.CENTER_PUBLIC_BASE_URL.rstrip("/") + reverse(
        "verify_with_token", args=[approval.serial, approval.verification_token])


def _approval_context(approval: Approval) -> dict:
    url = verification_url(approval)
    qr = segno.make(url, error="m")
    return {
        "approval": approval, "req": approval.assignment.work_order.request,
        "seal": mark_safe(seal_svg(approval.department.name_zh, approval.department.seal_text or "审批专用章")),  # noqa: S308 - built from escaped text
        "qr": mark_safe(qr.svg_inline(scale=3, dark="#111")),  # noqa: S308 - segno's own markup
        "verify_url": url,
    }


@login_required
@require_safe
def approval_page(request, serial):
    try:
        approval = selectors.approval_for(request.user, serial)
    except Approval.DoesNotExist:
        raise Http404
    return render(request, "stamps/approval.html", _approval_context(approval))


@login_required
@require_safe
def approval_pdf(request, serial):
    try:
        approval = selectors.approval_for(request.user, serial)
    except Approval.DoesNotExist:
        raise Http404
    # Local: WeasyPrint (and pango under it) is loaded only when someone asks for a PDF.
    from weasyprint import HTML

    html = render_to_string("stamps/approval_pdf.html", _approval_context(approval), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    return download_response(pdf, filename=f"{approval.serial}.pdf", content_type="application/pdf")


@never_cache
@require_safe
def verify(request, serial, token=None):
    """Public: is this stamp genuine and in force, revoked, unknown, tampered with, or (its key
    missing here) not checkable right now? With the
    stamp's token (the link in its QR code) also what it says; without it, only whose it is."""
    if over_limit(request, "verify", settings.CENTER_VERIFY_RATE_PER_MINUTE, 60):
        response = render(request, "stamps/verify.html", {"result": {"status": "rate_limited", "serial": serial}},
                          status=429)
        response["Retry-After"] = "60"
        return response
    result = selectors.verify_serial(serial[:40], token=(token or "")[:64])
    status = {"unknown": 404, "unchecked": 503}.get(result["status"], 200)
    response = render(request, "stamps/verify.html", {"result": result}, status=status)
    if status == 503:  # the key that signed it is missing here (logged): not the stamp's fault
        response["Retry-After"] = "300"
    return response


@require_safe
def jwks(request):
    response = JsonResponse(signing.public_jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response
