"""The printed case summary, and the bulk export of summaries for managers: ask for one,
follow its progress, download the ZIP, try again after a failure. The export itself runs in
the background (exports.py)."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from clients.models import AccessLog

from . import exports
from .forms import BulkExportForm
from .models import BulkExport
from .privacy_views import download
from .summary import summary_pdf
from .views import case_client


def case_summary(request, pk):
    """The case summary as a PDF, with what the user may see of the case page; 404 for
    whoever may not see the case."""
    client = case_client(request, pk)
    if client.anonymised_on:
        raise Http404
    AccessLog.objects.record(request.user, AccessLog.Action.SUMMARY_PDF, clients=[client])
    return download(
        summary_pdf(client, request.user), "application/pdf", f"samenvatting-{client.pk}.pdf"
    )


def manager_exports(request):
    """The user's own exports; 404 for anyone who may not read reports."""
    if not request.user.has_perm("clients.view_reports"):
        raise Http404
    return BulkExport.objects.visible_to(request.user).select_related("municipality", "consultant")


def bulk_exports(request):
    own = manager_exports(request)
    form = BulkExportForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        export = form.save(commit=False)
        export.language = get_language()
        export.save()
        exports.start(export)
        return redirect(export)
    return render(request, "trajectories/bulk_exports.html", {"form": form, "exports": own[:20]})


@vary_on_headers("HX-Request")
def bulk_export(request, pk):
    export = get_object_or_404(manager_exports(request), pk=pk)
    template = "trajectories/bulk_export.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"export": export})


def bulk_export_download(request, pk):
    export = get_object_or_404(manager_exports(request), pk=pk, status=BulkExport.Status.DONE)
    if not export.file_path.exists():
        raise Http404
    return FileResponse(
        export.file_path.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type="application/zip",
    )


@require_POST
def bulk_export_retry(request, pk):
    export = get_object_or_404(manager_exports(request), pk=pk)
    if not export.may_retry:
        raise Http404
    exports.start(export)
    return redirect(export)
