from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from notifications import services
from notifications.selectors import notifications_for


@login_required
@require_safe
def notification_list(request):
    page = Paginator(notifications_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user, notification_ids=notifications_for(request.user).filter(read_at__isnull=True).values_list("pk", flat=True))
    return redirect("notifications")
