from django.urls import path

from workorders.views import desk, desk_asks, desk_clock, desk_notes

urlpatterns = [
    path("", desk.assignment_list, name="list"),
    path("assignments/<int:pk>/", desk.assignment_detail, name="detail"),
    path("assignments/<int:pk>/reply/", desk.reply, name="reply"),
    path("assignments/<int:pk>/material/", desk.ask_material, name="material"),
    path("assignments/<int:pk>/done/", desk.mark_done, name="done"),
    path("assignments/<int:pk>/notes/", desk_notes.add_note, name="note"),
    path("assignments/<int:pk>/reassign/", desk.reassign, name="reassign"),
    path("assignments/<int:pk>/asks/reroute/", desk_asks.ask_reroute, name="ask_reroute"),
    path("assignments/<int:pk>/asks/extension/", desk_asks.ask_extension, name="ask_extension"),
    path("assignments/<int:pk>/asks/pause/", desk_asks.ask_pause_going_on, name="ask_pause"),
    path("assignments/<int:pk>/stamp/", desk.stamp, name="stamp"),
    path("assignments/<int:pk>/approvals/<str:serial>/revoke/", desk.revoke, name="revoke"),
    path("assignments/<int:pk>/commitments/<int:commitment_id>/fulfil/", desk.fulfil, name="fulfil"),
    path("assignments/<int:pk>/acknowledge/", desk_clock.acknowledge, name="acknowledge"),
    path("assignments/<int:pk>/pause/", desk_clock.pause, name="pause"),
    path("assignments/<int:pk>/resume/", desk_clock.resume, name="resume"),
]
