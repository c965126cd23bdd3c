from notifications.selectors import unread_count


def unread_notifications(request):
    """The unread count in the header; one indexed COUNT per page for a signed-in user."""
    return {"unread_notifications": unread_count(request.user) if hasattr(request, "user") else 0}
