from django.shortcuts import render
from django.views.decorators.http import require_safe

from center.mechanisms.selectors import published_mechanisms


@require_safe
def mechanisms(request):
    """Public: the published mechanisms (procedures for recurring problems)."""
    return render(request, "portal/mechanisms.html", {"mechanisms": published_mechanisms()})
