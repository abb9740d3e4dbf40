"""The pages of the resident's rights under the AVG (GDPR): the inzageverzoek (everything
held, as JSON or PDF), closing and reopening a file, and, for managers, the files past their
retention period and their anonymisation. Apart from views.py, which holds the cycle."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clients.models import AccessLog, Client

from . import forms
from .pdf import render_pdf
from .privacy import anonymise, everything_held, held_sections, reopen_file
from .views import PAGE_SIZE, case_client, editable_client, step_done, step_view

# What the access log gives as the detail of an export for an inzageverzoek.
INZAGE = "inzageverzoek"


def staff_case_client(request, pk):
    """The resident, for werkbedrijf staff: they answer an inzageverzoek. 404 for anyone
    else, a social team too."""
    if not request.user.has_perm("clients.view_client"):
        raise Http404
    return case_client(request, pk)


def export_json(request, pk):
    """Everything held about the resident, as a JSON download."""
    client = staff_case_client(request, pk)
    # Logged first, so that the export lists itself among those who looked at the file.
    AccessLog.objects.record(
        request.user, AccessLog.Action.EXPORT_JSON, clients=[client], detail=INZAGE
    )
    held = everything_held(client)
    body = json.dumps(held, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return download(body, "application/json", f"inzageverzoek-{client.pk}.json")


def export_pdf(request, pk):
    """Everything held about the resident, as a readable A4 document."""
    client = staff_case_client(request, pk)
    AccessLog.objects.record(
        request.user, AccessLog.Action.EXPORT_PDF, clients=[client], detail=INZAGE
    )
    context = {
        "client": client,
        "sections": held_sections(everything_held(client)),
        "made_at": timezone.now(),
    }
    html = render_to_string("trajectories/everything_held.html", context, request)
    return download(render_pdf(html), "application/pdf", f"inzageverzoek-{client.pk}.pdf")


def download(content, content_type, filename):
    # The file is named by number: a name would end up in download folders and logs.
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


close = step_view(
    forms.CloseFileForm,
    "close_file",
    gettext_lazy("Close the file"),
    gettext_lazy("The file is closed."),
)


@require_POST
def reopen(request, pk):
    client = editable_client(request, pk)
    reopen_file(client)
    return step_done(request, client, _("The file is open again."))


def require_anonymiser(request):
    if not request.user.has_perm("clients.anonymise_client"):
        raise Http404


def past_retention(request):
    """The files closed longer ago than the retention period, longest closed first: due to
    be anonymised. Only the residents the manager may see."""
    require_anonymiser(request)
    clients = (
        Client.objects.visible_to(request.user)
        .past_retention()
        .select_related("municipality")
        .order_by("closed_on", "pk")
    )
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "trajectories/past_retention.html",
        {"page_obj": page, "retention_years": settings.RETENTION_YEARS},
    )


def anonymise_file(request, pk):
    """Say what anonymisation removes and keeps; on confirmation (a post), do it."""
    require_anonymiser(request)
    clients = Client.objects.visible_to(request.user).past_retention()
    client = get_object_or_404(clients.select_related("municipality", "case"), pk=pk)
    if request.method == "POST":
        try:
            anonymise(client, request.user)
        except ValidationError as error:
            # Someone else anonymised it, or reopened it, a moment before.
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The file is anonymised: only anonymous figures remain."))
        return redirect("trajectories:past_retention")
    return render(
        request,
        "trajectories/anonymise.html",
        {"client": client, "retention_years": settings.RETENTION_YEARS},
    )
