from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from center import home
from center.health.views import healthz
from center.mechanisms.views import mechanisms
from center.two_factor import views as two_factor_views
from notifications import views as notification_views
from workorders.views import stamps as stamp_views

admin.site.site_header = "区投资服务工单中心 Investment-service work-order center"
admin.site.site_title = "工单中心 Work-order center"
admin.site.index_title = "管理 Administration"

# Every uncaught exception, from a view or any middleware: 503 when the database is down, else 500.
handler500 = "center.errors.server_error"

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("mechanisms/", mechanisms, name="mechanisms"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor_views.manage, name="two_factor"),
    path("accounts/two-factor/verify/", two_factor_views.verify, name="two_factor_verify"),
    path("accounts/two-factor/<int:pk>/remove/", two_factor_views.remove, name="two_factor_remove"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/read/", notification_views.mark_all_read, name="notifications_read"),
    path(".well-known/jwks.json", stamp_views.jwks, name="jwks"),
    path("verify/<str:serial>/", stamp_views.verify, name="verify"),
    path("verify/<str:serial>/<str:token>/", stamp_views.verify, name="verify_with_token"),
    path("approvals/<str:serial>/", stamp_views.approval_page, name="approval"),
    path("approvals/<str:serial>/pdf/", stamp_views.approval_pdf, name="approval_pdf"),
    path("", include("projects.urls")),
    path("", include(("workorders.urls_portal", "portal"))),
    path("desk/members/", include(("departments.urls", "members"))),
    path("desk/", include(("workorders.urls_desk", "desk"))),
    path("center/", include(("center.urls_center", "center"))),
    path("leader/", include(("center.urls_leader", "leader"))),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
