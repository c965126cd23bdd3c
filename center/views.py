from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from center.selectors import health_report


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@require_safe
def mechanisms(request):
    """Public: the published mechanisms (procedures for recurring problems)."""
    from django.shortcuts import render

    from center.selectors import published_mechanisms

    return render(request, "portal/mechanisms.html", {"mechanisms": published_mechanisms()})
