"""The covenant's process descriptions, served from outside the web root: to logged-in users
whose role may read the covenant, each download logged. Here, above the access log (clients),
which the partners app below it cannot write to."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from clients.models import AccessLog
from partners.models import ProcessDocument


def covenant_document(request, pk):
    if not request.user.has_perm("partners.view_processdocument"):
        raise Http404
    document = get_object_or_404(
        ProcessDocument.objects.select_related("agreement__organisation"), pk=pk
    )
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    AccessLog.objects.record(
        request.user,
        AccessLog.Action.COVENANT_DOCUMENT,
        detail=f"{document.agreement.organisation}: {document.title} ({document.filename})",
    )
    return FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type=document.content_type
    )
