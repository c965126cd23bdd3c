"""The front door: sends each person to their own workplace."""
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from workorders.permissions import department_ids, is_center_staff, is_leader


@require_safe
def home(request):
    user = request.user
    if not user.is_authenticated:
        return render(request, "home.html")
    if is_center_staff(user):
        return redirect("center:queue")
    if department_ids(user):
        return redirect("desk:list")
    if user.enterprises.exists():
        return redirect("portal:request_list")
    if is_leader(user):
        return redirect("leader:dashboard")
    return render(request, "home.html")
