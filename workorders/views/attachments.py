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
    # Named and typed after the checked content, whatever name the person gave (issue 17, finding 5).
    return file_download(handle, filename=attachment.download_name, content_type=attachment.served_content_type)
