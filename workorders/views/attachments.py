"""Attachment downloads: only for those who may see the request; never rendered inline."""
from django.contrib.auth.decorators import login_required
from django.http import Http404

from core.downloads import file_download
from workorders import selectors
from workorders.models import Attachment


@login_required
def download(request, pk):
    try:
        attachment = selectors.attachment_for(request.user, pk)
    except Attachment.DoesNotExist:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return file_download(handle, filename=attachment.original_name,
                         content_type=attachment.content_type or "application/octet-stream")
