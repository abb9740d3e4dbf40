import csv

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partners.models import Role
from trajectories.dashboard import Dashboard
from trajectories.forms import DashboardFilterForm
from trajectories.pdf import render_pdf


def home(request):
    if request.user.role == Role.PROVIDER:
        # A provider's staff answer the proposals for their own provisions.
        return redirect("trajectories:provider_inbox")
    if not request.user.has_perm("clients.view_client"):
        # Social teams and providers work in the cases shared with them.
        return redirect("trajectories:shared")
    if request.user.clients.exists():
        return redirect("trajectories:mine")
    return redirect("trajectories:list")


def may_read_reports(user):
    if not user.has_perm("clients.view_reports"):
        raise Http404


def reports(request):
    """The managers' dashboard: every figure for the period and residents the filters ask,
    of the municipalities whose residents the user may see."""
    may_read_reports(request.user)
    return dashboard_page(request, DashboardFilterForm(request.user, request.GET))


def dashboard_page(request, filters):
    """The dashboard for these filters, or the filters with their errors."""
    dashboard = filters.dashboard() if filters.is_valid() else None
    # The filters, for the CSV links to add their figure to.
    query = request.GET.copy()
    query.pop("figure", None)
    return render(
        request,
        "reports/overview.html",
        {
            "filters": filters,
            "dashboard": dashboard,
            "figures": dashboard.figures() if dashboard else [],
            "query": query.urlencode(),
        },
    )


def report_csv(request):
    """One figure of the dashboard (`figure`) as CSV, for the same filters."""
    may_read_reports(request.user)
    key = request.GET.get("figure")
    if key not in Dashboard.KEYS:
        raise Http404
    filters = DashboardFilterForm(request.user, request.GET)
    if not filters.is_valid():
        return dashboard_page(request, filters)
    figure = filters.dashboard().figure(key)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{key}-{filters.cleaned_data['start']}-{filters.cleaned_data['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow([figure.label_header, *figure.series])
    for label, values in figure.rows:
        writer.writerow([spreadsheet_safe(str(label)), *values])
    return response


def spreadsheet_safe(text):
    """Text a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def period_report(request):
    """The dashboard's figures for one municipality and period as a PDF, for the board."""
    may_read_reports(request.user)
    filters = DashboardFilterForm(request.user, request.GET)
    if filters.is_valid() and not filters.cleaned_data["municipality"]:
        filters.add_error("municipality", _("Choose the municipality the period report is for."))
    if not filters.is_valid():
        return dashboard_page(request, filters)
    dashboard = filters.dashboard()
    html = render_to_string(
        "reports/period_pdf.html",
        {
            "dashboard": dashboard,
            "figures": dashboard.figures(),
            "printed_at": timezone.now(),
            "printed_by": request.user,
        },
        request=request,
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    kind = _("period report")
    name = slugify(f"{kind} {dashboard.municipality} {dashboard.start} {dashboard.end}")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
